using System.Text.RegularExpressions;
using Axon.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Axon.Generators.Tests;

/// <summary>The generator never throws: the conformance corpus and fuzzed text give diagnostics, never CS8785.</summary>
public class RobustnessTests
{
    private static string[] CorpusFiles => Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus"), "*.axon").Order(StringComparer.Ordinal).ToArray();

    public static TheoryData<string> Corpus => new(CorpusFiles.Select(Path.GetFileName)!);

    private static void AssertNoCrash(string name, string text, out Compilation output)
    {
        var (run, compiled, diagnostics) = GeneratorHarness.Run([(name, text)]);
        var result = run.Results.Single();
        Assert.Null(result.Exception);
        Assert.DoesNotContain(diagnostics, d => d.Id is "CS8785" or "AXN3003");
        output = compiled;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task EveryCorpusFileGeneratesWithoutThrowingAndValidOnesCompile(string file)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", file));
        AssertNoCrash(file, text, out _);
        if (!Axon.Language.AxonCompiler.Compile(text).Success) return;
        // A valid program: exactly the front end's warnings in the .axon file, plus the generator's own warnings
        // (AXN3002: a type generated as JsonElement; their text is checked elsewhere), and generated code without compiler errors.
        var test = new AxonGeneratorTest().WithAxon(file, text).ExpectingFrontEnd(file, text);
        var own = GeneratorHarness.Run([(file, text)]).Diagnostics.Where(d => d.Id.StartsWith("AXN3", StringComparison.Ordinal)).ToArray();
        Assert.All(own, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        test.ExpectedDiagnostics.AddRange(own.Select(d => new Microsoft.CodeAnalysis.Testing.DiagnosticResult(d.Id, d.Severity)
            .WithSpan(d.Location.GetLineSpan().Path, d.Location.GetLineSpan().StartLinePosition.Line + 1, d.Location.GetLineSpan().StartLinePosition.Character + 1,
                d.Location.GetLineSpan().EndLinePosition.Line + 1, d.Location.GetLineSpan().EndLinePosition.Character + 1)
            .WithMessage(d.GetMessage(System.Globalization.CultureInfo.InvariantCulture))));
        await test.RunAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void TheCorpusIsThere() => Assert.True(CorpusFiles.Length >= 50, $"only {CorpusFiles.Length} corpus files found");

    [Fact]
    public void TruncatedFilesNeverThrow()
    {
        var random = new Random(20261122);
        foreach (var file in CorpusFiles.Where((_, i) => i % 3 == 0))
        {
            var text = File.ReadAllText(file);
            for (var k = 0; k < 6; k++)
            {
                var cut = random.Next(text.Length + 1);
                AssertNoCrash(Path.GetFileName(file), text[..cut], out _);
            }
        }
    }

    public static TheoryData<string> DeepShapes() => new() { "par", "know", "if", "brackets" };

    private static string Nested(string shape, int n) => shape switch
    {
        "par" => "flow F() {\n" + string.Concat(Enumerable.Repeat("par {\n", n)) + "step A { ask: \"x\" }\n" + string.Concat(Enumerable.Repeat("}\n", n)) + "}\n",
        "know" => string.Concat(Enumerable.Repeat("know {\n", n)) + string.Concat(Enumerable.Repeat("}\n", n)),
        "if" => "flow F() {\n" + string.Concat(Enumerable.Repeat("if x -> ", n)) + "step A { ask: \"x\" }\n}\nrun F()\n",
        _ => "persona P { extra: " + new string('[', n) + new string(']', n) + " }\n",
    };

    // The compiler host gives generators a small stack (csc: 1.5 MB); the driver runs here on 1 MB.
    private static void OnSmallStack(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() => { try { action(); } catch (Exception ex) { failure = ex; } }, 1024 * 1024);
        thread.Start();
        thread.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    [Theory]
    [MemberData(nameof(DeepShapes))]
    public void TenThousandLevelsAreADiagnosticInTheGeneratorOnASmallStack(string shape)
    {
        OnSmallStack(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (run, _, diagnostics) = GeneratorHarness.Run([("deep.axon", Nested(shape, 10_000))]);
            clock.Stop();
            Assert.Null(run.Results.Single().Exception);
            Assert.Equal("AXN1106", Assert.Single(diagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Id);
            // The target is 2 s; the bound leaves room for a heavily shared test machine.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        });
    }

    [Theory]
    [MemberData(nameof(DeepShapes))]
    public void TheDeepestAcceptedNestingGeneratesCompilableCodeOnASmallStack(string shape)
    {
        OnSmallStack(() =>
        {
            // A par needs two branches: each level holds a step beside the nested par.
            var text = shape == "par"
                ? "flow F() {\n" + string.Concat(Enumerable.Range(0, 250).Select(i => $"par {{ step S{i} {{ ask: \"x\" }}\n")) + "step A { ask: \"x\" }\n" + string.Concat(Enumerable.Repeat("}\n", 250)) + "}\n"
                : Nested(shape, 250);
            var (run, output, diagnostics) = GeneratorHarness.Run([("deep.axon", text)]);
            Assert.Null(run.Results.Single().Exception);
            Assert.DoesNotContain(diagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
            Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        });
    }

    private const string Noise = "{}()[]<>:,.\"\\\0\uD800?@#-\n";

    [Fact]
    public void RandomBytesAndMangledTextNeverThrow()
    {
        var random = new Random(7);
        var sample = File.ReadAllText(CorpusFiles[0]);
        for (var k = 0; k < 40; k++)
        {
            var bytes = new byte[random.Next(0, 400)];
            random.NextBytes(bytes);
            AssertNoCrash("random.axon", System.Text.Encoding.UTF8.GetString(bytes), out _);

            var chars = sample.ToCharArray();
            for (var m = 0; m < 10; m++) chars[random.Next(chars.Length)] = Noise[random.Next(Noise.Length)];
            AssertNoCrash("mangled.axon", new string(chars), out _);
        }
    }
}

/// <summary>Whitespace and comment edits leave the generated code of every corpus program byte for byte the same.</summary>
public class PositionIndependenceTests
{
    public static TheoryData<string> ValidCorpus => new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus"), "*.axon")
        .Where(f => Axon.Language.AxonCompiler.Compile(File.ReadAllText(f)).Success)
        .Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(ValidCorpus))]
    public void AddingCommentsAndBlankLinesRegeneratesNothing(string file)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", file));
        // Comments and blank lines before every line, and indentation after every line break: every position moves.
        var edited = "// header comment\n\n" + string.Join("\n", text.Split('\n').Select((line, i) => i % 3 == 0 ? "\n// note " + i + "\n" + line : line));
        Assert.True(Axon.Language.AxonCompiler.Compile(edited).Success);

        string Code(string t) => GeneratorHarness.Run([(file, t)]).Run.Results.Single().GeneratedSources.Single(s => s.HintName == file + ".g.cs").SourceText.ToString();
        var before = Code(text);
        var after = Code(edited);
        if (text.Contains("hibernate", StringComparison.Ordinal))
        {
            // The reference's static continuation id hashes the real line and column; it is the one position-derived value kept.
            Assert.Equal(Regex.Replace(before, "continuation_id\":\"[0-9a-f]+", ""), Regex.Replace(after, "continuation_id\":\"[0-9a-f]+", ""));
            return;
        }
        Assert.Equal(before, after);
    }
}
