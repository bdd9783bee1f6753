using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using Axon.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Axon.Generators.Tests.Support;

/// <summary>An in-memory AdditionalFile.</summary>
internal sealed class InMemoryText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;
    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
}

/// <summary>Global MSBuild properties and per-file metadata, as the build passes them to generators.</summary>
internal sealed class TestOptionsProvider(Dictionary<string, string> global, Dictionary<string, Dictionary<string, string>>? perFile = null) : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(global);
    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);
    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        new Options(perFile is not null && perFile.TryGetValue(textFile.Path, out var o) ? o : []);

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}

/// <summary>Runs the generator through <see cref="CSharpGeneratorDriver"/> on in-memory files.</summary>
internal static class GeneratorHarness
{
    public const string ProjectDir = "/src/App/";

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        // The framework plus everything the test references (Axon.Runtime and its dependencies).
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
            paths.TryAdd(Path.GetFileName(p), p);
        return [.. paths.Values.Where(p => !Path.GetFileName(p).StartsWith("xunit", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    public static Dictionary<string, string> Properties(string? backend = null, string? ns = "TestApp") => new()
    {
        ["build_property.RootNamespace"] = ns ?? "",
        ["build_property.AxonBackend"] = backend ?? "",
        ["build_property.ProjectDir"] = ProjectDir,
    };

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create("TestApp",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: $"Code{i}.cs", cancellationToken: TestContext.Current.CancellationToken)),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> files, Dictionary<string, string>? properties = null,
        Dictionary<string, Dictionary<string, string>>? perFile = null) =>
        CSharpGeneratorDriver.Create(
            generators: [new AxonGenerator().AsSourceGenerator()],
            additionalTexts: files,
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            optionsProvider: new TestOptionsProvider(properties ?? Properties(), perFile),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator on files named <c>/src/App/&lt;name&gt;</c>; returns the run and the compilation with the generated code.</summary>
    public static (GeneratorDriverRunResult Run, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Run(
        IEnumerable<(string Name, string Text)> files, string[]? code = null, Dictionary<string, string>? properties = null)
    {
        var driver = CreateDriver(files.Select(f => new InMemoryText(ProjectDir + f.Name, f.Text)), properties);
        driver = driver.RunGeneratorsAndUpdateCompilation(CreateCompilation(code ?? []), out var output, out var diagnostics, TestContext.Current.CancellationToken);
        return (driver.GetRunResult(), output, diagnostics);
    }

    public static string ProgramText(string name, [CallerFilePath] string caller = "") =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Programs", name));

    /// <summary>The compiler diagnostics of warning severity and above.</summary>
    public static Diagnostic[] Problems(Compilation c) =>
        [.. c.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity >= DiagnosticSeverity.Warning)];

    /// <summary>Fails when an object graph reachable from <paramref name="value"/> holds a compiler or parser object.</summary>
    public static void AssertNoCompilerObjects(object? value, string path = "output")
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Walk(value, path, seen);
    }

    private static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        var type = value.GetType();
        if (!type.IsValueType && !seen.Add(value)) return;
        Assert.False(value is Compilation || value is ISymbol || value is SyntaxNode || value is SyntaxTree || value is SemanticModel,
            $"{path} holds a {type.FullName}");
        Assert.False(type.Namespace?.StartsWith("Antlr4", StringComparison.Ordinal) == true || type.Namespace?.StartsWith("Axon.Language", StringComparison.Ordinal) == true,
            $"{path} holds a parser/front-end object {type.FullName}");
        if (value is System.Collections.IEnumerable list)
        {
            var items = new List<object?>();
            try
            {
                foreach (var item in list) items.Add(item);
            }
            catch (InvalidOperationException)
            {
                return; // a default ImmutableArray holds nothing
            }
            for (var i = 0; i < items.Count; i++) Walk(items[i], $"{path}[{i}]", seen);
            return;
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (!f.FieldType.IsPointer) Walk(f.GetValue(value), $"{path}.{f.Name}", seen);
    }
}
