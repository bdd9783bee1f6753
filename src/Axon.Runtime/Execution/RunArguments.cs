using Axon.Runtime.Model;

namespace Axon.Runtime.Execution;

/// <summary>How a <c>run</c> statement's arguments bind to its flow's parameters.</summary>
/// <param name="Values">Parameter name → the argument's literal text.</param>
/// <param name="Warnings">Arguments that were ignored (extra positional ones, unknown names), one sentence each.</param>
/// <param name="FirstExtraIndex">Index in <see cref="RunDefinition.Arguments"/> of the first extra positional argument, or null.</param>
public sealed record RunArgumentBinding(IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> Warnings, int? FirstExtraIndex);

/// <summary>
/// Binds run arguments as the language does: positional arguments fill the parameters in order, then
/// <c>name: value</c> binds by name (written either as one token <c>name:value</c> or as the three
/// tokens <c>name</c>, <c>:</c>, <c>value</c> that the parser keeps). Extra positional arguments and
/// unknown names are ignored with a warning; the reference accepts such runs, so they never fail.
/// </summary>
public static class RunArguments
{
    /// <summary>Binds <paramref name="run"/>'s own arguments. Missing parameters are left unbound (the caller decides).</summary>
    public static RunArgumentBinding Bind(RunDefinition run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var flow = run.Flow;
        var args = run.Arguments;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var extras = new List<string>();
        int? firstExtra = null;
        var position = 0;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? name = null, value = null;
            if (i + 2 < args.Count && args[i + 1] == ":" && IsIdentifier(arg))
            {
                (name, value) = (arg, args[i + 2]);
                i += 2;
            }
            else if (arg.IndexOf(':') is > 0 and var colon && HasParameter(flow, arg[..colon].Trim()))
            {
                (name, value) = (arg[..colon].Trim(), arg[(colon + 1)..].Trim().Trim('"'));
            }
            if (name is not null)
            {
                if (HasParameter(flow, name)) values[name] = value!;
                else warnings.Add($"Run of '{flow.Name}': the flow has no parameter '{name}'; the argument '{name}: {value}' is ignored. Parameters: {ParameterList(flow)}.");
                continue;
            }
            while (position < flow.Parameters.Count && values.ContainsKey(flow.Parameters[position].Name)) position++;
            if (position < flow.Parameters.Count)
            {
                values[flow.Parameters[position++].Name] = arg.Trim('"');
                continue;
            }
            firstExtra ??= i;
            extras.Add(arg);
        }
        if (extras.Count > 0)
            warnings.Insert(0, $"Run of '{flow.Name}' passes {extras.Count} more argument(s) than the flow's {flow.Parameters.Count} parameter(s) (first extra at position {firstExtra + 1}); ignored: {string.Join(", ", extras)}.");
        return new RunArgumentBinding(values, warnings, firstExtra);
    }

    /// <summary>The flow's parameters as <c>name: Type</c>, comma-separated (for messages).</summary>
    public static string ParameterList(FlowDefinition flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return flow.Parameters.Count == 0 ? "(none)" : string.Join(", ", flow.Parameters.Select(p => p.Type.IsSpecified ? $"{p.Name}: {p.Type.Name}" : p.Name));
    }

    private static bool HasParameter(FlowDefinition flow, string name)
    {
        foreach (var p in flow.Parameters) if (p.Name == name) return true;
        return false;
    }

    private static bool IsIdentifier(string s)
    {
        if (s.Length == 0 || !(char.IsLetter(s[0]) || s[0] == '_')) return false;
        foreach (var c in s) if (!(char.IsLetterOrDigit(c) || c == '_')) return false;
        return true;
    }
}
