using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Axon.Runtime.Typing;

/// <summary>Comparison of a runtime value with a literal from the program text (rules, conditions, where).</summary>
public static class ValueComparison
{
    /// <summary>
    /// Compares <paramref name="left"/> with the literal <paramref name="right"/> using <paramref name="op"/>.
    /// Numbers compare numerically (numeric strings count), otherwise text compares case-insensitively.
    /// The literals <c>missing</c>/<c>null</c> match absent values. Returns null when the comparison
    /// cannot be made (e.g. <c>&gt;</c> on text).
    /// </summary>
    public static bool? Compare(JsonNode? left, bool present, string op, string right)
    {
        if (right is "missing" or "null" or "none")
        {
            var isMissing = !present || left is null || (left is JsonValue sv && sv.TryGetValue<string>(out var s) && s.Length == 0);
            return op switch { "==" => isMissing, "!=" => !isMissing, _ => null };
        }
        if (!present || left is null) return op == "!=" ? true : op == "==" ? false : null;
        var l = AsNumber(left);
        if (l is { } ln && double.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out var rn))
        {
            return op switch
            {
                "<" => ln < rn, ">" => ln > rn, "<=" => ln <= rn, ">=" => ln >= rn,
                "==" => Math.Abs(ln - rn) < 1e-12, "!=" => Math.Abs(ln - rn) >= 1e-12, _ => null,
            };
        }
        var text = AsText(left);
        if (bool.TryParse(right, out var rb) && left.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            return op switch { "==" => left.GetValue<bool>() == rb, "!=" => left.GetValue<bool>() != rb, _ => null };
        var eq = string.Equals(text, right, StringComparison.OrdinalIgnoreCase);
        return op switch { "==" => eq, "!=" => !eq, _ => null };
    }

    /// <summary>Truthiness of a value for conditions without a comparison.</summary>
    public static bool IsTruthy(JsonNode? value, bool present)
    {
        if (!present || value is null) return false;
        return value.GetValueKind() switch
        {
            JsonValueKind.False => false,
            JsonValueKind.True => true,
            JsonValueKind.Number => value.GetValue<double>() != 0,
            JsonValueKind.String => value.GetValue<string>() is { Length: > 0 } s && !s.Equals("false", StringComparison.OrdinalIgnoreCase),
            JsonValueKind.Array => value.AsArray().Count > 0,
            _ => true,
        };
    }

    /// <summary>The value as a number, when it is one (or a numeric string).</summary>
    public static double? AsNumber(JsonNode? v)
    {
        if (v is not JsonValue jv) return null;
        if (jv.GetValueKind() == JsonValueKind.Number) return jv.GetValue<double>();
        if (jv.TryGetValue<string>(out var s) && double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        return null;
    }

    /// <summary>The value as text (strings unquoted, others as JSON).</summary>
    public static string AsText(JsonNode? v) =>
        v is null ? "" : v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v.ToJsonString();
}

/// <summary>Evaluates a type's <c>where</c> expression (clauses joined by and/or) against a value.</summary>
public static class WhereExpression
{
    private static readonly string[] Ops = ["<=", ">=", "==", "!=", "<", ">"];

    /// <summary>True/false, or null when the expression cannot be evaluated (it is then not enforced).</summary>
    public static bool? Evaluate(string expression, JsonObject value)
    {
        var tokens = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // "and" binds tighter than "or": split into or-groups of and-clauses.
        var orGroups = new List<List<List<string>>> { new() { new() } };
        foreach (var t in tokens)
        {
            if (t == "or") orGroups.Add([[]]);
            else if (t == "and") orGroups[^1].Add([]);
            else orGroups[^1][^1].Add(t);
        }
        var any = false;
        foreach (var group in orGroups)
        {
            var all = true;
            foreach (var clause in group)
            {
                var r = EvalClause(clause, value);
                if (r is null) return null;
                all &= r.Value;
            }
            any |= all;
        }
        return any;
    }

    private static bool? EvalClause(List<string> tokens, JsonObject value)
    {
        var opIndex = tokens.FindIndex(t => Ops.Contains(t));
        if (opIndex <= 0 || opIndex == tokens.Count - 1) return null;
        var path = string.Concat(tokens.Take(opIndex));
        var literal = string.Join(" ", tokens.Skip(opIndex + 1));
        var (node, present) = Resolve(path, value);
        return ValueComparison.Compare(node, present, tokens[opIndex], literal);
    }

    private static (JsonNode? Node, bool Present) Resolve(string path, JsonObject value)
    {
        JsonNode? current = value;
        foreach (var part in path.Split('.'))
        {
            if (current is JsonObject o && o.TryGetPropertyValue(part, out var next)) current = next;
            else if (current is JsonArray a && part is "length" or "count") current = JsonValue.Create(a.Count);
            else if (current is JsonValue s && s.TryGetValue<string>(out var str) && part is "length") current = JsonValue.Create(str.Length);
            else if (ReferenceEquals(current, value) && value.TryGetPropertyValue("value", out var v)) current = v; // "where grams > 0" on a scalar type
            else return (null, false);
        }
        return (current, true);
    }
}
