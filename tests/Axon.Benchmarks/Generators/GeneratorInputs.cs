using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Axon.Benchmarks.Generators;

/// <summary>An <c>.axon</c> file for the generator driver, held in memory.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);
    public override string Path { get; } = path;
    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>
/// The build properties the generator reads (root namespace, <c>anthropic</c> backend, project folder <c>/src/App/</c>),
/// as MSBuild would pass them; no per-file options.
/// </summary>
internal sealed class BuildPropertyOptions(string rootNamespace) : AnalyzerConfigOptionsProvider
{
    private static readonly Values None = new([]);

    public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(new Dictionary<string, string>
    {
        ["build_property.RootNamespace"] = rootNamespace,
        ["build_property.AxonBackend"] = "anthropic",
        ["build_property.ProjectDir"] = "/src/App/",
    });
    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;
    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => None;

    private sealed class Values(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}
