using System.Collections;
using System.Reflection;
using Axon.Cli.Running;
using Axon.Generators.Tests.Support;
using Axon.Language;
using Axon.Runtime.Model;

namespace Axon.Generators.Tests;

/// <summary>
/// One mapping: the model the generated code builds and the model <c>axon run</c> builds from the same
/// program are the same, node for node. Positions are left out: the generator embeds order keys instead
/// of line numbers so that whitespace edits regenerate nothing.
/// </summary>
public sealed class ParityTests
{
    private static readonly string CorpusDir = Path.Combine(AppContext.BaseDirectory, "Corpus");

    public static TheoryData<string> ValidPrograms()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(CorpusDir, "*.axon").Order(StringComparer.Ordinal))
            if (AxonCompiler.Compile(File.ReadAllText(file)) is { Success: true, Ir.Flows.Count: > 0 }) data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidPrograms))]
    public void GeneratedModelEqualsTheCliMapping(string file)
    {
        string text = File.ReadAllText(Path.Combine(CorpusDir, file));
        var cli = ProgramLoader.Load(AxonCompiler.Compile(text).Ir!, file, "anthropic");

        var (_, output, diagnostics) = GeneratorHarness.Run([(file, text)]);
        Assert.DoesNotContain(diagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        using var pe = new MemoryStream();
        var emit = output.Emit(pe, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var assembly = new System.Runtime.Loader.AssemblyLoadContext(file, isCollectible: true).LoadFromStream(new MemoryStream(pe.ToArray()));
        var programClass = assembly.GetTypes().Single(t => t.Name == Emitter.ProgramClassName(file));
        var generated = (AxonProgram)programClass.GetProperty("Program", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

        AssertSameModel(cli, generated, "program");
    }

    private static void AssertSameModel(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: {Describe(expected)} vs {Describe(actual)}");
            return;
        }
        // Collections compare element by element, whatever their concrete type (array or list).
        if (expected is IEnumerable e && expected is not string && actual is IEnumerable a)
        {
            var left = e.Cast<object?>().ToList();
            var right = a.Cast<object?>().ToList();
            Assert.True(left.Count == right.Count, $"{path}: {left.Count} vs {right.Count} items");
            for (int i = 0; i < left.Count; i++) AssertSameModel(left[i], right[i], $"{path}[{i}]");
            return;
        }
        Assert.True(expected.GetType() == actual.GetType(), $"{path}: {expected.GetType().Name} vs {actual.GetType().Name}");
        var type = expected.GetType();
        if (type.IsPrimitive || type.IsEnum || expected is string or decimal)
        {
            Assert.True(Equals(expected, actual), $"{path}: {expected} vs {actual}");
            return;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.Name is "Position" or "Source" or "EqualityContract") continue;
            AssertSameModel(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
        }
    }

    private static string Describe(object? value) => value?.ToString() ?? "null";
}
