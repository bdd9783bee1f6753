using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tools;

/// <summary>How <c>use</c> resolves tools (reference §6.6).</summary>
public enum ToolMode
{
    /// <summary>Every tool is a deterministic stub except the built-ins Calculator and DateTime.</summary>
    Stub,
    /// <summary>Only registered tools and the built-ins; an unregistered tool is an error.</summary>
    Real,
    /// <summary>Registered tools and built-ins where available, stubs for the rest (default).</summary>
    Hybrid,
}

/// <summary>The result of a tool call.</summary>
/// <param name="Success">False when the tool failed or was not found.</param>
/// <param name="Output">The tool's output (text or JSON).</param>
/// <param name="IsStub">True when a stub produced the output.</param>
/// <param name="Error">The failure, when not successful.</param>
public sealed record ToolResult(bool Success, string Output, bool IsStub, string? Error = null);

/// <summary>A tool callable from <c>use Name("argument")</c>.</summary>
public interface IAxonTool
{
    /// <summary>The name used in AXON source.</summary>
    string Name { get; }

    /// <summary>Runs the tool with the (already interpolated) argument.</summary>
    ValueTask<string> InvokeAsync(string argument, CancellationToken cancellationToken);
}

/// <summary>Tools available to flows: C# delegates, <see cref="AIFunction"/>s and the built-ins.</summary>
public sealed class AxonToolRegistry
{
    private readonly ConcurrentDictionary<string, IAxonTool> _tools = new(StringComparer.Ordinal);

    /// <summary>Registers a tool object.</summary>
    public AxonToolRegistry Register(IAxonTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        _tools[tool.Name] = tool;
        return this;
    }

    /// <summary>Registers a delegate as the tool <paramref name="name"/>.</summary>
    public AxonToolRegistry Register(string name, Func<string, CancellationToken, ValueTask<string>> invoke) =>
        Register(new DelegateTool(name, invoke));

    /// <summary>Registers a synchronous delegate as the tool <paramref name="name"/>.</summary>
    public AxonToolRegistry Register(string name, Func<string, string> invoke) =>
        Register(new DelegateTool(name, (a, _) => ValueTask.FromResult(invoke(a))));

    /// <summary>Registers an <see cref="AIFunction"/>; the argument goes to its first parameter.</summary>
    public AxonToolRegistry Register(AIFunction function, string? name = null) =>
        Register(new AIFunctionTool(function, name ?? function.Name));

    /// <summary>True when a tool with this name was registered.</summary>
    public bool IsRegistered(string name) => _tools.ContainsKey(name);

    /// <summary>Finds the tool to use for <paramref name="name"/> in <paramref name="mode"/> (null = not found).</summary>
    public IAxonTool? Resolve(string name, ToolMode mode, TimeProvider time)
    {
        if (BuiltinTools.Create(name, time) is { } builtin && !(mode != ToolMode.Stub && _tools.ContainsKey(name))) return builtin;
        return mode switch
        {
            ToolMode.Stub => new StubTool(name),
            ToolMode.Real => _tools.GetValueOrDefault(name),
            _ => _tools.GetValueOrDefault(name) ?? new StubTool(name),
        };
    }

    private sealed class DelegateTool(string name, Func<string, CancellationToken, ValueTask<string>> invoke) : IAxonTool
    {
        public string Name => name;
        public ValueTask<string> InvokeAsync(string argument, CancellationToken cancellationToken) => invoke(argument, cancellationToken);
    }

    private sealed class AIFunctionTool(AIFunction function, string name) : IAxonTool
    {
        public string Name => name;

        public async ValueTask<string> InvokeAsync(string argument, CancellationToken cancellationToken)
        {
            var args = new AIFunctionArguments();
            var parameter = "query";
            if (function.JsonSchema.ValueKind == JsonValueKind.Object && function.JsonSchema.TryGetProperty("properties", out var props))
                foreach (var p in props.EnumerateObject()) { parameter = p.Name; break; }
            args[parameter] = argument;
            var result = await function.InvokeAsync(args, cancellationToken).ConfigureAwait(false);
            return result switch
            {
                null => "",
                string s => s,
                JsonElement e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText(),
                _ => JsonSerializer.Serialize(result, function.JsonSerializerOptions.GetTypeInfo(result.GetType())),
            };
        }
    }
}

/// <summary>A deterministic stand-in for a tool that is not available (offline and tests).</summary>
public sealed class StubTool(string name) : IAxonTool
{
    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public ValueTask<string> InvokeAsync(string argument, CancellationToken cancellationToken) =>
        ValueTask.FromResult($"[stub] {name}: synthetic result for \"{argument}\" (no real tool was called)");
}

/// <summary>The built-in tools that run for real in every mode: Calculator and DateTime.</summary>
public static class BuiltinTools
{
    /// <summary>Creates the built-in with this name, or null.</summary>
    public static IAxonTool? Create(string name, TimeProvider time) => name switch
    {
        "Calculator" => new CalculatorTool(),
        "DateTime" or "DateTimeTool" => new DateTimeTool(name, time),
        _ => null,
    };
}

/// <summary>Evaluates arithmetic: + - * / % ^ **, parentheses, sqrt abs round log log10 sin cos tan ceil floor pow min max, pi, e.</summary>
public sealed class CalculatorTool : IAxonTool
{
    /// <inheritdoc />
    public string Name => "Calculator";

    /// <inheritdoc />
    public ValueTask<string> InvokeAsync(string argument, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Evaluate(argument).ToString("R", CultureInfo.InvariantCulture));

    /// <summary>Evaluates an expression; throws <see cref="FormatException"/> on anything else.</summary>
    public static double Evaluate(string expression)
    {
        var p = new Parser(expression);
        var v = p.ParseExpression();
        p.SkipWs();
        if (!p.AtEnd) throw new FormatException($"Unexpected '{p.Rest}' in expression.");
        return v;
    }

    private sealed class Parser(string text)
    {
        private int _pos;
        public bool AtEnd => _pos >= text.Length;
        public string Rest => text[_pos..];
        public void SkipWs() { while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++; }
        private bool Eat(string s)
        {
            SkipWs();
            if (string.CompareOrdinal(text, _pos, s, 0, s.Length) != 0) return false;
            _pos += s.Length;
            return true;
        }

        public double ParseExpression()
        {
            var v = ParseTerm();
            while (true)
            {
                if (Eat("+")) v += ParseTerm();
                else if (Eat("-")) v -= ParseTerm();
                else return v;
            }
        }

        private double ParseTerm()
        {
            var v = ParsePower();
            while (true)
            {
                SkipWs();
                if (_pos + 1 < text.Length && text[_pos] == '*' && text[_pos + 1] == '*') return v;
                if (Eat("*")) v *= ParsePower();
                else if (Eat("/")) v /= ParsePower();
                else if (Eat("%")) v %= ParsePower();
                else return v;
            }
        }

        private double ParsePower()
        {
            var b = ParseUnary();
            if (Eat("**") || Eat("^")) return Math.Pow(b, ParsePower());
            return b;
        }

        private double ParseUnary()
        {
            if (Eat("-")) return -ParseUnary();
            if (Eat("+")) return ParseUnary();
            return ParsePrimary();
        }

        private double ParsePrimary()
        {
            SkipWs();
            if (Eat("("))
            {
                var v = ParseExpression();
                if (!Eat(")")) throw new FormatException("Missing ')'.");
                return v;
            }
            var start = _pos;
            if (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] == '.'))
            {
                while (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] == '.')) _pos++;
                if (_pos < text.Length && (text[_pos] == 'e' || text[_pos] == 'E') && _pos + 1 < text.Length && (char.IsDigit(text[_pos + 1]) || text[_pos + 1] is '-' or '+'))
                {
                    _pos += 2;
                    while (_pos < text.Length && char.IsDigit(text[_pos])) _pos++;
                }
                return double.Parse(text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
            var name = text[start.._pos];
            if (name.Length == 0) throw new FormatException($"Unexpected '{Rest}' in expression.");
            if (name == "pi") return Math.PI;
            if (name == "e") return Math.E;
            if (!Eat("(")) throw new FormatException($"Unknown name '{name}'.");
            var args = new List<double>();
            if (!Eat(")"))
            {
                do args.Add(ParseExpression()); while (Eat(","));
                if (!Eat(")")) throw new FormatException("Missing ')'.");
            }
            double A(int i) => i < args.Count ? args[i] : throw new FormatException($"'{name}' needs more arguments.");
            return name switch
            {
                "sqrt" => Math.Sqrt(A(0)), "abs" => Math.Abs(A(0)),
                "round" => args.Count > 1 ? Math.Round(A(0), (int)A(1), MidpointRounding.ToEven) : Math.Round(A(0), MidpointRounding.ToEven),
                "log" => args.Count > 1 ? Math.Log(A(0), A(1)) : Math.Log(A(0)), "log10" => Math.Log10(A(0)),
                "sin" => Math.Sin(A(0)), "cos" => Math.Cos(A(0)), "tan" => Math.Tan(A(0)),
                "ceil" => Math.Ceiling(A(0)), "floor" => Math.Floor(A(0)), "pow" => Math.Pow(A(0), A(1)),
                "min" => args.Count > 0 ? args.Min() : throw new FormatException("min needs arguments."),
                "max" => args.Count > 0 ? args.Max() : throw new FormatException("max needs arguments."),
                _ => throw new FormatException($"Unknown function '{name}'."),
            };
        }
    }
}

/// <summary>Answers date/time queries in UTC: now, today, timestamp, year, month, day, weekday, iso.</summary>
public sealed class DateTimeTool(string name, TimeProvider time) : IAxonTool
{
    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public ValueTask<string> InvokeAsync(string argument, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var q = argument.Trim().ToLowerInvariant();
        var result = q switch
        {
            "today" or "date" or "current_date" => now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "timestamp" or "unix" or "epoch" => now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            "year" => now.Year.ToString(CultureInfo.InvariantCulture),
            "month" => now.Month.ToString(CultureInfo.InvariantCulture),
            "day" => now.Day.ToString(CultureInfo.InvariantCulture),
            "weekday" or "day_of_week" => now.DayOfWeek.ToString(),
            "iso" or "iso8601" => now.ToString("O", CultureInfo.InvariantCulture),
            _ => now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC",
        };
        return ValueTask.FromResult(result);
    }
}
