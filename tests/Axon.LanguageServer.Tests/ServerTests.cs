using System.Text.Json;
using Axon.Language;
using StreamJsonRpc;

namespace Axon.LanguageServer.Tests;

/// <summary>Every capability of the server, driven in process over streams by a JSON-RPC client.</summary>
public sealed class ServerTests
{
    private const string Uri = "file:///project/review.axon";

    private static async Task<LspSession> OpenReview()
    {
        var s = await LspSession.StartAsync();
        await s.OpenAsync(Uri, Sources.Review);
        Assert.Equal(0, (await s.DiagnosticsAsync(Uri, 1)).GetArrayLength());
        return s;
    }

    private static string[] Labels(JsonElement completion) =>
        completion.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("label").GetString()!).ToArray();

    private static (int Line, int Character) StartOf(JsonElement range) =>
        (range.GetProperty("start").GetProperty("line").GetInt32(), range.GetProperty("start").GetProperty("character").GetInt32());

    [Fact]
    public async Task Initialize_announces_the_capabilities()
    {
        var (a, b) = Nerdbank.Streams.FullDuplexStream.CreatePair();
        var server = AxonLanguageServer.RunAsync(b, b, TextWriter.Null, TestContext.Current.CancellationToken);
        using var client = new JsonRpc(new HeaderDelimitedMessageHandler(a, a, new SystemTextJsonFormatter()));
        client.StartListening();
        var init = await client.InvokeWithParameterObjectAsync<JsonElement>("initialize", new { processId = (int?)null, capabilities = new { } }, TestContext.Current.CancellationToken);
        var caps = init.GetProperty("capabilities");
        Assert.Equal(2, caps.GetProperty("textDocumentSync").GetProperty("change").GetInt32()); // incremental
        foreach (var p in new[] { "hoverProvider", "definitionProvider", "referencesProvider", "completionProvider", "documentSymbolProvider", "renameProvider", "foldingRangeProvider" })
            Assert.True(caps.TryGetProperty(p, out _), p);
        Assert.Equal("axon-lsp", init.GetProperty("serverInfo").GetProperty("name").GetString());
        await client.InvokeWithCancellationAsync<object?>("shutdown", null, TestContext.Current.CancellationToken);
        await client.NotifyAsync("exit");
        Assert.Equal(0, await server.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Diagnostics_carry_codes_severities_precise_ranges_and_related_locations()
    {
        await using var s = await LspSession.StartAsync();
        await s.OpenAsync(Uri, Sources.Mistakes);
        var diags = (await s.DiagnosticsAsync(Uri, 1)).EnumerateArray().ToList();
        // The same codes as the front end, in its order.
        var expected = AxonCompiler.Compile(Sources.Mistakes).Diagnostics.Select(d => d.Code).ToArray();
        Assert.Equal(expected, diags.Select(d => d.GetProperty("code").GetString()!).ToArray());
        Assert.All(diags, d => Assert.Equal("axon", d.GetProperty("source").GetString()));

        var tone = diags.Single(d => d.GetProperty("code").GetString() == "AXN2002");
        Assert.Equal(1, tone.GetProperty("severity").GetInt32());
        Assert.Contains("grumpy", tone.GetProperty("message").GetString());
        // Underlined on the offending value (line 1, "  tone: |grumpy"), not over the whole block.
        Assert.Equal((1, 8), StartOf(tone.GetProperty("range")));
        Assert.Equal(1, tone.GetProperty("range").GetProperty("end").GetProperty("line").GetInt32());

        var duplicate = diags.Single(d => d.GetProperty("code").GetString() == "AXN2001");
        Assert.Equal((4, 8), StartOf(duplicate.GetProperty("range")));
        var related = duplicate.GetProperty("relatedInformation")[0];
        Assert.Equal(Uri, related.GetProperty("location").GetProperty("uri").GetString());
        Assert.Equal((0, 8), StartOf(related.GetProperty("location").GetProperty("range")));
        Assert.Contains("first declared here", related.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Incremental_changes_are_applied_and_only_the_changed_document_is_reanalysed()
    {
        await using var s = await LspSession.StartAsync();
        await s.OpenAsync(Uri, Sources.Mistakes);
        await s.OpenAsync("file:///project/other.axon", Sources.Review);
        Assert.NotEqual(0, (await s.DiagnosticsAsync(Uri, 1)).GetArrayLength());
        Assert.Equal(0, (await s.DiagnosticsAsync("file:///project/other.axon", 1)).GetArrayLength());
        // Replace "grumpy" by "precise" and "extreme" by "high" in two edits of one change.
        var (gl, gc) = Marked.Find(Sources.Mistakes, "grumpy");
        var (el, ec) = Marked.Find(Sources.Mistakes, "extreme");
        await s.ChangeAsync(Uri, 2,
        [
            new { range = new { start = LspSession.Pos(el, ec), end = LspSession.Pos(el, ec + 7) }, text = "high" },
            new { range = new { start = LspSession.Pos(gl, gc), end = LspSession.Pos(gl, gc + 6) }, text = "precise" },
        ]);
        var after = (await s.DiagnosticsAsync(Uri, 2)).EnumerateArray().Select(d => d.GetProperty("code").GetString()!).ToArray();
        Assert.Equal(["AXN2001"], after);
        // Typing a burst: versions 3..6 coalesce; the last one is published.
        for (int v = 3; v <= 6; v++)
            await s.ChangeAsync(Uri, v, [new { range = new { start = LspSession.Pos(0, 0), end = LspSession.Pos(0, 0) }, text = "// x\n" }]);
        await s.DiagnosticsAsync(Uri, 6);
        // The other document was analysed once, on open: no second publication for it.
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Equal(1, s.PublishedCount("file:///project/other.axon"));
        // Versions 3, 4 and 5 were never analysed on their own.
        Assert.True(s.PublishedCount(Uri) < 6, string.Join(" | ", s.Published()));
    }

    [Fact]
    public async Task Hover_explains_every_kind_of_name()
    {
        await using var s = await OpenReview();
        async Task<string> HoverAt(string needle, int nth = 0, int offset = 1)
        {
            var (l, c) = Marked.Find(Sources.Review, needle, nth, offset);
            var h = await s.AtAsync("textDocument/hover", Uri, l, c);
            Assert.Equal(JsonValueKind.Object, h.ValueKind);
            return h.GetProperty("contents").GetProperty("value").GetString()!;
        }
        Assert.Contains("flow Review(doc: Document, region: String) -> Finding", await HoverAt("run Review", 0, 5));
        Assert.Contains("2 step(s): Read → Judge", await HoverAt("flow Review", 0, 6));
        var step = await HoverAt("Read.output", 0, 1);
        Assert.Contains("step Read", step);
        Assert.Contains("What is the main risk in {{region}}?", step);
        Assert.Contains("`output`: FactualClaim", step);
        Assert.Contains("doc: Document", await HoverAt("given: doc", 0, 8));
        Assert.Contains("type Score(0.0..1.0)", await HoverAt("severity: Score", 0, 11));
        Assert.Contains("title: String", await HoverAt("output: Finding", 0, 9));
        var persona = await HoverAt("as Analyst", 0, 4);
        Assert.Contains("`tone`: precise", persona);
        Assert.Contains("`confidence_threshold`: 0.8", persona);
        Assert.Contains("`memory`: session", await HoverAt("within Deep", 0, 8));
        Assert.Contains("`on_violation`: warn", await HoverAt("[Cited]", 0, 2));
        var tool = await HoverAt("tool Search", 0, 6);
        Assert.Contains("`provider`: brave", tool);
        Assert.Contains("`timeout`: 10s", tool);
        Assert.Contains("Built-in semantic type", await HoverAt("FactualClaim", 0, 2));
        var tone = await HoverAt("tone:", 0, 1);
        Assert.Contains("`diplomatic`", tone);
        // A placeholder inside a string is a use of the parameter.
        Assert.Contains("region: String", await HoverAt("{{region}}", 0, 3));
        // Whitespace: nothing.
        Assert.Equal(JsonValueKind.Null, (await s.AtAsync("textDocument/hover", Uri, 4, 0)).ValueKind);
    }

    [Fact]
    public async Task Definition_and_references_within_a_document()
    {
        await using var s = await OpenReview();
        var (l, c) = Marked.Find(Sources.Review, "Read.output", 0, 2);
        var def = (await s.AtAsync("textDocument/definition", Uri, l, c))[0];
        Assert.Equal(Marked.Find(Sources.Review, "step Read", 0, 5), StartOf(def.GetProperty("range")));

        var (pl, pc) = Marked.Find(Sources.Review, "region: String", 0, 1);
        var refs = await s.RequestAsync("textDocument/references", new { textDocument = new { uri = Uri }, position = LspSession.Pos(pl, pc), context = new { includeDeclaration = true } });
        var starts = refs.EnumerateArray().Select(r => StartOf(r.GetProperty("range"))).ToList();
        Assert.Equal(2, starts.Count); // the parameter and {{region}}
        Assert.Contains(Marked.Find(Sources.Review, "{{region}}", 0, 2), starts);

        var (sl, sc) = Marked.Find(Sources.Review, "type Score", 0, 6);
        var scoreRefs = await s.RequestAsync("textDocument/references", new { textDocument = new { uri = Uri }, position = LspSession.Pos(sl, sc), context = new { includeDeclaration = false } });
        Assert.Equal([Marked.Find(Sources.Review, "severity: Score", 0, 10)], scoreRefs.EnumerateArray().Select(r => StartOf(r.GetProperty("range"))).ToArray());
    }

    [Fact]
    public async Task Definition_references_and_rename_across_the_open_files()
    {
        await using var s = await OpenReview();
        const string other = "file:///project/second.axon";
        const string second = "flow Again(doc: Document) -> Summary {\n  step S { given: doc ask: \"x\" output: Summary }\n}\nrun Again(r) as Analyst within Deep\n";
        await s.OpenAsync(other, second);
        await s.DiagnosticsAsync(other, 1);
        var (l, c) = Marked.Find(second, "as Analyst", 0, 4);
        var def = (await s.AtAsync("textDocument/definition", other, l, c))[0];
        Assert.Equal(Uri, def.GetProperty("uri").GetString());
        Assert.Equal((0, 8), StartOf(def.GetProperty("range")));

        var refs = await s.RequestAsync("textDocument/references", new { textDocument = new { uri = Uri }, position = LspSession.Pos(0, 9), context = new { includeDeclaration = true } });
        var uris = refs.EnumerateArray().Select(r => r.GetProperty("uri").GetString()).ToList();
        Assert.Equal(2, uris.Count(u => u == Uri));
        Assert.Equal(1, uris.Count(u => u == other));

        var edit = await s.RequestAsync("textDocument/rename", new { textDocument = new { uri = other }, position = LspSession.Pos(l, c), newName = "Critic" });
        var changes = edit.GetProperty("changes");
        Assert.Equal(2, changes.GetProperty(Uri).GetArrayLength());
        Assert.Equal(1, changes.GetProperty(other).GetArrayLength());
        Assert.All(changes.GetProperty(Uri).EnumerateArray(), e => Assert.Equal("Critic", e.GetProperty("newText").GetString()));
    }

    [Fact]
    public async Task Names_declared_in_workspace_files_that_are_not_open_are_found()
    {
        var dir = Directory.CreateTempSubdirectory("axon-lsp-ws");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "shared.axon"), "persona Shared { tone: precise }\n");
            Directory.CreateDirectory(Path.Combine(dir.FullName, "bin"));
            File.WriteAllText(Path.Combine(dir.FullName, "bin", "ignored.axon"), "persona Ignored { tone: precise }\n");
            await using var s = await LspSession.StartAsync(rootUri: new System.Uri(dir.FullName).AbsoluteUri);
            string main = new System.Uri(Path.Combine(dir.FullName, "main.axon")).AbsoluteUri;
            const string text = "flow F(d: Document) -> Summary { step S { given: d ask: \"x\" output: Summary } }\nrun F(x) as Shared\n";
            await s.OpenAsync(main, text);
            await s.DiagnosticsAsync(main, 1);
            // The workspace is indexed beside the session: wait for it.
            JsonElement def = default;
            for (int i = 0; i < 300; i++)
            {
                def = await s.AtAsync("textDocument/definition", main, 1, 13);
                if (def.GetArrayLength() > 0) break;
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
            Assert.Equal(new System.Uri(Path.Combine(dir.FullName, "shared.axon")).AbsoluteUri, def[0].GetProperty("uri").GetString());
            var labels = Labels(await s.AtAsync("textDocument/completion", main, 1, 12));
            Assert.Contains("Shared", labels);
            Assert.DoesNotContain("Ignored", labels); // build output is not indexed
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Rename_of_a_step_edits_its_uses_and_placeholders_only_in_its_flow()
    {
        await using var s = await LspSession.StartAsync();
        const string text = "flow A(doc: Document) -> Summary {\n  step Read { given: doc ask: \"{{doc}} and {{Read}}\" output: Summary }\n  step Two { given: Read.output ask: \"y\" output: Summary }\n}\nflow B(doc: Document) -> Summary {\n  step Read { given: doc ask: \"z\" output: Summary }\n}\n";
        await s.OpenAsync(Uri, text);
        await s.DiagnosticsAsync(Uri, 1);
        var prepare = await s.AtAsync("textDocument/prepareRename", Uri, 1, 8);
        Assert.Equal("Read", prepare.GetProperty("placeholder").GetString());
        var edit = await s.RequestAsync("textDocument/rename", new { textDocument = new { uri = Uri }, position = LspSession.Pos(1, 8), newName = "Load" });
        var edits = edit.GetProperty("changes").GetProperty(Uri).EnumerateArray().Select(e => StartOf(e.GetProperty("range"))).OrderBy(x => x).ToArray();
        Assert.Equal([(1, 7), Marked.Find(text, "{{Read}}", 0, 2), (2, 20)], edits);

        var bad = await Assert.ThrowsAnyAsync<RemoteRpcException>(() =>
            s.RequestAsync("textDocument/rename", new { textDocument = new { uri = Uri }, position = LspSession.Pos(1, 8), newName = "step" }));
        Assert.Contains("not a valid AXON name", bad.Message);
        Assert.Equal(-32602, (int?)bad.ErrorCode);
        // Nothing to rename on a keyword.
        Assert.Equal(JsonValueKind.Null, (await s.AtAsync("textDocument/prepareRename", Uri, 0, 1)).ValueKind);
    }

    [Fact]
    public async Task Document_symbols_are_an_outline_and_folding_follows_the_blocks()
    {
        await using var s = await OpenReview();
        var symbols = await s.RequestAsync("textDocument/documentSymbol", new { textDocument = new { uri = Uri } });
        Assert.Equal(["Analyst", "Deep", "Cited", "Search", "Notes", "Score", "Finding", "Review"],
            symbols.EnumerateArray().Select(x => x.GetProperty("name").GetString()!).ToArray());
        var review = symbols.EnumerateArray().Last();
        Assert.Equal(["doc", "region", "Read", "Judge"], review.GetProperty("children").EnumerateArray().Select(x => x.GetProperty("name").GetString()!).ToArray());
        Assert.Equal(12, review.GetProperty("kind").GetInt32()); // Function

        var folds = await s.RequestAsync("textDocument/foldingRange", new { textDocument = new { uri = Uri } });
        var ranges = folds.EnumerateArray().Select(f => (f.GetProperty("startLine").GetInt32(), f.GetProperty("endLine").GetInt32())).ToList();
        Assert.Contains((0, 3), ranges); // persona
        var (flowLine, _) = Marked.Find(Sources.Review, "flow Review");
        Assert.Contains(ranges, r => r.Item1 == flowLine);
    }

    [Theory]
    [InlineData("persona P {\n  tone: $$\n}", new[] { "analytical", "precise", "diplomatic" }, "flow")]
    [InlineData("context C {\n  depth: $$\n}", new[] { "shallow", "standard", "deep", "exhaustive" }, "precise")]
    [InlineData("anchor A {\n  on_violation: $$\n}", new[] { "raise", "warn", "log", "escalate", "fallback" }, "deep")]
    [InlineData("flow F() -> Summary { refine {\n  backoff: $$ } }", new[] { "exponential", "linear", "none" }, "warn")]
    [InlineData("persona P {\n  $$\n}", new[] { "tone", "domain", "confidence_threshold", "cite_sources" }, "depth")]
    [InlineData("memory M {\n  retrieval: $$ }", new[] { "semantic", "exact", "hybrid" }, "tone")]
    [InlineData("$$", new[] { "persona", "flow", "run", "type", "anchor" }, "step")]
    [InlineData("flow F() -> Summary {\n  $$\n}", new[] { "step", "probe", "reason", "validate", "refine", "weave", "use", "par", "hibernate" }, "persona")]
    [InlineData("flow F() -> Summary {\n  step S {\n    $$\n  }\n}", new[] { "given", "ask", "output", "use", "confidence_floor" }, "flow")]
    public async Task Completion_offers_what_is_valid_in_the_enclosing_block(string marked, string[] expected, string notExpected)
    {
        await using var s = await LspSession.StartAsync();
        var (text, line, character) = Marked.Parse(marked);
        await s.OpenAsync(Uri, text);
        await s.DiagnosticsAsync(Uri, 1);
        var labels = Labels(await s.AtAsync("textDocument/completion", Uri, line, character));
        foreach (var e in expected) Assert.Contains(e, labels);
        Assert.DoesNotContain(notExpected, labels);
    }

    [Theory]
    [InlineData("as", "run Review(report) as $$", new[] { "Analyst" }, "Deep")]
    [InlineData("within", "run Review(report) as Analyst within $$", new[] { "Deep" }, "Analyst")]
    [InlineData("constrained_by", "run Review(report) constrained_by [$$", new[] { "Cited" }, "Deep")]
    [InlineData("effort", "run Review(report) effort: $$", new[] { "low", "medium", "high", "max" }, "Analyst")]
    [InlineData("run", "run $$", new[] { "Review" }, "Analyst")]
    [InlineData("modifiers", "run Review(report) $$", new[] { "as", "within", "constrained_by", "effort" }, "Analyst")]
    public async Task Completion_offers_declared_names_where_a_name_is_expected(string _, string tail, string[] expected, string notExpected)
    {
        await using var s = await LspSession.StartAsync();
        var (text, line, character) = Marked.Parse(Sources.Review + "\n" + tail);
        await s.OpenAsync(Uri, Sources.Review);
        await s.DiagnosticsAsync(Uri, 1);
        // The half-typed run is then typed at the end (the last analysis knows the declarations).
        await s.ChangeAsync(Uri, 2, [new { text }]);
        var labels = Labels(await s.AtAsync("textDocument/completion", Uri, line, character));
        foreach (var e in expected) Assert.Contains(e, labels);
        Assert.DoesNotContain(notExpected, labels);
    }

    [Fact]
    public async Task Completion_in_a_half_typed_flow_offers_its_parameters_steps_types_tools_and_placeholders()
    {
        await using var s = await LspSession.StartAsync();
        const string head = "type Verdict { ok: Boolean }\ntool Web { provider: brave }\nflow Check(claim: String, source: Document) -> Verdict {\n  step First {\n    given: claim\n    ask: \"x\"\n    output: Summary\n  }\n  step Second {\n";
        await s.OpenAsync(Uri, head);
        await s.DiagnosticsAsync(Uri, 1);
        async Task<string[]> At(string tail)
        {
            var (text, line, character) = Marked.Parse(head + tail);
            await s.ChangeAsync(Uri, 2, [new { text }]);
            return Labels(await s.AtAsync("textDocument/completion", Uri, line, character));
        }
        var given = await At("    given: $$");
        Assert.Contains("claim", given);
        Assert.Contains("source", given);
        Assert.Contains("First", given);
        Assert.Contains("First.output", given);
        Assert.DoesNotContain("Verdict", given);
        var output = await At("    output: $$");
        Assert.Contains("Verdict", output);
        Assert.Contains("FactualClaim", output);
        Assert.DoesNotContain("claim", output);
        var use = await At("    use $$");
        Assert.Equal(["Web"], use);
        var placeholder = await At("    ask: \"Check {{$$");
        Assert.Contains("claim", placeholder);
        Assert.Contains("First", placeholder);
        var inString = await At("    ask: \"Check $$");
        Assert.Empty(inString);
        var partialWord = await At("    given: cl$$");
        Assert.Contains("claim", partialWord);
    }

    [Fact]
    public async Task A_half_typed_file_keeps_its_complete_declarations()
    {
        await using var s = await LspSession.StartAsync();
        const string text = "persona Analyst { tone: precise }\n\nflow Broken(doc: Document) -> Summary {\n  step A {\n    given: doc\n    ask: \n\ncontext Deep { depth: deep }\n\nrun Broken(x) as Analyst within Deep\n";
        await s.OpenAsync(Uri, text);
        var diags = (await s.DiagnosticsAsync(Uri, 1)).EnumerateArray().ToList();
        Assert.Contains(diags, d => d.GetProperty("code").GetString()!.StartsWith("AXN11", StringComparison.Ordinal));
        var symbols = await s.RequestAsync("textDocument/documentSymbol", new { textDocument = new { uri = Uri } });
        var names = symbols.EnumerateArray().Select(x => x.GetProperty("name").GetString()!).ToArray();
        Assert.Contains("Analyst", names);
        Assert.Contains("Deep", names);
        var (l, c) = Marked.Find(text, "within Deep", 0, 8);
        var def = (await s.AtAsync("textDocument/definition", Uri, l, c))[0];
        Assert.Equal(Marked.Find(text, "context Deep", 0, 8), StartOf(def.GetProperty("range")));
        var hover = await s.AtAsync("textDocument/hover", Uri, l, c);
        Assert.Contains("`depth`: deep", hover.GetProperty("contents").GetProperty("value").GetString());
    }

    [Fact]
    public async Task Positions_count_utf16_units_on_lines_with_characters_outside_the_bmp()
    {
        await using var s = await LspSession.StartAsync();
        // "😀" is one code point (one column for the front end) and two UTF-16 units (two for LSP).
        const string text = "persona P { description: \"😀\" tone: grumpy }\n";
        await s.OpenAsync(Uri, text);
        var d = (await s.DiagnosticsAsync(Uri, 1))[0];
        Assert.Equal("AXN2002", d.GetProperty("code").GetString());
        // The bad value comes after the emoji: its LSP column counts the emoji as two UTF-16 units.
        Assert.Equal((0, text.IndexOf("grumpy", StringComparison.Ordinal)), StartOf(d.GetProperty("range")));
        var hover = await s.AtAsync("textDocument/hover", Uri, 0, text.IndexOf("tone", StringComparison.Ordinal) + 1);
        Assert.Contains("tone", hover.GetProperty("contents").GetProperty("value").GetString());
        Assert.Equal(text.IndexOf("tone", StringComparison.Ordinal), StartOf(hover.GetProperty("range")).Character);
    }

    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "corpus"), "*.axon").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public async Task Every_corpus_file_gets_the_front_ends_diagnostics_and_an_outline(string file)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "corpus", file));
        await using var s = await LspSession.StartAsync();
        string uri = "file:///corpus/" + file;
        await s.OpenAsync(uri, text);
        var published = (await s.DiagnosticsAsync(uri, 1)).EnumerateArray().Select(d => d.GetProperty("code").GetString()!).ToArray();
        var compilation = AxonCompiler.Compile(text);
        Assert.Equal(compilation.Diagnostics.Select(d => d.Code).ToArray(), published);
        var symbols = await s.RequestAsync("textDocument/documentSymbol", new { textDocument = new { uri } });
        if (compilation.Syntax != null)
        {
            int named = compilation.Syntax.Declarations.Sum(d => d is Axon.Language.Syntax.EpistemicBlock b
                ? b.Declarations.Count(x => x is Axon.Language.Syntax.NamedDeclaration) : d is Axon.Language.Syntax.NamedDeclaration ? 1 : 0);
            Assert.Equal(named, symbols.GetArrayLength());
        }
        // Every declared name is found at its name token and resolves to itself.
        foreach (var sym in symbols.EnumerateArray())
        {
            var (l, c) = StartOf(sym.GetProperty("selectionRange"));
            var def = await s.AtAsync("textDocument/definition", uri, l, c);
            Assert.Equal((l, c), StartOf(def[0].GetProperty("range")));
        }
    }
}
