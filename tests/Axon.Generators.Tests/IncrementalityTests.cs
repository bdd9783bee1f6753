using Axon.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Axon.Generators.Tests;

public class IncrementalityTests
{
    private static readonly string[] FileSteps = [TrackingNames.Input, TrackingNames.Compile, TrackingNames.Emit, TrackingNames.Diagnostics];

    private static string Contract => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sample", "contract_review.axon"));
    private static string Clause => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sample", "clause_check.axon"));

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun(params InMemoryText[] files)
    {
        var compilation = GeneratorHarness.CreateCompilation("namespace TestApp; public class A { }");
        var driver = GeneratorHarness.CreateDriver(files).RunGenerators(compilation, TestContext.Current.CancellationToken);
        return (driver, compilation);
    }

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs);

    [Fact]
    public void SameInputLeavesEveryStepCached()
    {
        var (driver, compilation) = FirstRun(new InMemoryText("/src/App/contract_review.axon", Contract));
        var result = driver.RunGenerators(compilation.Clone(), TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        Assert.All(FileSteps, step => Assert.All(Outputs(result, step), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason)));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void ACSharpEditRerunsNoAxonStep()
    {
        var (driver, compilation) = FirstRun(new InMemoryText("/src/App/contract_review.axon", Contract));
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace TestApp; public class B { public int X => 1; }", cancellationToken: TestContext.Current.CancellationToken));
        var result = driver.RunGenerators(edited, TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        foreach (var step in FileSteps)
            Assert.All(Outputs(result, step), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void AWhitespaceOrCommentEditLeavesTheEmitStepUnchanged()
    {
        // names.axon has warnings, so the edit moves its diagnostics (Compile step Modified) while the
        // generated source stays the same (Emit step Unchanged).
        var text = GeneratorHarness.ProgramText("names.axon");
        var original = new InMemoryText("/src/App/names.axon", text);
        var (driver, compilation) = FirstRun(original);
        var before = driver.GetRunResult();
        var source = before.Results.Single().GeneratedSources.Single(s => s.HintName == "names.axon.g.cs").SourceText.ToString();

        // New comment lines at the top, blank lines and indentation in the middle: every position moves.
        var edited = "// Reviewed on 2026-11-01.\n\n" + text.Replace("type Outcome {", "\n\n   // outcome next\ntype   Outcome {").Replace("  class: String,", "      class:    String,   ");
        driver = driver.ReplaceAdditionalText(original, new InMemoryText(original.Path, edited));
        var after = driver.RunGenerators(compilation, TestContext.Current.CancellationToken).GetRunResult();
        var result = after.Results.Single();

        Assert.All(Outputs(result, TrackingNames.Input), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.All(Outputs(result, TrackingNames.Compile), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.All(Outputs(result, TrackingNames.Emit), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        Assert.All(Outputs(result, TrackingNames.Diagnostics), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.Equal(source, result.GeneratedSources.Single(s => s.HintName == "names.axon.g.cs").SourceText.ToString());
        // The diagnostics did move with the text.
        Assert.Equal(before.Diagnostics.Length, after.Diagnostics.Length);
        Assert.All(before.Diagnostics.Zip(after.Diagnostics), p => Assert.True(
            p.Second.Location.GetLineSpan().StartLinePosition.Line >= p.First.Location.GetLineSpan().StartLinePosition.Line + 2));
    }

    [Fact]
    public void ACommentEditInAFileWithoutDiagnosticsRunsNothingAfterTheCompileStep()
    {
        var original = new InMemoryText("/src/App/contract_review.axon", Contract);
        var (driver, compilation) = FirstRun(original);
        driver = driver.ReplaceAdditionalText(original, new InMemoryText(original.Path, "// A comment.\n\n\n" + Contract.Replace("  tone: precise", "      tone:    precise   ")));
        var result = driver.RunGenerators(compilation, TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        Assert.All(Outputs(result, TrackingNames.Compile), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        Assert.All(Outputs(result, TrackingNames.Emit), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void ARealEditChangesTheEmitStep()
    {
        var original = new InMemoryText("/src/App/contract_review.axon", Contract);
        var (driver, compilation) = FirstRun(original);
        driver = driver.ReplaceAdditionalText(original, new InMemoryText(original.Path, Contract.Replace("summary: String", "summary: Summary")));
        var result = driver.RunGenerators(compilation, TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        Assert.All(Outputs(result, TrackingNames.Emit), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.Contains("__AxS.Summary Summary", result.GeneratedSources.Single(s => s.HintName == "contract_review.axon.g.cs").SourceText.ToString());
    }

    [Fact]
    public void EditingOneOfTwoFilesLeavesTheOtherCached()
    {
        var a = new InMemoryText("/src/App/contract_review.axon", Contract);
        var b = new InMemoryText("/src/App/clause_check.axon", Clause);
        var (driver, compilation) = FirstRun(a, b);
        driver = driver.ReplaceAdditionalText(b, new InMemoryText(b.Path, Clause.Replace("concerns: List<String>", "concerns: List<String>,\n  severity: RiskScore")));
        var result = driver.RunGenerators(compilation, TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        foreach (var step in new[] { TrackingNames.Input, TrackingNames.Compile, TrackingNames.Emit })
        {
            var outputs = Outputs(result, step).ToArray();
            Assert.Equal(2, outputs.Length);
            Assert.Single(outputs, o => o.Reason == IncrementalStepRunReason.Cached);
            Assert.Single(outputs, o => o.Reason == IncrementalStepRunReason.Modified);
        }
        var cachedEmit = Outputs(result, TrackingNames.Emit).Single(o => o.Reason == IncrementalStepRunReason.Cached);
        Assert.Contains("ReviewContractFlow", ((dynamic)cachedEmit.Value).Source as string);
    }

    [Fact]
    public void PipelineOutputsHoldNoCompilerOrParserObjects()
    {
        var (driver, compilation) = FirstRun(new InMemoryText("/src/App/contract_review.axon", Contract), new InMemoryText("/src/App/broken.axon", "flow {"));
        var result = driver.RunGenerators(compilation.Clone(), TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        Assert.NotEmpty(result.TrackedSteps);
        foreach (var (name, steps) in result.TrackedSteps)
        {
            if (name is TrackingNames.Options) continue; // reads AnalyzerConfigOptions, outputs a plain record (walked below)
            foreach (var step in steps)
                foreach (var (value, _) in step.Outputs)
                    GeneratorHarness.AssertNoCompilerObjects(value, name);
        }
        foreach (var (value, _) in result.TrackedSteps[TrackingNames.Options].SelectMany(s => s.Outputs))
            GeneratorHarness.AssertNoCompilerObjects(value, TrackingNames.Options);
    }
}
