using Axon.Language.IR;
using Axon.Runtime.Model;
using Axon.Runtime.SemanticTypes;

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
        // The same helper the generated code calls, so both paths give a flow its mode the same way.
        foreach (var flow in ir.Flows)
        {
            var mode = ModeOf(flow.EpistemicMode);
            if (mode != EpistemicMode.None) program = AxonGeneratedCode.WithEpistemicMode(program, flow.Name, mode);
        }
        return program;
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
