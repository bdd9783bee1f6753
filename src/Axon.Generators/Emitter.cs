using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Axon.Language.IR;
using Axon.Language.Semantics;
using Microsoft.CodeAnalysis;

namespace Axon.Generators;

/// <summary>Writes the C# of one <c>.axon</c> file from its IR.</summary>
internal sealed class Emitter
{
    private const string Sem = "__AxS";
    private const string Json = "__AxJ.JsonElement";
    private const string GeneratedCode = "[__AxSys.CodeDom.Compiler.GeneratedCode(\"Axon.Generators\", \"" + Version + "\")]";

    /// <summary>The generator version written into <c>[GeneratedCode]</c>.</summary>
    public const string Version = "0.1.0";

    private static readonly HashSet<string> SemanticTypes = new(StringComparer.Ordinal)
    {
        "FactualClaim", "Opinion", "Speculation", "Uncertainty", "Document", "Chunk", "EntityMap", "Summary", "Translation",
        "RiskScore", "ConfidenceScore", "SentimentScore", "ReasoningChain", "Contradiction", "StructuredReport", "CitedFact", "HighConfidenceFact",
    };

    // Members every record has; a field with one of these names is renamed (CS0102).
    private static readonly string[] RecordMembers = { "EqualityContract", "Equals", "GetHashCode", "ToString", "GetType", "Deconstruct", "PrintMembers", "MemberwiseClone", "Finalize", "Clone", "FromJson", "ToJson" };

    private static readonly string[] Aliases =
    {
        "using __AxSys = global::System;",
        "using __AxT = global::System.Threading.Tasks;",
        "using __AxG = global::System.Collections.Generic;",
        "using __AxJ = global::System.Text.Json;",
        "using __AxE = global::Axon.Runtime.Execution;",
        "using __AxM = global::Axon.Runtime.Model;",
        "using __AxS = global::Axon.Runtime.SemanticTypes;",
    };

    private static readonly Regex Position = new("\"source_line\":( ?)(\\d+),(\\s*)\"source_column\": ?(\\d+)", RegexOptions.CultureInvariant);

    private readonly IrProgram _ir;
    private readonly string _path;
    private readonly string _fileName;
    private readonly GeneratorOptions _options;
    private readonly SourceMap _map;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly HashSet<string> _declaredTypes;
    private readonly IReadOnlyList<IrFlow> _brokenFlows;
    private readonly StringBuilder _sb = new();
    private int _indent;

    private Emitter(IrProgram ir, string path, string text, GeneratorOptions options, List<DiagnosticInfo> diagnostics, IReadOnlyList<IrFlow> brokenFlows)
    {
        _brokenFlows = brokenFlows;
        _ir = ir;
        _path = path;
        _fileName = System.IO.Path.GetFileName(path);
        _options = options;
        _map = new SourceMap(text);
        _diagnostics = diagnostics;
        _declaredTypes = new HashSet<string>(ir.Types.Select(t => t.Name), StringComparer.Ordinal);
    }

    /// <summary>The program class name for a file: <c>contract_analyzer.axon</c> → <c>ContractAnalyzerAxon</c>.</summary>
    public static string ProgramClassName(string path) => Names.Pascal(System.IO.Path.GetFileNameWithoutExtension(path)) + "Axon";

    /// <summary>A hint name unique per project-relative path.</summary>
    public static string HintName(string path, string projectDirectory)
    {
        var rel = path;
        if (projectDirectory.Length > 0 && path.StartsWith(projectDirectory, StringComparison.OrdinalIgnoreCase))
            rel = path.Substring(projectDirectory.Length);
        else
            rel = System.IO.Path.GetFileName(path);
        var sb = new StringBuilder(rel.Length + 5);
        foreach (var c in rel.TrimStart('/', '\\')) sb.Append(char.IsLetterOrDigit(c) && c < 128 || c == '.' || c == '-' ? c : '_');
        return sb + ".g.cs";
    }

    /// <summary>Emits the file; adds generator diagnostics (unknown types, renames) to <paramref name="diagnostics"/>.</summary>
    /// <remarks>Flows in <paramref name="brokenFlows"/> (flows of the file that have errors) get their signature and methods that throw.</remarks>
    public static (string Source, string[] FlowClasses) Emit(IrProgram ir, string path, string text, GeneratorOptions options, List<DiagnosticInfo> diagnostics,
        IReadOnlyList<IrFlow>? brokenFlows = null)
    {
        var e = new Emitter(ir, path, text, options, diagnostics, brokenFlows ?? Array.Empty<IrFlow>());
        e.Write();
        var ns = options.Namespace;
        return (e._sb.ToString(), ir.Flows.Concat(e._brokenFlows).Select(f => "global::" + ns + "." + Names.Identifier(f.Name + "Flow")).ToArray());
    }

    /// <summary>
    /// The IR JSON with positions replaced by their order (1, 2, 3… on column 1): the runtime only uses
    /// positions to order steps, and position-free code means whitespace and comment edits regenerate nothing.
    /// </summary>
    public static string OrderPositions(string json)
    {
        // The first match is the program node, always at 1:1; ranking it with the rest would make a
        // declaration that starts at 1:1 (or not) shift every other rank.
        var matches = Position.Matches(json);
        var keys = new SortedSet<long>();
        for (var i = 1; i < matches.Count; i++) keys.Add(Key(matches[i]));
        var rank = new Dictionary<long, int>();
        foreach (var k in keys) rank[k] = rank.Count + 1;
        var first = true;
        return Position.Replace(json, m =>
        {
            var line = first ? 1 : rank[Key(m)];
            first = false;
            var space = m.Groups[1].Value;
            return "\"source_line\":" + space + line.ToString(CultureInfo.InvariantCulture) + "," + m.Groups[3].Value + "\"source_column\":" + space + "1";
        });

        static long Key(Match m) =>
            long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) * 1_000_000 + long.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture);
    }

    private string ProgramClass => ProgramClassName(_path);

    private void Write()
    {
        Line("// <auto-generated/>");
        Line("// Generated by Axon.Generators from " + _fileName + ". Do not edit: change the .axon file instead.");
        Line("#nullable enable");
        Line("#pragma warning disable CS1591, CS0618");
        Line();
        Line("namespace " + _options.Namespace);
        Open();
        // Short names for what the generated code uses, local to this namespace block (they were a fifth of its bytes).
        // The __Ax prefix keeps them clear of AXON and C# names; a type of that name in the namespace would be CS0576.
        foreach (var alias in Aliases) Line(alias);
        Line();
        foreach (var t in _ir.Types) WriteType(t);
        foreach (var f in _ir.Flows) WriteFlow(f);
        foreach (var f in _brokenFlows) WriteFlow(f, broken: true);
        WriteProgram();
        Close();
    }

    // ---- types ----

    private void WriteType(IrType t)
    {
        var name = Names.Identifier(t.Name);
        if (t.Fields.Count == 0 && (t.RangeMin is not null || t.RangeMax is not null))
        {
            WriteRanged(t, name);
            return;
        }
        Doc($"AXON type <c>{Names.Xml(t.Name)}</c> from {Names.Xml(_fileName)}." + (t.WhereExpression.Length > 0 ? $" Constraint: <c>where {Names.Xml(t.WhereExpression)}</c> (checked by the runtime)." : ""));
        Line(GeneratedCode);
        // Records read and write their own JSON (FromJson/ToJson), so flows need no System.Text.Json reflection: trim- and
        // NativeAOT-safe. The converter makes JsonSerializer use the same code.
        Line($"[__AxJ.Serialization.JsonConverter(typeof({Sem}.AxonSemanticJsonConverter<{name}>))]");
        var jsonValue = $"{Sem}.IAxonJsonValue<{name}>";
        if (t.Fields.Count == 0)
        {
            Line($"public sealed partial record {name} : {jsonValue}");
            Open();
            WriteJsonMembers(name, t.Name, Array.Empty<(IrTypeField, string)>());
            Close();
            Line();
            return;
        }
        Line($"public sealed partial record {name}(");
        _indent++;
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var reserved = new List<string>(RecordMembers) { name };
        var props = new List<(IrTypeField Field, string Property)>();
        for (var i = 0; i < t.Fields.Count; i++)
        {
            var f = t.Fields[i];
            var prop = Names.Unique(Names.Identifier(Names.Pascal(f.Name)), taken, reserved, "Value");
            if (prop != Names.Identifier(Names.Pascal(f.Name)))
                Report("AXN3004", "Name changed", $"Field '{f.Name}' of type '{t.Name}' is generated as property '{prop.TrimStart('@')}' to stay a valid, unique C# member.", DiagnosticSeverity.Warning, f.SourceLine, f.SourceColumn, f.Name.Length);
            var type = MapType(f.TypeName, f.GenericParam, f.Optional, f.SourceLine, f.SourceColumn, $"field '{f.Name}'");
            // No [JsonPropertyName]: the type's converter (FromJson/ToJson, which name every field) is what
            // System.Text.Json uses for it, so the attribute was a sixth of a record's bytes and read by nothing.
            Line($"{type} {prop}" + (i < t.Fields.Count - 1 ? "," : $") : {jsonValue}"));
            props.Add((f, prop));
        }
        _indent--;
        Open();
        WriteJsonMembers(name, t.Name, props);
        Close();
        Line();
    }

    private void WriteJsonMembers(string name, string axonName, IReadOnlyList<(IrTypeField Field, string Property)> props)
    {
        Doc($"Reads a <c>{Names.Xml(axonName)}</c> from its JSON object without reflection; null for JSON null.");
        Line($"public static {name} FromJson(__AxJ.Nodes.JsonNode? json)");
        Open();
        Line($"var o = {Sem}.AxonJson.Object(json, {Names.Literal(axonName)});");
        if (props.Count == 0) Line($"return o is null ? null! : new {name}();");
        else
        {
            Line($"return o is null ? null! : new {name}(");
            _indent++;
            for (var i = 0; i < props.Count; i++)
            {
                var f = props[i].Field;
                var field = $"{Sem}.AxonJson.Field(o, {Names.Literal(f.Name)})";
                Line(ReadExpression(f.TypeName, f.GenericParam, f.Optional, field, 0) + (i < props.Count - 1 ? "," : ");"));
            }
            _indent--;
        }
        Close();
        Line();
        Doc("The value as its JSON object.");
        if (props.Count == 0)
        {
            Line("public __AxJ.Nodes.JsonNode ToJson() => new __AxJ.Nodes.JsonObject();");
            return;
        }
        Line("public __AxJ.Nodes.JsonNode ToJson() => new __AxJ.Nodes.JsonObject");
        Open();
        foreach (var (f, prop) in props)
            Line($"[{Names.Literal(f.Name)}] = {WriteExpression(f.TypeName, f.GenericParam, f.Optional, prop, 0)},");
        _indent--;
        Line("};");
    }

    // How a mapped type reads and writes JSON; mirrors MapType (without its diagnostics).
    private enum JsonKind { String, Int64, Double, Boolean, Element, Value, Ranged, List }

    private static readonly HashSet<string> RangedSemanticTypes = new(StringComparer.Ordinal) { "RiskScore", "ConfidenceScore", "SentimentScore" };

    private (JsonKind Kind, string Type) KindOf(string name)
    {
        if (name.Length == 0) return (JsonKind.String, "string");
        if (_declaredTypes.Contains(name))
        {
            var declared = _ir.Types.First(t => t.Name == name);
            var ranged = declared.Fields.Count == 0 && (declared.RangeMin is not null || declared.RangeMax is not null);
            return (ranged ? JsonKind.Ranged : JsonKind.Value, "global::" + _options.Namespace + "." + Names.Identifier(name));
        }
        switch (name)
        {
            case "String": case "Duration": return (JsonKind.String, "string");
            case "Integer": return (JsonKind.Int64, "long");
            case "Float": return (JsonKind.Double, "double");
            case "Boolean": return (JsonKind.Boolean, "bool");
            case "List": return (JsonKind.List, "");
            default:
                if (SemanticTypes.Contains(name)) return (RangedSemanticTypes.Contains(name) ? JsonKind.Ranged : JsonKind.Value, Sem + "." + name);
                return (JsonKind.Element, Json);
        }
    }

    /// <summary>A C# expression reading the JSON node <paramref name="node"/> as the mapped type (see <c>AxonJson</c>).</summary>
    private string ReadExpression(string name, string generic, bool optional, string node, int depth)
    {
        var (kind, type) = KindOf(name);
        var item = "item" + depth.ToString(CultureInfo.InvariantCulture);
        var read = kind switch
        {
            JsonKind.String => $"{Sem}.AxonJson.String({{0}})",
            JsonKind.Int64 => $"{Sem}.AxonJson.Int64({{0}})",
            JsonKind.Double => $"{Sem}.AxonJson.Double({{0}})",
            JsonKind.Boolean => $"{Sem}.AxonJson.Boolean({{0}})",
            JsonKind.Element => $"{Sem}.AxonJson.Element({{0}})",
            JsonKind.Value => $"{Sem}.AxonJson.Value<{type}>({{0}})",
            JsonKind.Ranged => $"{Sem}.AxonJson.Ranged<{type}>({{0}})",
            _ => $"{Sem}.AxonJson.List({{0}}, static {item} => "
                + (generic.Length == 0 ? $"{Sem}.AxonJson.String({item})" : ReadExpression(generic.TrimEnd('?'), "", generic.EndsWith("?", StringComparison.Ordinal), item, depth + 1))
                + ")",
        };
        // Reference types read JSON null as null; an optional value type (long?, a ranged struct?) says so explicitly.
        if (optional && kind is not (JsonKind.String or JsonKind.Value or JsonKind.List))
            return $"{Sem}.AxonJson.Optional({node}, static {item} => {string.Format(CultureInfo.InvariantCulture, read, item)})";
        return string.Format(CultureInfo.InvariantCulture, read, node);
    }

    /// <summary>A C# expression writing <paramref name="value"/> of the mapped type as a JSON node.</summary>
    private string WriteExpression(string name, string generic, bool optional, string value, int depth)
    {
        var (kind, _) = KindOf(name);
        var item = "item" + depth.ToString(CultureInfo.InvariantCulture);
        return kind switch
        {
            // Implicit conversions to JsonNode (null stays null).
            JsonKind.String or JsonKind.Int64 or JsonKind.Double or JsonKind.Boolean => value,
            JsonKind.Element => $"{Sem}.AxonJson.FromElement({value})",
            JsonKind.Value => $"{value}?.ToJson()",
            JsonKind.Ranged => optional ? $"{value}?.Value" : $"{value}.Value",
            _ => $"{Sem}.AxonJson.Array({value}, static {item} => "
                + (generic.Length == 0 ? item : WriteExpression(generic.TrimEnd('?'), "", generic.EndsWith("?", StringComparison.Ordinal), item, depth + 1))
                + ")",
        };
    }

    private void WriteRanged(IrType t, string name)
    {
        var min = Number(t.RangeMin ?? double.MinValue);
        var max = Number(t.RangeMax ?? double.MaxValue);
        Doc($"AXON ranged type <c>{Names.Xml(t.Name)}</c> ({Names.Xml(Range(t))}) from {Names.Xml(_fileName)}: a number validated against its range.");
        Line(GeneratedCode);
        Line($"[__AxJ.Serialization.JsonConverter(typeof({Sem}.AxonRangedValueConverter<{name}>))]");
        Line($"public readonly partial record struct {name} : {Sem}.IAxonRangedValue<{name}>");
        Open();
        Doc("Lowest allowed value."); Line($"public const double Min = {min};");
        Doc("Highest allowed value."); Line($"public const double Max = {max};");
        Line();
        Doc($"Creates a value; throws <see cref=\"__AxSys.ArgumentOutOfRangeException\"/> outside {Names.Xml(Range(t))}.");
        Line($"public {name}(double value)");
        Open();
        Line("if (!(value >= Min && value <= Max))");
        Line($"    throw new __AxSys.ArgumentOutOfRangeException(nameof(value), value, {Names.Literal($"{t.Name} must be within {Range(t)}.")});");
        Line("Value = value;");
        Close();
        Line();
        Doc("The number."); Line("public double Value { get; }");
        Line();
        Doc("Creates a value; throws outside the range."); Line($"public static {name} FromValue(double value) => new(value);");
        Line();
        Doc("The number."); Line($"public static implicit operator double({name} value) => value.Value;");
        Line();
        Doc("Validates a number."); Line($"public static explicit operator {name}(double value) => new(value);");
        Line();
        Doc("The number, invariant culture."); Line("public override string ToString() => Value.ToString(__AxSys.Globalization.CultureInfo.InvariantCulture);");
        Close();
        Line();
    }

    private static string Range(IrType t) =>
        (t.RangeMin is { } lo ? lo.ToString("R", CultureInfo.InvariantCulture) : "") + ".." + (t.RangeMax is { } hi ? hi.ToString("R", CultureInfo.InvariantCulture) : "");

    private static string Number(double d)
    {
        if (d == double.MinValue) return "double.MinValue";
        if (d == double.MaxValue) return "double.MaxValue";
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? s : s + ".0";
    }

    /// <summary>The C# type of an AXON type reference; undeclared names become JsonElement with a warning.</summary>
    private string MapType(string name, string generic, bool optional, int line, int column, string what)
    {
        string core;
        if (name.Length == 0) core = "string";
        else if (_declaredTypes.Contains(name)) core = "global::" + _options.Namespace + "." + Names.Identifier(name);
        else
        {
            switch (name)
            {
                case "String": case "Duration": core = "string"; break;
                case "Integer": core = "long"; break;
                case "Float": core = "double"; break;
                case "Boolean": core = "bool"; break;
                case "Any": case "Never": core = Json; break;
                case "List":
                    var inner = generic.Length == 0 ? "string" : MapType(generic.TrimEnd('?'), "", generic.EndsWith("?", StringComparison.Ordinal), line, column, what);
                    core = "__AxG.IReadOnlyList<" + inner + ">";
                    break;
                default:
                    if (SemanticTypes.Contains(name)) core = Sem + "." + name;
                    else
                    {
                        core = Json;
                        Report("AXN3002", "Undeclared type", $"Type '{name}' of {what} is neither declared in {_fileName} nor built in; it is generated as System.Text.Json.JsonElement.",
                            DiagnosticSeverity.Warning, line, column, 0);
                    }
                    break;
            }
        }
        return optional ? core + "?" : core;
    }

    // ---- flows ----

    private sealed record Param(string AxonName, string CsName, string Type, string NullableType);

    private void WriteFlow(IrFlow f, bool broken = false)
    {
        var cls = Names.Identifier(f.Name + "Flow");
        var result = MapType(f.ReturnTypeName, f.ReturnTypeGeneric, f.ReturnTypeOptional, f.SourceLine, f.SourceColumn, $"the result of flow '{f.Name}'");
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var reserved = new[] { "options", "cancellationToken", "run" };
        var ps = new List<Param>();
        foreach (var p in f.Parameters)
        {
            var cs = Names.Unique(Names.Camel(p.Name), taken, reserved, "Value");
            if (cs != Names.Camel(p.Name))
                Report("AXN3004", "Name changed", $"Parameter '{p.Name}' of flow '{f.Name}' is generated as '{cs.TrimStart('@')}' to stay a valid, unique C# parameter.", DiagnosticSeverity.Warning, p.SourceLine, p.SourceColumn, p.Name.Length);
            var type = MapType(p.TypeName, p.GenericParam, p.Optional, p.SourceLine, p.SourceColumn, $"parameter '{p.Name}'");
            ps.Add(new Param(p.Name, cs, type, type.EndsWith("?", StringComparison.Ordinal) ? type : type + "?"));
        }
        var signature = string.Concat(ps.Select(p => p.Type + " " + p.CsName + ", "));
        var optionalSignature = string.Concat(ps.Select(p => p.NullableType + " " + p.CsName + " = null, "));
        var args = string.Concat(ps.Select(p => p.CsName + ", "));
        var tail = $"__AxE.AxonRunOptions? options = null, __AxSys.Threading.CancellationToken cancellationToken = default";
        var details = $"{Sem}.AxonFlowResult<{result}>";
        var runType = $"{Sem}.AxonRun<{cls}>";
        var header = $"flow {f.Name}({string.Join(", ", f.Parameters.Select(p => p.Name + ": " + TypeText(p.TypeName, p.GenericParam, p.Optional)))})"
            + (f.ReturnTypeName.Length > 0 ? " -> " + TypeText(f.ReturnTypeName, f.ReturnTypeGeneric, f.ReturnTypeOptional) : "");

        Doc($"AXON <c>{Names.Xml(header)}</c> from {Names.Xml(_fileName)}" + (f.EpistemicMode.Length > 0 ? $", in a <c>{f.EpistemicMode}</c> block" : "") + ".");
        Line(GeneratedCode);
        // Running, streaming and the runtime live in the AxonFlow<T> base, compiled once in Axon.Runtime: here only the
        // flow's own signature, which hands its arguments on. Each generated flow was two async state machines and
        // a field, property and their docs more (a fifth of a flow class's bytes, and compile time for every flow).
        Line($"public sealed partial class {cls} : {Sem}.AxonFlow<{result}>, {Sem}.IAxonFlow");
        Open();
        Doc("Creates the flow on a runtime (its options choose the chat client, backend, tools, stores and tracing).");
        Line($"public {cls}(__AxE.AxonRuntime runtime) : base(runtime, ReadResult) {{ }}");
        Line();
        Doc($"Creates the flow on a chat client, with the backend the project was built for (<c>{Names.Xml(_options.Backend)}</c>).");
        Line($"public {cls}(global::Microsoft.Extensions.AI.IChatClient chatClient)");
        Line($"    : this({Sem}.AxonGeneratedCode.CreateRuntime(chatClient, {ProgramClass}.Backend)) {{ }}");
        Line();
        // A flow with errors keeps its signature, so C# that calls it still compiles; every use of it throws.
        var fail = $"throw new __AxSys.InvalidOperationException({Names.Literal($"AXON flow '{f.Name}' in {_fileName} has errors (see the AXN diagnostics of the build) and was not generated.")})";
        Doc(broken ? "The flow's runtime model. This flow has errors in the .axon file: using it throws." : "The flow's runtime model.");
        Line(broken
            ? $"public static __AxM.FlowDefinition Definition => {fail};"
            : $"public static __AxM.FlowDefinition Definition => {ProgramClass}.Program.Flows[{_ir.Flows.ToList().IndexOf(f)}];");
        Line();
        // Summaries only: the parameters are the flow's own (named as in the .axon file), options and cancellation as
        // everywhere; one <param> line per parameter and method was a third of a flow class's bytes.
        var call = $"Arguments({args.TrimEnd(',', ' ')}), options, cancellationToken)";
        var ofRun = "(run ?? throw new __AxSys.ArgumentNullException(nameof(run))).Definition";
        Doc($"Runs the flow and returns its result. Throws <see cref=\"__AxE.AxonRunFailedException\"/> when it fails and <see cref=\"{Sem}.AxonFlowSuspendedException\"/> when it hibernates.");
        Line($"public __AxT.Task<{result}> RunAsync({signature}{tail}) =>");
        Line($"    RunCoreAsync(new __AxM.RunDefinition(Definition), {call};");
        Line();
        Doc("Runs the flow and returns its result with the run's details (steps, usage, cost, continuation).");
        Line($"public __AxT.Task<{details}> RunWithDetailsAsync({signature}{tail}) =>");
        Line($"    RunWithDetailsCoreAsync(new __AxM.RunDefinition(Definition), {call};");
        Line();
        Doc($"Runs the flow and streams its progress: step started, text as the model writes it, anchor verdicts, step completed, and last <see cref=\"__AxE.AxonRunCompleted{{T}}\"/> with the typed result. Stopping the enumeration cancels the run.");
        Line($"public __AxG.IAsyncEnumerable<__AxE.AxonRunUpdate> StreamAsync({signature}{tail}) =>");
        Line($"    StreamCoreAsync(new __AxM.RunDefinition(Definition), {call};");
        Line();
        Doc("Executes a <c>run</c> of this flow (its persona, context, anchors, effort, on_failure, output_to) and returns its result; a null argument keeps the run's own.");
        Line($"public __AxT.Task<{result}> RunAsync({runType} run, {optionalSignature}{tail}) =>");
        Line($"    RunCoreAsync({ofRun}, {call};");
        Line();
        Doc("Executes a <c>run</c> of this flow and returns its result with the run's details; a null argument keeps the run's own.");
        Line($"public __AxT.Task<{details}> RunWithDetailsAsync({runType} run, {optionalSignature}{tail}) =>");
        Line($"    RunWithDetailsCoreAsync({ofRun}, {call};");
        Line();
        Doc("Reads the flow's result from its JSON output without reflection (trim- and NativeAOT-safe).");
        Line($"private static {result} ReadResult(__AxJ.Nodes.JsonNode? json) => {ReadExpression(f.ReturnTypeName, f.ReturnTypeGeneric, f.ReturnTypeOptional, "json", 0)};");
        Line();
        // Null arguments are left out so a run's own arguments (or an optional parameter's absence) apply.
        Line($"private static __AxG.Dictionary<string, object?> Arguments({string.Join(", ", ps.Select(p => p.NullableType + " " + p.CsName))})");
        Open();
        Line($"var arguments = new __AxG.Dictionary<string, object?>({ps.Count}, __AxSys.StringComparer.Ordinal);");
        foreach (var p in ps) Line($"if ({p.CsName} is not null) arguments[{Names.Literal(p.AxonName)}] = {p.CsName};");
        Line("return arguments;");
        Close();
        Close();
        Line();
    }

    private static string TypeText(string name, string generic, bool optional) => name + (generic.Length > 0 ? "<" + generic + ">" : "") + (optional ? "?" : "");

    // ---- the program class ----

    private void WriteProgram()
    {
        var json = OrderPositions(IrJson.WriteCompact(_ir, _fileName, _options.Backend, Language.AxonCompiler.LanguageVersion));
        Doc($"The declarations of {Names.Xml(_fileName)} as runtime definitions, built once from the file's IR.");
        Line(GeneratedCode);
        Line($"public static partial class {ProgramClass}");
        Open();
        Doc("The source file name."); Line($"public const string SourceFile = {Names.Literal(_fileName)};");
        Doc("The backend the project was built for (<c>AxonBackend</c>)."); Line($"public const string Backend = {Names.Literal(_options.Backend)};");
        // A UTF-8 literal is stored as data, not in the assembly's user-string heap, so a large file cannot hit CS8103.
        // A raw literal: JSON's quotes need no escaping (a verbatim literal doubled every one of them).
        Doc("The file's compact IR JSON as UTF-8 (defaults and resolved copies left out; positions are order keys: 1, 2, 3…)."); Line($"public static __AxSys.ReadOnlySpan<byte> IrJsonUtf8 => {Names.Raw(json)}u8;");
        Doc("The file's IR JSON."); Line("public static string IrJson => __AxSys.Text.Encoding.UTF8.GetString(IrJsonUtf8);");
        Line();
        Line($"private static readonly __AxSys.Lazy<__AxM.AxonProgram> s_program = new(Load);");
        Line();
        Doc("The whole program (built on first use)."); Line($"public static __AxM.AxonProgram Program => s_program.Value;");
        Line();
        Line($"private static __AxM.AxonProgram Load()");
        Open();
        Line($"var program = __AxM.IrProgramReader.Read(IrJson);");
        foreach (var f in _ir.Flows.Where(f => f.EpistemicMode.Length > 0))
            Line($"program = {Sem}.AxonGeneratedCode.WithEpistemicMode(program, {Names.Literal(f.Name)}, __AxM.EpistemicMode.{Names.Pascal(f.EpistemicMode)});");
        Line("return program;");
        Close();
        Section("Personas", "persona", $"__AxM.PersonaDefinition", _ir.Personas.Select(p => p.Name).ToList(), "Personas");
        Section("Contexts", "context", $"__AxM.ContextDefinition", _ir.Contexts.Select(p => p.Name).ToList(), "Contexts");
        Section("Anchors", "anchor", $"__AxM.AnchorDefinition", _ir.Anchors.Select(p => p.Name).ToList(), "Anchors");
        Section("Tools", "tool", $"__AxM.ToolDefinition", _ir.Tools.Select(p => p.Name).ToList(), "Tools");
        Section("Memories", "memory", $"__AxM.MemoryDefinition", _ir.Memories.Select(p => p.Name).ToList(), "Memories");
        Section("Types", "type", $"__AxM.TypeDefinition", _ir.Types.Select(p => p.Name).ToList(), "Types");
        Section("Flows", "flow", $"__AxM.FlowDefinition", _ir.Flows.Select(p => p.Name).ToList(), "Flows");
        if (_ir.Runs.Count > 0)
        {
            Line();
            Doc($"The <c>run</c> statements of {Names.Xml(_fileName)}, ready to execute with their persona, context, anchors, effort, on_failure and output_to.");
            Line("public static class Runs");
            Open();
            var taken = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < _ir.Runs.Count; i++)
            {
                var r = _ir.Runs[i];
                var name = Names.Unique(Names.Identifier(r.FlowName), taken, new[] { "Runs" }, "Run");
                var text = $"run {r.FlowName}({string.Join(", ", r.Arguments)})" + (r.PersonaName.Length > 0 ? " as " + r.PersonaName : "")
                    + (r.ContextName.Length > 0 ? " within " + r.ContextName : "") + (r.AnchorNames.Count > 0 ? " constrained_by [" + string.Join(", ", r.AnchorNames) + "]" : "")
                    + (r.OnFailure.Length > 0 ? " on_failure: " + r.OnFailure : "") + (r.OutputTo.Length > 0 ? " output_to: \"" + r.OutputTo + "\"" : "")
                    + (r.Effort.Length > 0 ? " effort: " + r.Effort : "");
                var cls = Names.Identifier(r.FlowName + "Flow");
                Doc($"<c>{Names.Xml(text)}</c>");
                Line($"public static {Sem}.AxonRun<{cls}> {name} {{ get; }} = new(Program.Runs[{i}]);");
            }
            Close();
        }
        Close();
    }

    private void Section(string cls, string kind, string type, List<string> names, string reservedName)
    {
        if (names.Count == 0) return;
        Line();
        Doc($"The <c>{kind}</c> declarations of {Names.Xml(_fileName)}.");
        Line($"public static class {cls}");
        Open();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            var name = Names.Unique(Names.Identifier(names[i]), taken, new[] { reservedName }, "_");
            Doc($"<c>{kind} {Names.Xml(names[i])}</c>");
            Line($"public static {type} {name} => Program.{cls}[{i}];");
        }
        Close();
    }

    // ---- writing ----

    private void Report(string id, string title, string message, DiagnosticSeverity severity, int line, int column, int length)
    {
        var (span, lineSpan) = _map.Span(line, column, line, column + length);
        _diagnostics.Add(new DiagnosticInfo(id, title, message, severity, _path, span, lineSpan));
    }

    private void Doc(string summary, IEnumerable<string>? parameters = null, IEnumerable<string>? more = null)
    {
        Line("/// <summary>" + summary + "</summary>");
        if (parameters is not null) foreach (var p in parameters) Line("/// " + p);
        if (more is not null) foreach (var p in more) Line("/// " + p);
    }

    private void Open() { Line("{"); _indent++; }

    private void Close() { _indent--; Line("}"); }

    private void Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
    }
}
