using System.Globalization;
using System.Runtime.InteropServices;
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
    private readonly Dictionary<string, Shape> _shapeCache = new(StringComparer.Ordinal);
    // False only while ShapeOf builds the validation schema (under _gate).
    private bool _statingWhere = true;
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
            var element = Json.RuntimeJsonContext.ToElement(node);
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

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (JsonElement Schema, string Text)> CitedCache = new(StringComparer.Ordinal);

    /// <summary>
    /// The output schema of a step that must cite: <paramref name="schema"/> with a required
    /// <c>sources</c> array (at least one citation) beside the value. A type that already declares
    /// <c>sources</c> keeps its own field, and the citation check reads it. Cached per schema text.
    /// </summary>
    public static (JsonElement Schema, string Text) WithCitations(JsonElement schema, string schemaText) =>
        CitedCache.TryGetValue(schemaText, out var cached) ? cached
        : CitedCache.Count >= 1024 ? BuildCited(schema) // bounded: a long-lived host may load many programs
        : CitedCache.GetOrAdd(schemaText, static (_, s) => BuildCited(s), schema);

    private static (JsonElement Schema, string Text) BuildCited(JsonElement s)
    {
        {
            var node = JsonNode.Parse(s.GetRawText())!;
            if (node is JsonObject o && o["properties"] is JsonObject props && !props.ContainsKey(Anchors.AnchorEvaluator.CitationsField))
            {
                props[Anchors.AnchorEvaluator.CitationsField] = new JsonObject
                {
                    ["type"] = "array",
                    ["items"] = Str(),
                    ["minItems"] = 1,
                    ["description"] = "Required: the sources this output is based on, one citation per entry ([n] with the reference, (Author, Year), doi: or a URL).",
                };
                if (o["required"] is JsonArray req) req.Add((JsonNode)Anchors.AnchorEvaluator.CitationsField);
                else o["required"] = new JsonArray(Anchors.AnchorEvaluator.CitationsField);
            }
            var element = Json.RuntimeJsonContext.ToElement(node);
            return (element, element.GetRawText());
        }
    }

    /// <summary>Schema for a flow-level probe: one nullable string per field, plus confidence.</summary>
    public static JsonElement ProbeSchema(IReadOnlyList<string> fields)
    {
        var props = new JsonObject();
        var required = new JsonArray();
        foreach (var f in fields)
        {
            props[f] = new JsonObject { ["type"] = new JsonArray("string", "null") };
            required.Add((JsonNode)f);
        }
        props["confidence"] = Number(0, 1);
        required.Add((JsonNode)"confidence");
        return Json.RuntimeJsonContext.ToElement(Obj(props, required));
    }

    private JsonObject BuildTopLevel(string typeName)
    {
        var (props, required) = ObjectShape(typeName, 0);
        if (_types.TryGetValue(typeName, out var user)) ApplyWhere(user.WhereExpression, props, null);
        if (!props.ContainsKey("confidence"))
        {
            props["confidence"] = Number(0, 1);
            required.Add((JsonNode)"confidence");
        }
        return Obj(props, required);
    }

    private (JsonObject Props, JsonArray Required) ObjectShape(string typeName, int depth)
    {
        var props = new JsonObject();
        // `List<T>`: the final output of a flow declared -> List<T> (see IrProgramReader.WithListResult): an array of T
        // under "items" (a top-level output is an object, as structured-output APIs require).
        if (typeName.StartsWith("List<", StringComparison.Ordinal) && typeName.EndsWith('>'))
        {
            var element = typeName[5..^1];
            props["items"] = Arr(FieldSchema(new TypeReference(element.TrimEnd('?'), "", element.EndsWith('?')), depth + 1));
            return (props, RequiredOf(props));
        }
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
                ApplyWhere(user.WhereExpression, null, n);
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

    /// <summary>
    /// States a <c>where</c> expression's simple bounds in the schema, so a model (and the stub) can meet them:
    /// and-joined clauses <c>field op number</c> become <c>minimum</c>/<c>maximum</c> and <c>field == "text"</c>
    /// an <c>enum</c>. Clauses joined by <c>or</c> are left to validation; validation still checks the whole expression.
    /// </summary>
    private void ApplyWhere(string where, JsonObject? props, JsonObject? scalar)
    {
        if (!_statingWhere || where.Length == 0 || where.Contains(" or ", StringComparison.Ordinal)) return;
        foreach (var clause in where.Split(" and ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var t = clause.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (t.Length != 3) continue;
            var target = scalar is not null ? (t[0] == "value" ? scalar : null) : props![t[0]] as JsonObject;
            if (target is null) continue;
            var kind = target["type"]?.GetValue<string>();
            if (kind is "number" or "integer" && double.TryParse(t[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            {
                // Strict bounds on integers move by one; on numbers the inclusive bound is stated and validation keeps it strict.
                var step = kind == "integer" ? 1 : 0;
                switch (t[1])
                {
                    case ">" or ">=": Tighten(target, "minimum", t[1] == ">" ? n + step : n, Math.Max); break;
                    case "<" or "<=": Tighten(target, "maximum", t[1] == "<" ? n - step : n, Math.Min); break;
                    case "==": target["minimum"] = n; target["maximum"] = n; break;
                }
            }
            else if (kind == "string" && t[1] == "==") target["enum"] = new JsonArray(t[2].Trim('"'));
        }
    }

    private static void Tighten(JsonObject target, string key, double bound, Func<double, double, double> pick) =>
        target[key] = target[key] is JsonValue v && v.TryGetValue<double>(out var old) ? pick(old, bound) : bound;

    private JsonObject ObjectNoConfidence(string name, int depth)
    {
        var (props, required) = ObjectShape(name, depth);
        return Obj(props, required);
    }

    private static JsonArray RequiredOf(JsonObject props)
    {
        var req = new JsonArray();
        foreach (var kv in props) req.Add((JsonNode)kv.Key);
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
        if (IsText(typeName)) return [];
        if (value is not JsonObject)
            return [$"Expected structured output (object) for type '{typeName}', but got {(value is null ? "text" : value.GetValueKind().ToString().ToLowerInvariant())}."];
        // One validator, over JsonElement: a node (from the validate construct or user code) is converted first.
        return Validate(Json.RuntimeJsonContext.ToElement(value), typeName);
    }

    /// <summary>
    /// Validates <paramref name="value"/> against the output type without materialising a
    /// <see cref="JsonNode"/> tree; a valid value allocates nothing. Returns the violations (empty = valid).
    /// </summary>
    public IReadOnlyList<string> Validate(JsonElement value, string typeName)
    {
        if (IsText(typeName)) return [];
        if (value.ValueKind != JsonValueKind.Object)
            return [$"Expected structured output (object) for type '{typeName}', but got {value.ValueKind.ToString().ToLowerInvariant()}."];
        List<string>? violations = null;
        // Epistemic declarations: a subtype is fine, a different epistemic type is excluded.
        var hasDeclared = (value.TryGetProperty("type", out var tv) && tv.ValueKind != JsonValueKind.Null)
            || (value.TryGetProperty("_type", out tv) && tv.ValueKind != JsonValueKind.Null);
        if (hasDeclared && tv.ValueKind == JsonValueKind.String && !tv.ValueEquals(typeName)
            && (EpistemicTypes.Contains(typeName) || _types.ContainsKey(typeName) || BuiltinRanges.ContainsKey(typeName)))
        {
            var declared = tv.GetString()!;
            if (EpistemicTypes.Contains(typeName) && EpistemicTypes.Contains(declared))
            {
                if (!IsEpistemicSubtype(declared, typeName))
                    (violations ??= []).Add($"Epistemic type mismatch: expected '{typeName}' but output declares '{declared}'. These types are mutually exclusive.");
            }
            else if (!EpistemicTypes.Contains(typeName) && _types.TryGetValue(typeName, out var t) && !t.Fields.Any(f => f.Name == "type"))
            {
                (violations ??= []).Add($"Type mismatch: expected '{typeName}' but output declares '{declared}'.");
            }
        }
        // A silent pass first (the common case, no paths or messages built); the reporting pass only for a failure.
        if (ShapeOf(typeName) is { } shape && !Check(value, shape, null, null))
            Check(value, shape, new PathSegment(null, "$", -1), violations ??= []);
        if (violations is null && _types.TryGetValue(typeName, out var user) && user.WhereExpression.Length > 0)
        {
            var result = WhereExpression.Evaluate(user.WhereExpression, JsonObject.Create(value)!);
            if (result == false) (violations ??= []).Add($"Value does not satisfy 'where {user.WhereExpression}'.");
        }
        return violations ?? (IReadOnlyList<string>)[];
    }

    private static bool IsEpistemicSubtype(string child, string parent) => (child, parent) switch
    {
        _ when child == parent => true,
        ("HighConfidenceFact", "CitedFact" or "FactualClaim") => true,
        ("CitedFact", "FactualClaim") => true,
        ("Uncertainty", _) => false,
        _ => false,
    };

    private Shape? ShapeOf(string typeName)
    {
        if (IsText(typeName)) return null;
        lock (_gate)
        {
            if (_shapeCache.TryGetValue(typeName, out var shape)) return shape;
            // Validated without the where bounds stated for the model: the where expression itself is checked (and named) after the shape.
            _statingWhere = false;
            try { shape = Shape.Compile(Json.RuntimeJsonContext.ToElement(BuildTopLevel(typeName))); }
            finally { _statingWhere = true; }
            _shapeCache[typeName] = shape;
            return shape;
        }
    }

    /// <summary>
    /// Checks <paramref name="node"/> against <paramref name="schema"/>. With <paramref name="violations"/>
    /// null it stops at the first problem and allocates nothing; otherwise it reports every problem with its path.
    /// </summary>
    private static bool Check(JsonElement node, Shape schema, PathSegment? path, List<string>? violations)
    {
        if (schema.AnyOf is { } anyOf)
        {
            foreach (var alt in anyOf)
                if (Check(node, alt, null, null)) return true;
            violations?.Add($"{path}: value does not match any allowed shape.");
            return false;
        }
        if (!schema.HasType) return true; // no "type": anything goes
        var kind = node.ValueKind;
        if (kind == JsonValueKind.Null)
        {
            if (schema.Allows(Kind.Null)) return true;
            violations?.Add($"{path}: is null.");
            return false;
        }
        var ok = true;
        switch (kind)
        {
            case JsonValueKind.Object when schema.Allows(Kind.Object):
                if (FirstDuplicate(node) is { } duplicate)
                {
                    if (violations is null) return false;
                    violations.Add($"{path}: property '{duplicate}' appears more than once.");
                    ok = false;
                }
                List<string>? missing = null;
                foreach (var name in schema.Required)
                {
                    if (node.TryGetProperty(name, out _)) continue;
                    if (violations is null) return false;
                    (missing ??= []).Add(name);
                }
                if (missing is not null)
                {
                    ok = false;
                    violations!.Add($"Missing required fields: [{string.Join(", ", missing)}] at {path}. Present fields: [{string.Join(", ", node.EnumerateObject().Select(p => p.Name))}].");
                }
                foreach (var (name, shape) in schema.Properties)
                    if (node.TryGetProperty(name, out var child) && !Check(child, shape, violations is null ? null : new PathSegment(path, name, -1), violations))
                    {
                        if (violations is null) return false;
                        ok = false;
                    }
                return ok;
            case JsonValueKind.Array when schema.Allows(Kind.Array):
                if (schema.Items is { } items)
                {
                    var i = 0;
                    foreach (var item in node.EnumerateArray())
                    {
                        if (!Check(item, items, violations is null ? null : new PathSegment(path, null, i), violations))
                        {
                            if (violations is null) return false;
                            ok = false;
                        }
                        i++;
                    }
                }
                return ok;
            case JsonValueKind.String when schema.Allows(Kind.String):
                if (schema.Enum is { } allowed)
                {
                    var found = false;
                    foreach (var e in allowed) found |= node.ValueEquals(e);
                    if (!found)
                    {
                        violations?.Add($"{path}: '{node.GetString()}' is not one of the allowed values.");
                        return false;
                    }
                }
                return true;
            case JsonValueKind.True or JsonValueKind.False when schema.Allows(Kind.Boolean):
                return true;
            case JsonValueKind.Number when schema.Allows(Kind.Number) || schema.Allows(Kind.Integer):
                var d = node.GetDouble();
                if (!schema.Allows(Kind.Number) && Math.Abs(d - Math.Round(d)) > 1e-9)
                {
                    if (violations is null) return false;
                    violations.Add($"{path}: {Fmt(d)} is not an integer.");
                    ok = false;
                }
                if (schema.Minimum is { } min && d < min)
                {
                    if (violations is null) return false;
                    violations.Add($"Value {Fmt(d)} is below minimum {Fmt(min)} at {path}.");
                    ok = false;
                }
                if (schema.Maximum is { } max && d > max)
                {
                    violations?.Add($"Value {Fmt(d)} exceeds maximum {Fmt(max)} at {path}.");
                    ok = false;
                }
                return ok;
            default:
                violations?.Add($"{path}: expected {schema.KindsText}, got {kind.ToString().ToLowerInvariant()}.");
                return false;
        }
    }

    /// <summary>
    /// The first property name that appears twice in <paramref name="obj"/>, or null. The parser keeps
    /// duplicates, but a <see cref="JsonObject"/> over them throws when read, so such output is invalid.
    /// Allocates only for a duplicate, or for names written with escapes.
    /// </summary>
    private static string? FirstDuplicate(JsonElement obj)
    {
        var i = 0;
        foreach (var p in obj.EnumerateObject())
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(p);
            var escaped = raw.IndexOf((byte)'\\') >= 0;
            var j = 0;
            foreach (var q in obj.EnumerateObject())
            {
                if (j++ == i) break;
                if (escaped ? q.NameEquals(p.Name) : q.NameEquals(raw)) return p.Name;
            }
            i++;
        }
        return null;
    }

    /// <summary>A JSON path built only when a violation is reported.</summary>
    private sealed class PathSegment(PathSegment? parent, string? name, int index)
    {
        public override string ToString() =>
            parent is null ? name ?? "$" : index >= 0 ? $"{parent}[{index}]" : $"{parent}.{name}";
    }

    [Flags]
    private enum Kind
    {
        None = 0, Null = 1, Object = 2, Array = 4, String = 8, Number = 16, Integer = 32, Boolean = 64,
    }

    /// <summary>
    /// A JSON schema compiled once per output type: checking a value then needs no schema look-ups
    /// and no property-name strings.
    /// </summary>
    private sealed class Shape
    {
        public Shape[]? AnyOf { get; private init; }
        public bool HasType { get; private init; }
        public Kind Kinds { get; private init; }
        public string KindsText { get; private init; } = "";
        /// <summary>Required properties that are not optional (an <c>anyOf</c> property may be left out).</summary>
        public string[] Required { get; private init; } = [];
        public (string Name, Shape Shape)[] Properties { get; private init; } = [];
        public Shape? Items { get; private init; }
        public string[]? Enum { get; private init; }
        public double? Minimum { get; private init; }
        public double? Maximum { get; private init; }

        public bool Allows(Kind kind) => (Kinds & kind) != 0;

        public static Shape Compile(JsonElement schema)
        {
            if (schema.TryGetProperty("anyOf", out var anyOf))
                return new Shape { AnyOf = anyOf.EnumerateArray().Select(Compile).ToArray() };
            if (!schema.TryGetProperty("type", out var typeEl)) return new Shape();
            var names = typeEl.ValueKind == JsonValueKind.Array
                ? typeEl.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
                : typeEl.ValueKind == JsonValueKind.String ? [typeEl.GetString()!] : [];
            var kinds = Kind.None;
            foreach (var n in names)
                kinds |= n switch
                {
                    "null" => Kind.Null, "object" => Kind.Object, "array" => Kind.Array, "string" => Kind.String,
                    "number" => Kind.Number, "integer" => Kind.Integer, "boolean" => Kind.Boolean, _ => Kind.None,
                };
            var properties = new List<(string, Shape)>();
            var optional = new HashSet<string>(StringComparer.Ordinal);
            if (schema.TryGetProperty("properties", out var props))
                foreach (var p in props.EnumerateObject())
                {
                    properties.Add((p.Name, Compile(p.Value)));
                    if (p.Value.TryGetProperty("anyOf", out _)) optional.Add(p.Name);
                }
            var required = schema.TryGetProperty("required", out var req)
                ? req.EnumerateArray().Select(r => r.GetString()!).Where(r => !optional.Contains(r)).ToArray()
                : [];
            return new Shape
            {
                HasType = true,
                Kinds = kinds,
                KindsText = string.Join(" or ", names),
                Required = required,
                Properties = [.. properties],
                Items = schema.TryGetProperty("items", out var items) ? Compile(items) : null,
                Enum = schema.TryGetProperty("enum", out var en) ? en.EnumerateArray().Select(e => e.GetString()!).ToArray() : null,
                Minimum = schema.TryGetProperty("minimum", out var min) ? min.GetDouble() : null,
                Maximum = schema.TryGetProperty("maximum", out var max) ? max.GetDouble() : null,
            };
        }
    }

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

    /// <summary>Reads <c>confidence</c> (or <c>_confidence</c>) from a structured output, without building nodes.</summary>
    public static double? ReadConfidence(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object) return null;
        if (!(value.TryGetProperty("confidence", out var c) && c.ValueKind != JsonValueKind.Null)
            && !value.TryGetProperty("_confidence", out c)) return null;
        return c.ValueKind switch
        {
            JsonValueKind.Number when c.TryGetDouble(out var d) => d,
            JsonValueKind.String when double.TryParse(c.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
    }
}
