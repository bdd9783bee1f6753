using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using AxonCompiler = Axon.Language.AxonCompiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Axon.Generators.Tests.Support;

/// <summary>
/// The generator under <c>Microsoft.CodeAnalysis.Testing</c>: <c>.axon</c> files are additional files under
/// <see cref="GeneratorHarness.ProjectDir"/>, MSBuild properties a global config, and the compilation references the
/// test's own framework and Axon.Runtime. Every diagnostic, the generator's (located in the <c>.axon</c> file) and
/// the compiler's on the generated code, must be listed in <c>ExpectedDiagnostics</c> or as markup in C# sources.
/// Generated text is not compared (the snapshot tests do that), only that it compiles.
/// </summary>
internal sealed class AxonGeneratorTest : CSharpSourceGeneratorTest<AxonGenerator, DefaultVerifier>
{
    // The running framework's assemblies: no reference-assembly package is downloaded (the feed is a mirror).
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
            paths.TryAdd(Path.GetFileName(p), p);
        return [.. paths.Values
            .Where(p => !Path.GetFileName(p).StartsWith("xunit", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    public AxonGeneratorTest(Dictionary<string, string>? properties = null, Dictionary<string, Dictionary<string, string>>? perFile = null)
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(References.Value);
        TestState.AnalyzerConfigFiles.Add(("/.globalconfig", GlobalConfig(properties ?? GeneratorHarness.Properties(), perFile)));
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        // The generator emits #nullable enable code; the compiler's errors on it are what these tests look for.
        CompilerDiagnostics = CompilerDiagnostics.Errors;
    }

    /// <summary>Adds an <c>.axon</c> file as <c>/src/App/&lt;name&gt;</c>.</summary>
    public AxonGeneratorTest WithAxon(string name, string text)
    {
        TestState.AdditionalFiles.Add((GeneratorHarness.ProjectDir + name, text));
        return this;
    }

    /// <summary>Adds a C# source (markup such as <c>{|CS1503:x|}</c> marks expected compiler errors).</summary>
    public AxonGeneratorTest WithCode(string code)
    {
        TestState.Sources.Add(code);
        return this;
    }

    /// <summary>Expects exactly the front end's diagnostics for <paramref name="text"/>, located in <c>/src/App/&lt;name&gt;</c>.</summary>
    public AxonGeneratorTest ExpectingFrontEnd(string name, string text)
    {
        ExpectedDiagnostics.AddRange(FrontEnd(name, text));
        return this;
    }

    /// <summary>The front end's diagnostics as the generator must report them: code, severity, span and message.</summary>
    public static IEnumerable<DiagnosticResult> FrontEnd(string name, string text) =>
        AxonCompiler.Compile(text).Diagnostics.Select(d =>
            new DiagnosticResult(d.Code, d.IsError ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning)
                .WithSpan(GeneratorHarness.ProjectDir + name, d.Span.StartLine, d.Span.StartColumn, d.Span.EndLine, d.Span.EndColumn)
                .WithMessage(d.Message)
                // Related positions (where the reference reports the error) are checked by the harness tests.
                .WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));

    protected override Task RunImplAsync(CancellationToken cancellationToken)
    {
        // The framework wants one C# document; a project of only .axon files has an empty one.
        if (TestState.Sources.Count == 0) TestState.Sources.Add(("/src/App/Empty.cs", "namespace TestApp;\n"));
        return base.RunImplAsync(cancellationToken);
    }

    protected override ParseOptions CreateParseOptions() => new CSharpParseOptions(LanguageVersion.Latest);

    protected override CompilationOptions CreateCompilationOptions() =>
        ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);

    private static string GlobalConfig(Dictionary<string, string> properties, Dictionary<string, Dictionary<string, string>>? perFile)
    {
        var text = new StringBuilder("is_global = true\n");
        foreach (var (key, value) in properties) text.Append(CultureInfo.InvariantCulture, $"{key} = {value}\n");
        foreach (var (path, values) in perFile ?? [])
        {
            text.Append(CultureInfo.InvariantCulture, $"[{path}]\n");
            foreach (var (key, value) in values) text.Append(CultureInfo.InvariantCulture, $"{key} = {value}\n");
        }
        return text.ToString();
    }
}
