using Axon.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Axon.Generators.Tests;

public class SnapshotTests
{
    public static TheoryData<string, string> Programs => new()
    {
        { "Sample", "contract_review.axon" },
        { "Sample", "clause_check.axon" },
        { "Programs", "semantic.axon" },
        { "Programs", "names.axon" },
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public void GeneratedCodeMatchesSnapshotAndCompilesWithoutWarnings(string folder, string file)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, folder, file));
        var (run, output, diagnostics) = GeneratorHarness.Run([(file, text)]);

        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var generated = run.Results.Single().GeneratedSources;
        Assert.Equal(2, generated.Length); // the file's code + AddAxon
        foreach (var source in generated)
            Snapshot.Verify(source.SourceText.ToString(), Path.GetFileNameWithoutExtension(file) + (source.HintName.StartsWith("AxonFlowsService", StringComparison.Ordinal) ? ".services" : ".code"));
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Fact]
    public void NamesAreEscapedRenamedAndReported()
    {
        var (run, output, diagnostics) = GeneratorHarness.Run([("names.axon", GeneratorHarness.ProgramText("names.axon"))]);
        var code = run.Results.Single().GeneratedSources.Single(s => s.HintName == "names.axon.g.cs").SourceText.ToString();

        Assert.Contains("string @class", code);
        Assert.Contains("string Class,", code);
        Assert.Contains("long EqualsValue", code); // 'Equals' would collide with the record's method
        Assert.Contains("string AB2", code); // a_b and aB both become AB
        Assert.Contains("string OutcomeValue", code); // a property may not share its type's name
        Assert.Contains("string optionsValue", code);
        Assert.Contains("__AxJ.JsonElement Detail", code);
        Assert.Contains("__AxT.Task<__AxJ.JsonElement> RunAsync(", code);
        var warnings = diagnostics.Where(d => d.Id == "AXN3002").ToArray();
        Assert.Equal(2, warnings.Length); // Mystery, Unknown
        Assert.All(warnings, w => Assert.EndsWith("names.axon", w.Location.GetLineSpan().Path));
        Assert.Contains(diagnostics, d => d.Id == "AXN3004" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("'EqualsValue'"));
        Assert.Empty(GeneratorHarness.Problems(output));
    }
}
