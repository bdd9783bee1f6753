
using Axon.Generators.Tests.Support;
using AxonCompiler = Axon.Language.AxonCompiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Axon.Generators.Tests;

public class DiagnosticTests
{
    private const string Broken = "persona Reviewer {\n  tone: precise\n  $ \n}\n\nflow Go() {\n  step A {\n    ask: \"x\"\n  }\n";

    [Fact]
    public async Task FrontEndErrorsAreReportedInTheAxonFileWithTheirCodes()
    {
        var test = new AxonGeneratorTest().WithAxon("broken.axon", Broken);
        // '$' starts no token: line 3, column 3 of the .axon file, one character wide.
        test.ExpectedDiagnostics.Add(DiagnosticResult.CompilerError("AXN1001").WithSpan("/src/App/broken.axon", 3, 3, 3, 4)
            .WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));
        test.ExpectedDiagnostics.AddRange(AxonGeneratorTest.FrontEnd("broken.axon", Broken).Skip(1));
        await test.RunAsync(TestContext.Current.CancellationToken);

        var (run, _, _) = GeneratorHarness.Run([("broken.axon", Broken)]);
        Assert.Empty(run.Results.Single().GeneratedSources.Where(s => s.HintName == "broken.axon.g.cs"));
    }

    [Fact]
    public async Task EveryFrontEndDiagnosticKeepsItsCodeSeverityPositionAndMessage()
    {
        var text = "persona P {\n  tone: loud\n}\ntype T {\n  a: Nope\n}\nflow F(x: T) -> Missing {\n  step S {\n    given: x\n    ask: \"q\"\n  }\n}\nrun G()\n";
        Assert.True(AxonCompiler.Compile(text).Diagnostics.Count >= 3, "the program should have several front-end diagnostics");
        await new AxonGeneratorTest().WithAxon("mixed.axon", text).ExpectingFrontEnd("mixed.axon", text).RunAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AnUnknownBackendIsAnError()
    {
        var test = new AxonGeneratorTest(GeneratorHarness.Properties(backend: "mistral")).WithAxon("ok.axon", "flow F() {\n  step S {\n    ask: \"q\"\n  }\n}\n");
        test.ExpectedDiagnostics.Add(DiagnosticResult.CompilerError("AXN3001")
            .WithMessage($"Unknown AXON backend 'mistral' in <AxonBackend>. Available: {string.Join(", ", Axon.Language.Backends.Names)}"));
        await test.RunAsync(TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("stub")]
    [InlineData("openai")]
    [InlineData("")]
    public void AKnownOrDefaultBackendIsWrittenIntoTheCode(string backend)
    {
        var (run, _, diagnostics) = GeneratorHarness.Run([("ok.axon", "flow F() {\n  step S {\n    ask: \"q\"\n  }\n}\n")], properties: GeneratorHarness.Properties(backend: backend));
        Assert.DoesNotContain(diagnostics, d => d.Id == "AXN3001");
        var code = run.Results.Single().GeneratedSources.Single(s => s.HintName == "ok.axon.g.cs").SourceText.ToString();
        Assert.Contains($"public const string Backend = \"{(backend.Length == 0 ? "anthropic" : backend)}\";", code);
    }

    [Fact]
    public void AxonNamespaceWinsOverRootNamespace()
    {
        var properties = GeneratorHarness.Properties();
        properties["build_property.AxonNamespace"] = "My.Flows";
        var (run, _, _) = GeneratorHarness.Run([("ok.axon", "flow F() {\n  step S {\n    ask: \"q\"\n  }\n}\n")], properties: properties);
        var sources = run.Results.Single().GeneratedSources.Select(s => s.SourceText.ToString()).ToArray();
        // The flows go into the chosen namespace; AddAxon into Microsoft.Extensions.DependencyInjection, constructing them from there.
        Assert.Contains(sources, s => s.Contains("namespace My.Flows", StringComparison.Ordinal));
        var services = Assert.Single(sources, s => s.Contains("AddAxon(", StringComparison.Ordinal));
        Assert.Contains("namespace Microsoft.Extensions.DependencyInjection", services);
        Assert.Contains("new global::My.Flows.FFlow(", services);
    }

    [Fact]
    public async Task AFileWithAxonExcludeIsSkipped()
    {
        // Not skipped, "flow {" would be a syntax error; skipped, there is nothing to report and nothing to generate.
        var perFile = new Dictionary<string, Dictionary<string, string>> { ["/src/App/skip.axon"] = new() { ["build_metadata.AdditionalFiles.AxonExclude"] = "true" } };
        await new AxonGeneratorTest(perFile: perFile).WithAxon("skip.axon", "flow {").RunAsync(TestContext.Current.CancellationToken);

        var file = new InMemoryText("/src/App/skip.axon", "flow {");
        var driver = GeneratorHarness.CreateDriver([file], perFile: perFile);
        var result = driver.RunGenerators(GeneratorHarness.CreateCompilation(), TestContext.Current.CancellationToken).GetRunResult();
        Assert.Empty(result.Results.Single().GeneratedSources);
    }

    [Fact]
    public async Task DotnetBuildPrintsTheErrorAtTheAxonFileLineAndColumn()
    {
        var dir = Directory.CreateTempSubdirectory("axon-build-");
        try
        {
            var bin = AppContext.BaseDirectory;
            File.WriteAllText(Path.Combine(dir.FullName, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <Analyzer Include="{bin}Axon.Generators.dll;{bin}Axon.Language.dll;{bin}Antlr4.Runtime.Standard.dll" />
                    <AdditionalFiles Include="flows/broken.axon" />
                  </ItemGroup>
                </Project>
                """);
            Directory.CreateDirectory(Path.Combine(dir.FullName, "flows"));
            File.WriteAllText(Path.Combine(dir.FullName, "flows", "broken.axon"), Broken);
            File.WriteAllText(Path.Combine(dir.FullName, "Class1.cs"), "namespace App; public class Class1 { }");

            var (exit, output) = await Dotnet.RunAsync(dir.FullName, "build", "-nologo", "-v:q");

            Assert.NotEqual(0, exit);
            Assert.Matches(@"flows[/\\]broken\.axon\(3,3\): error AXN1001: ", output);
            Assert.DoesNotContain("CS8785", output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

public class CancellationTests
{
    [Fact]
    public void ACancelledRunStopsWithOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var driver = GeneratorHarness.CreateDriver([new InMemoryText("/src/App/a.axon", "flow F() {\n  step S {\n    ask: \"q\"\n  }\n}\n")]);
        Assert.ThrowsAny<OperationCanceledException>(() => driver.RunGenerators(GeneratorHarness.CreateCompilation(), cts.Token));
    }
}
