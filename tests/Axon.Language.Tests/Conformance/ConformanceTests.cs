using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Language.IR;

namespace Axon.Language.Tests.Conformance;

/// <summary>
/// Runs every program of the reference corpus (Conformance/reference, copied from the shared corpus with its
/// README): the verdict, the phase and position of the first error, and for valid programs the IR JSON
/// (edges compared as a multiset, as the reference's edge order depends on Python's hash seed).
/// </summary>
public sealed class ConformanceTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Conformance", "reference");

    public static TheoryData<string> Programs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.axon").OrderBy(f => f, StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Fact]
    public void CorpusIsComplete()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "MANIFEST.json")))!;
        int count = manifest["count"]!.GetValue<int>();
        Assert.Equal(count, Directory.GetFiles(Folder, "*.axon").Length);
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void MatchesReference(string name)
    {
        string text = File.ReadAllText(Path.Combine(Folder, name + ".axon"));
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, name + ".expected.json")))!;
        var result = AxonCompiler.Compile(text);

        bool valid = expected["valid"]!.GetValue<bool>();
        string phase = expected["phase"]!.GetValue<string>();
        if (!valid)
        {
            var first = result.Errors.FirstOrDefault();
            Assert.True(first != null, $"{name}: the reference rejects this program ({phase}) but we accept it");
            Assert.Equal(phase, first!.Phase.ToString().ToLowerInvariant());
            var error = expected["errors"]![0]!;
            // Our primary span may be more precise (the offending token on a later line of the same statement);
            // the reference's own position is then kept as a related location and compared here.
            var at = first.ReferenceSpan;
            if (error["line"] is JsonNode line)
            {
                Assert.True(line.GetValue<int>() == at.StartLine,
                    $"{name}: first error at line {at.StartLine}, reference {line}: {first.Message} / {error["message"]}");
                Assert.True(first.Span.StartLine >= at.StartLine, $"{name}: the primary span lies before the reference's statement");
            }
            if (error["column"] is JsonNode col)
                Assert.True(col.GetValue<int>() == at.StartColumn,
                    $"{name}: first error at column {at.StartColumn}, reference {col}: {first.Message} / {error["message"]}");
            return;
        }

        Assert.True(result.Success, $"{name}: the reference accepts this program but we report: " +
            string.Join("; ", result.Errors.Select(e => $"{e.Span.StartLine}:{e.Span.StartColumn} {e.Message}")));
        if (expected["tokens"] is JsonNode tokens) Assert.Equal(tokens.GetValue<int>(), result.TokenCount);
        if (expected["declarations"] is JsonNode decls) Assert.Equal(decls.GetValue<int>(), result.DeclarationCount);

        string irPath = Path.Combine(Folder, name + ".ir.json");
        var expectedIr = JsonNode.Parse(File.ReadAllText(irPath))!;
        var actualIr = JsonNode.Parse(IrJson.Write(result.Ir!, name + ".axon", "anthropic"))!;
        JsonAssert.Equivalent(expectedIr, actualIr, "$");
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void IrJsonIsByteIdenticalWhereEdgeOrderIsDeterministic(string name)
    {
        string irPath = Path.Combine(Folder, name + ".ir.json");
        if (!File.Exists(irPath)) return;
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "MANIFEST.json")))!;
        var entry = manifest["programs"]!.AsArray().First(p => p!["name"]!.GetValue<string>() == name)!;
        if (entry["ir_depends_on_hash_seed"] != null) return; // edge order follows Python's hash seed there
        var result = AxonCompiler.Compile(File.ReadAllText(Path.Combine(Folder, name + ".axon")));
        Assert.Equal(File.ReadAllText(irPath), IrJson.Write(result.Ir!, name + ".axon", "anthropic") + "\n");
    }
}

/// <summary>Structural JSON equality where every <c>edges</c> array is compared as a multiset.</summary>
internal static class JsonAssert
{
    public static void Equivalent(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case null:
                Assert.True(actual == null, $"{path}: expected null, got {actual?.ToJsonString()}");
                return;
            case JsonObject eo:
                var ao = Assert.IsType<JsonObject>(actual, exactMatch: false);
                Assert.True(eo.Select(p => p.Key).SequenceEqual(ao.Select(p => p.Key)),
                    $"{path}: keys differ: expected [{string.Join(",", eo.Select(p => p.Key))}] got [{string.Join(",", ao.Select(p => p.Key))}]");
                foreach (var (key, value) in eo)
                {
                    if (key == "edges")
                    {
                        var e = value!.AsArray().Select(x => x!.ToJsonString()).OrderBy(x => x, StringComparer.Ordinal);
                        var a = ao[key]!.AsArray().Select(x => x!.ToJsonString()).OrderBy(x => x, StringComparer.Ordinal);
                        Assert.True(e.SequenceEqual(a), $"{path}.edges differ:\n expected {value.ToJsonString()}\n actual   {ao[key]!.ToJsonString()}");
                        continue;
                    }
                    Equivalent(value, ao[key], path + "." + key);
                }
                return;
            case JsonArray ea:
                var aa = Assert.IsType<JsonArray>(actual, exactMatch: false);
                Assert.True(ea.Count == aa.Count, $"{path}: expected {ea.Count} items, got {aa.Count}: {aa.ToJsonString()}");
                for (int i = 0; i < ea.Count; i++) Equivalent(ea[i], aa[i], $"{path}[{i}]");
                return;
            default:
                Assert.True(JsonNode.DeepEquals(expected, actual), $"{path}: expected {expected.ToJsonString()}, got {actual?.ToJsonString()}");
                return;
        }
    }
}
