using System.Text.Json.Nodes;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;

namespace Axon.Cli.Running;

/// <summary>One <c>--arg name=…</c>: its text, and the file it came from (null for a literal value).</summary>
internal sealed record ArgInput(string Name, string Text, string? FileName);

/// <summary>
/// Inputs of <c>axon run</c>: <c>--arg name=value</c>, <c>name=@path</c> (the file's text), <c>name=@-</c>
/// (stdin) and <c>name=@@text</c> (a literal starting with <c>@</c>); and run-statement arguments that name
/// a file next to the program, which are read instead of passed as their literal text.
/// </summary>
internal static class RunInputs
{
    /// <summary>Parses the <c>--arg</c> values and reads their files; the error is a one-line usage message.</summary>
    public static (List<ArgInput> Inputs, string? Error) Parse(IReadOnlyList<string> specs, Func<TextReader> stdin)
    {
        var inputs = new List<ArgInput>(specs.Count);
        foreach (var spec in specs)
        {
            var eq = spec.IndexOf('=');
            if (eq <= 0)
                return (inputs, $"--arg expects name=value, name=@file or name=@- (got '{spec}')");
            var name = spec[..eq].Trim();
            var raw = spec[(eq + 1)..];
            if (raw.StartsWith("@@", StringComparison.Ordinal)) inputs.Add(new(name, raw[1..], null));
            else if (raw == "@-") inputs.Add(new(name, stdin().ReadToEnd(), "stdin"));
            else if (raw.StartsWith('@'))
            {
                var path = raw[1..];
                try
                {
                    inputs.Add(new(name, File.ReadAllText(path), Path.GetFileName(path)));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    return (inputs, $"Cannot read '{path}' for --arg {name}: {ex.Message}");
                }
            }
            else inputs.Add(new(name, raw, null));
        }
        return (inputs, null);
    }

    /// <summary>A usage message when an <c>--arg</c> names no parameter of any flow the program runs, else null.</summary>
    public static string? CheckNames(IReadOnlyList<ArgInput> inputs, AxonProgram program)
    {
        foreach (var input in inputs)
        {
            if (program.Runs.Any(r => r.Flow.Parameters.Any(p => p.Name == input.Name))) continue;
            var flows = program.Runs.Select(r => r.Flow).DistinctBy(f => f.Name).Select(f => $"{f.Name}({RunArguments.ParameterList(f)})");
            return $"Unknown --arg '{input.Name}': no flow this program runs has that parameter. Parameters: {string.Join("; ", flows)}";
        }
        return null;
    }

    /// <summary>
    /// The explicit arguments of one run: its flow's <c>--arg</c> values, then run-statement arguments that name a
    /// file next to the program (read; each read is described in <paramref name="notes"/>).
    /// </summary>
    public static Dictionary<string, object?> ForRun(RunDefinition run, IReadOnlyList<ArgInput> inputs, string programDirectory, List<string> notes)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (run.Flow.Parameters.FirstOrDefault(p => p.Name == input.Name) is not { } parameter) continue;
            values[input.Name] = ValueFor(parameter, input.Text, input.FileName);
            notes.Add(input.FileName is null ? $"{input.Name} = --arg value" : $"{input.Name} ← {input.FileName} (--arg, {input.Text.Length} characters)");
        }
        foreach (var (name, literal) in RunArguments.Bind(run).Values)
        {
            if (values.ContainsKey(name) || !LooksLikeFileName(literal)) continue;
            var path = Path.Combine(programDirectory, literal);
            if (!File.Exists(path)) continue;
            try
            {
                var text = File.ReadAllText(path);
                values[name] = ValueFor(run.Flow.Parameters.First(p => p.Name == name), text, literal);
                notes.Add($"{name} ← {literal}: read from {Path.GetFullPath(path)} ({text.Length} characters)");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                notes.Add($"{name} = '{literal}' as text: the file next to the program could not be read ({ex.Message})");
            }
        }
        return values;
    }

    /// <summary>A file's text: a <c>Document</c> parameter also gets the file name as its title (<c>doc.title</c>, <c>doc.content</c>).</summary>
    private static AxonValue ValueFor(ParameterDefinition parameter, string text, string? fileName) =>
        parameter.Type.Name == "Document" && fileName is not null
            ? new AxonValue(text, new JsonObject { ["title"] = fileName, ["content"] = text })
            : new AxonValue(text);

    /// <summary>A bare file name with an extension (<c>ticket.txt</c>): no directory part, no spaces, and not a number.</summary>
    public static bool LooksLikeFileName(string s)
    {
        if (s.Length is < 3 or > 255 || s.IndexOfAny(['/', '\\', ' ', '\t', ':']) >= 0) return false;
        var dot = s.LastIndexOf('.');
        if (dot <= 0 || dot == s.Length - 1) return false;
        var ext = s.AsSpan(dot + 1);
        foreach (var c in ext) if (!char.IsAsciiLetterOrDigit(c)) return false;
        return ext.ContainsAnyInRange('A', 'Z') || ext.ContainsAnyInRange('a', 'z');
    }
}
