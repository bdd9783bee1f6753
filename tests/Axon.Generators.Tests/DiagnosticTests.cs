
using Axon.Generators.Tests.Support;
using AxonCompiler = Axon.Language.AxonCompiler;
using Microsoft.CodeAnalysis;

namespace Axon.Generators.Tests;

public class DiagnosticTests
{
    private const string Broken = "persona Reviewer {\n  tone: precise\n  $ \n}\n\nflow Go() {\n  step A {\n    ask: \"x\"\n  }\n";

    [Fact]
    public void FrontEndErrorsAreReportedInTheAxonFileWithTheirCodes()
    {
        var (run, _, diagnostics) = GeneratorHarness.Run([("broken.axon", Broken)]);

        var first = diagnostics.OrderBy(d => d.Location.GetLineSpan().StartLinePosition.Line).First();
        Assert.Equal("AXN1001", first.Id); // '$' starts no token
        Assert.Equal(DiagnosticSeverity.Error, first.Severity);
        var span = first.Location.GetLineSpan();
        Assert.Equal("/src/App/broken.axon", span.Path);
        Assert.Equal(2, span.StartLinePosition.Line); // 0-based: line 3
        Assert.Equal(2, span.StartLinePosition.Character); // 0-based: column 3
        Assert.Empty(run.Results.Single().GeneratedSources.Where(s => s.HintName == "broken.axon.g.cs"));
    }

    [Fact]
    public void EveryFrontEndDiagnosticKeepsItsCodeSeverityAndPosition()
    {
        var text = "persona P {\n  tone: loud\n}\ntype T {\n  a: Nope\n}\nflow F(x: T) -> Missing {\n  step S {\n    given: x\n    ask: \"q\"\n  }\n}\nrun G()\n";
        var expected = AxonCompiler.Compile(text).Diagnostics;
        var (_, _, diagnostics) = GeneratorHarness.Run([("mixed.axon", text)]);
        var front = diagnostics.Where(d => !d.Id.StartsWith("AXN3", StringComparison.Ordinal)).ToArray();

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, front.Length);
        foreach (var (e, d) in expected.Zip(front))
        {
            Assert.Equal(e.Code, d.Id);
            Assert.Equal(e.IsError ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, d.Severity);
            Assert.Equal(e.Span.StartLine, d.Location.GetLineSpan().StartLinePosition.Line + 1);
            Assert.Equal(e.Span.StartColumn, d.Location.GetLineSpan().StartLinePosition.Character + 1);
            Assert.Equal(e.Message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void AnUnknownBackendIsAnError()
    {
        var (_, _, diagnostics) = GeneratorHarness.Run([("ok.axon", "flow F() {\n  step S {\n    ask: \"q\"\n  }\n}\n")], properties: GeneratorHarness.Properties(backend: "mistral"));
        var d = Assert.Single(diagnostics, d => d.Id == "AXN3001");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("'mistral'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
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
    public void AFileWithAxonExcludeIsSkipped()
    {
        var file = new InMemoryText("/src/App/skip.axon", "flow {");
        var driver = GeneratorHarness.CreateDriver([file], perFile: new() { [file.Path] = new() { ["build_metadata.AdditionalFiles.AxonExclude"] = "true" } });
        var result = driver.RunGenerators(GeneratorHarness.CreateCompilation(), TestContext.Current.CancellationToken).GetRunResult();
        Assert.Empty(result.Diagnostics);
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
