using Axon.Language.IR;
using Axon.Runtime.Model;

namespace Axon.Cli.Running;

/// <summary>
/// Builds the runtime model from the front end's IR the one way the toolchain does it: IR → IR JSON →
/// <see cref="IrProgramReader"/> (the mapping the source generator embeds too), then the epistemic mode
/// of each flow, which the reference IR JSON does not carry, from the <see cref="IrFlow"/>.
/// </summary>
internal static class ProgramLoader
{
    public static AxonProgram Load(IrProgram ir, string source, string backend)
    {
        var program = IrProgramReader.Read(IrJson.Write(ir, source, backend));
        var modes = ir.Flows.ToDictionary(f => f.Name, f => ModeOf(f.EpistemicMode), StringComparer.Ordinal);
        if (modes.Values.All(m => m == EpistemicMode.None)) return program;

        var flows = program.Flows.Select(f => modes.TryGetValue(f.Name, out var m) && m != EpistemicMode.None ? f with { EpistemicMode = m } : f).ToList();
        var byName = flows.ToDictionary(f => f.Name, StringComparer.Ordinal);
        // Runs point at flow objects, so they are re-pointed at the flows that carry the mode.
        var runs = program.Runs.Select(r => r with { Flow = byName[r.Flow.Name] }).ToList();
        return program with { Flows = flows, Runs = runs };
    }

    /// <summary>The runtime's mode for an IR block name (<c>know</c>, <c>believe</c>, <c>speculate</c>, <c>doubt</c>, or "").</summary>
    public static EpistemicMode ModeOf(string name) => name.ToLowerInvariant() switch
    {
        "know" => EpistemicMode.Know,
        "believe" => EpistemicMode.Believe,
        "speculate" => EpistemicMode.Speculate,
        "doubt" => EpistemicMode.Doubt,
        _ => EpistemicMode.None,
    };
}
