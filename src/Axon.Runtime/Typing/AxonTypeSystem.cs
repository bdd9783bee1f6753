using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Runtime.Model;

namespace Axon.Runtime.Typing;

/// <summary>
/// Maps AXON types (built-in semantic types and a program's own types) to the JSON schema sent to the
/// model, and validates a model's JSON against it (required fields, value kinds, ranges of ranged
/// types, epistemic type declarations, <c>where</c> expressions).
/// </summary>
public sealed class AxonTypeSystem
{
    /// <summary>The epistemic types; an output declaring one where another is expected is rejected.</summary>
    public static readonly IReadOnlySet<string> EpistemicTypes =
        new HashSet<string>(StringComparer.Ordinal) { "FactualClaim", "CitedFact", "HighConfidenceFact", "Opinion", "Speculation", "Uncertainty" };

    private static readonly Dictionary<string, (double Min, double Max)> BuiltinRanges = new(StringComparer.Ordinal)
    {
        ["RiskScore"] = (0.0, 1.0),
        ["ConfidenceScore"] = (0.0, 1.0),
        ["SentimentScore"] = (-1.0, 1.0),
    };

    private readonly Dictionary<string, TypeDefinition> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonElement?> _schemaCache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _schemaTextCache = new(StringComparer.Ordinal);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (JsonElement Schema, string Text)> ProbeCache = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Creates a type system over the given user types (they shadow built-ins of the same name).</summary>
    public AxonTypeSystem(IEnumerable<TypeDefinition> types)
    {
        foreach (var t in types) _types[t.Name] = t;
    }

    /// <summary>Finds a user type.</summary>
    public TypeDefinition? Find(string name) => _types.GetValueOrDefault(name);

    /// <summary>True when outputs of this type are free text (no type, <c>String</c>).</summary>
    public bool IsText(string typeName) => typeName.Length == 0 || (typeName == "String" && !_types.ContainsKey(typeName));

    /// <summary>
    /// The JSON schema requested for a step whose output is <paramref name="typeName"/>, or null for free text.
    /// Every object carries a <c>confidence</c> number (0..1) so rules and anchors can read it.
    /// </summary>
    public JsonElement? GetOutputSchema(string typeName)
    {
        if (IsText(typeName)) return null;
        lock (_gate)
        {
            if (_schemaCache.TryGetValue(typeName, out var cached)) return cached;
            var node = BuildTopLevel(typeName);
            var element = JsonSerializer.SerializeToElement(node);
            _schemaCache[typeName] = element;
            return element;
        }
    }

    /// <summary>The output schema as JSON text (cached), or null for free text.</summary>
    public string? GetOutputSchemaText(string typeName)
    {
        if (GetOutputSchema(typeName) is not { } schema) return null;
        lock (_gate)
        {
            if (!_schemaTextCache.TryGetValue(typeName, out var text)) _schemaTextCache[typeName] = text = schema.GetRawText();
            return text;
        }
    }

    /// <summary>The probe schema and its text, cached per field list.</summary>
    public static (JsonElement Schema, string Text) ProbeSchemaWithText(IReadOnlyList<string> fields) =>
        ProbeCache.GetOrAdd(string.Join("\u0001", fields), _ =>
        {
            var schema = ProbeSchema(fields);
            return (schema, schema.GetRawText());
        });

    /// <summary>Schema for a flow-level probe: one nullable string per field, plus confidence.</summary>
    public static JsonElement ProbeSchema(IReadOnlyList<string> fields)
    {
        var props = new JsonObject();
        var required = new JsonArray();
        foreach (var f in fields)
        {
            props[f] = new JsonObject { ["type"] = new JsonArray("string", "null") };
            required.Add(f);
        }
        props["confidence"] = Number(0, 1);
        required.Add("confidence");
        return JsonSerializer.SerializeToElement(Obj(props, required));
    }

    private JsonObject BuildTopLevel(string typeName)
    {
        var (props, required) = ObjectShape(typeName, 0);
        if (!props.ContainsKey("confidence"))
        {
            props["confidence"] = Number(0, 1);
            required.Add("confidence");
        }
        return Obj(props, required);
    }

    private (JsonObject Props, JsonArray Required) ObjectShape(string typeName, int depth)
    {
        var props = new JsonObject();
        if (_types.TryGetValue(typeName, out var user))
        {
            if (user.Fields.Count > 0)
            {
                foreach (var f in user.Fields) props[f.Name] = FieldSchema(f.Type, depth + 1);
            }
            else
            {
                var n = new JsonObject { ["type"] = "number" };
                if (user.RangeMin is { } lo) n["minimum"] = lo;
                if (user.RangeMax is { } hi) n["maximum"] = hi;
                props["value"] = n;
            }
            return (props, RequiredOf(props));
        }
        if (BuiltinRanges.TryGetValue(typeName, out var r))
        {
            props["value"] = Number(r.Min, r.Max);
            return (props, RequiredOf(props));
        }
        switch (typeName)
        {
            case "FactualClaim" or "HighConfidenceFact" or "Opinion" or "Speculation" or "Uncertainty":
                props["type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(typeName) };
                props["claim"] = Str();
                break;
            case "CitedFact":
                props["type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(typeName) };
                props["claim"] = Str();
                props["sources"] = Arr(Str());
                break;
            case "Document": props["title"] = Str(); props["content"] = Str(); break;
            case "Chunk": props["text"] = Str(); break;
            case "Summary": props["summary"] = Str(); break;
            case "Translation": props["source_language"] = Str(); props["target_language"] = Str(); props["text"] = Str(); break;
            case "EntityMap":
                props["entities"] = Arr(Obj(new JsonObject { ["name"] = Str(), ["kind"] = Str(), ["value"] = Str() }, new JsonArray("name", "kind", "value")));
                break;
            case "ReasoningChain": props["steps"] = Arr(Str()); props["conclusion"] = Str(); break;
            case "Contradiction": props["statement_a"] = Str(); props["statement_b"] = Str(); props["explanation"] = Str(); break;
            case "StructuredReport":
                props["title"] = Str();
                props["sections"] = Arr(Obj(new JsonObject { ["heading"] = Str(), ["body"] = Str() }, new JsonArray("heading", "body")));
                break;
            case "Integer": props["value"] = new JsonObject { ["type"] = "integer" }; break;
            case "Float": props["value"] = new JsonObject { ["type"] = "number" }; break;
            case "Boolean": props["value"] = new JsonObject { ["type"] = "boolean" }; break;
            case "Duration": props["value"] = Str(); break;
            case "List": props["items"] = Arr(Str()); break;
            default: props["content"] = Str(); break; // unknown names are accepted by the checker; ask for text content
        }
        return (props, RequiredOf(props));
    }

    private JsonNode FieldSchema(TypeReference type, int depth)
    {
        JsonNode inner;
        if (type.Name == "List")
            inner = Arr(type.GenericArgument.Length > 0 ? FieldSchema(new TypeReference(type.GenericArgument), depth + 1) : Str());
        else if (_types.TryGetValue(type.Name, out var user))
        {
            if (user.Fields.Count > 0 && depth < 6)
            {
                var props = new JsonObject();
                foreach (var f in user.Fields) props[f.Name] = FieldSchema(f.Type, depth + 1);
                inner = Obj(props, RequiredOf(props));
            }
            else if (user.Fields.Count > 0) inner = Str();
            else
            {
                var n = new JsonObject { ["type"] = "number" };
                if (user.RangeMin is { } lo) n["minimum"] = lo;
                if (user.RangeMax is { } hi) n["maximum"] = hi;
                inner = n;
            }
        }
        else if (BuiltinRanges.TryGetValue(type.Name, out var r)) inner = Number(r.Min, r.Max);
        else
        {
            inner = type.Name switch
            {
                "Integer" => new JsonObject { ["type"] = "integer" },
                "Float" => new JsonObject { ["type"] = "number" },
                "Boolean" => new JsonObject { ["type"] = "boolean" },
                "EntityMap" or "StructuredReport" or "ReasoningChain" or "Contradiction" or "Translation" when depth < 6 =>
                    ObjectNoConfidence(type.Name, depth),
                _ => Str(),
            };
        }
        return type.Optional ? new JsonObject { ["anyOf"] = new JsonArray(inner, new JsonObject { ["type"] = "null" }) } : inner;
    }

    private JsonObject ObjectNoConfidence(string name, int depth)
    {
        var (props, required) = ObjectShape(name, depth);
        return Obj(props, required);
    }

    private static JsonArray RequiredOf(JsonObject props)
    {
        var req = new JsonArray();
        foreach (var kv in props) req.Add(kv.Key);
        return req;
    }

    private static JsonObject Str() => new() { ["type"] = "string" };
    private static JsonObject Number(double min, double max) => new() { ["type"] = "number", ["minimum"] = min, ["maximum"] = max };
    private static JsonObject Arr(JsonNode items) => new() { ["type"] = "array", ["items"] = items };
    private static JsonObject Obj(JsonObject props, JsonArray required) =>
        new() { ["type"] = "object", ["properties"] = props, ["required"] = required, ["additionalProperties"] = false };

    /// <summary>
    /// Validates <paramref name="value"/> against the output type. Returns the violations (empty = valid).
    /// Extra properties are tolerated (lenient parsing), missing required ones are not.
    /// </summary>
    public IReadOnlyList<string> Validate(JsonNode? value, string typeName)
    {
        var violations = new List<string>();
        if (IsText(typeName)) return violations;
        if (value is not JsonObject obj)
        {
            violations.Add($"Expected structured output (object) for type '{typeName}', but got {(value is null ? "text" : value.GetValueKind().ToString().ToLowerInvariant())}.");
            return violations;
        }
        // Epistemic declarations: a subtype is fine, a different epistemic type is excluded.
        var declared = (obj["type"] ?? obj["_type"]) is JsonValue tv && tv.TryGetValue<string>(out var ds) ? ds : null;
        if (declared is not null && declared != typeName && (EpistemicTypes.Contains(typeName) || _types.ContainsKey(typeName) || BuiltinRanges.ContainsKey(typeName)))
        {
            if (EpistemicTypes.Contains(typeName) && EpistemicTypes.Contains(declared))
            {
                if (!IsEpistemicSubtype(declared, typeName))
                    violations.Add($"Epistemic type mismatch: expected '{typeName}' but output declares '{declared}'. These types are mutually exclusive.");
            }
            else if (!EpistemicTypes.Contains(typeName) && _types.ContainsKey(typeName) && !_types[typeName].Fields.Any(f => f.Name == "type"))
            {
                violations.Add($"Type mismatch: expected '{typeName}' but output declares '{declared}'.");
            }
        }
        var schema = GetOutputSchema(typeName);
        if (schema is { } s) ValidateNode(obj, s, new PathSegment(null, "$", -1), violations);
        if (_types.TryGetValue(typeName, out var user) && user.WhereExpression.Length > 0 && violations.Count == 0)
        {
            var result = WhereExpression.Evaluate(user.WhereExpression, obj);
            if (result == false) violations.Add($"Value does not satisfy 'where {user.WhereExpression}'.");
        }
        return violations;
    }

    private static bool IsEpistemicSubtype(string child, string parent) => (child, parent) switch
    {
        _ when child == parent => true,
        ("HighConfidenceFact", "CitedFact" or "FactualClaim") => true,
        ("CitedFact", "FactualClaim") => true,
        ("Uncertainty", _) => false,
        _ => false,
    };

    private static void ValidateNode(JsonNode? node, JsonElement schema, PathSegment path, List<string> violations)
    {
        if (schema.TryGetProperty("anyOf", out var anyOf))
        {
            foreach (var alt in anyOf.EnumerateArray())
            {
                var tmp = new List<string>();
                ValidateNode(node, alt, path, tmp);
                if (tmp.Count == 0) return;
            }
            violations.Add($"{path}: value does not match any allowed shape.");
            return;
        }
        if (!schema.TryGetProperty("type", out var typeEl)) return;
        if (node is null)
        {
            if (!Allows(typeEl, "null")) violations.Add($"{path}: is null.");
            return;
        }
        switch (node)
        {
            case JsonObject o when Allows(typeEl, "object"):
                if (schema.TryGetProperty("required", out var req))
                {
                    List<string>? missing = null;
                    foreach (var r in req.EnumerateArray())
                    {
                        var name = r.GetString()!;
                        if (!o.ContainsKey(name) && !IsOptional(schema, name)) (missing ??= []).Add(name);
                    }
                    if (missing is not null)
                        violations.Add($"Missing required fields: [{string.Join(", ", missing)}] at {path}. Present fields: [{string.Join(", ", o.Select(p => p.Key))}].");
                }
                if (schema.TryGetProperty("properties", out var props))
                    foreach (var p in props.EnumerateObject())
                        if (o.TryGetPropertyValue(p.Name, out var child)) ValidateNode(child, p.Value, new PathSegment(path, p.Name, -1), violations);
                return;
            case JsonArray a when Allows(typeEl, "array"):
                if (schema.TryGetProperty("items", out var items))
                    for (var i = 0; i < a.Count; i++) ValidateNode(a[i], items, new PathSegment(path, null, i), violations);
                return;
            case JsonValue v:
                var kind = v.GetValueKind();
                if (kind == JsonValueKind.String && Allows(typeEl, "string"))
                {
                    if (schema.TryGetProperty("enum", out var en))
                    {
                        var text = v.GetValue<string>();
                        var found = false;
                        foreach (var e in en.EnumerateArray()) found |= e.ValueEquals(text);
                        if (!found) violations.Add($"{path}: '{text}' is not one of the allowed values.");
                    }
                    return;
                }
                if (kind is JsonValueKind.True or JsonValueKind.False && Allows(typeEl, "boolean")) return;
                var isNumber = Allows(typeEl, "number");
                if (kind == JsonValueKind.Number && (isNumber || Allows(typeEl, "integer")))
                {
                    var d = v.GetValue<double>();
                    if (!isNumber && Math.Abs(d - Math.Round(d)) > 1e-9)
                        violations.Add($"{path}: {Fmt(d)} is not an integer.");
                    if (schema.TryGetProperty("minimum", out var min) && d < min.GetDouble())
                        violations.Add($"Value {Fmt(d)} is below minimum {Fmt(min.GetDouble())} at {path}.");
                    if (schema.TryGetProperty("maximum", out var max) && d > max.GetDouble())
                        violations.Add($"Value {Fmt(d)} exceeds maximum {Fmt(max.GetDouble())} at {path}.");
                    return;
                }
                violations.Add($"{path}: expected {Kinds(typeEl)}, got {kind.ToString().ToLowerInvariant()}.");
                return;
            default:
                violations.Add($"{path}: expected {Kinds(typeEl)}, got {node.GetValueKind().ToString().ToLowerInvariant()}.");
                return;
        }
    }

    /// <summary>A JSON path built only when a violation is reported (validation runs on every typed output).</summary>
    private sealed class PathSegment(PathSegment? parent, string? name, int index)
    {
        public override string ToString() =>
            parent is null ? name ?? "$" : index >= 0 ? $"{parent}[{index}]" : $"{parent}.{name}";
    }

    private static bool Allows(JsonElement typeEl, string kind)
    {
        if (typeEl.ValueKind == JsonValueKind.String) return typeEl.ValueEquals(kind);
        if (typeEl.ValueKind != JsonValueKind.Array) return false;
        foreach (var k in typeEl.EnumerateArray()) if (k.ValueEquals(kind)) return true;
        return false;
    }

    private static string Kinds(JsonElement typeEl) =>
        typeEl.ValueKind == JsonValueKind.Array ? string.Join(" or ", typeEl.EnumerateArray().Select(e => e.GetString())) : typeEl.GetString() ?? "";

    private static bool IsOptional(JsonElement objectSchema, string property) =>
        objectSchema.TryGetProperty("properties", out var props) && props.TryGetProperty(property, out var p) && p.TryGetProperty("anyOf", out _);

    private static string Fmt(double d) => d.ToString("0.0##############", CultureInfo.InvariantCulture);

    /// <summary>Reads <c>confidence</c> (or <c>_confidence</c>) from a structured output.</summary>
    public static double? ReadConfidence(JsonNode? value)
    {
        if (value is not JsonObject o) return null;
        var c = o["confidence"] ?? o["_confidence"];
        if (c is JsonValue v)
        {
            if (v.TryGetValue<double>(out var d)) return d;
            if (v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d)) return d;
        }
        return null;
    }
}
