using System.Collections.Immutable;
using System.Globalization;
using Axon.Generators;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Axon.Benchmarks.Generators;

/// <summary>
/// Source generator cost: a full run over 200 <c>.axon</c> files (a cold build or a fresh IDE session),
/// and one edited file among the 200 (the IDE case; target ≤ 5 ms per edit).
/// Usage: dotnet run -c Release --project tests/Axon.Benchmarks -- --filter '*GeneratorBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRun))]
public class GeneratorBenchmarks
{
    /// <summary>
    /// In process: BenchmarkDotNet's out-of-process build overrides IntermediateOutputPath, which breaks the
    /// ANTLR code generation of Axon.Language; a short run is enough for millisecond figures.
    /// </summary>
    public sealed class InProcessShortRun : ManualConfig
    {
        public InProcessShortRun() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }

    private const int FileCount = 200;
    // One provider for every driver, so a full run does not measure building the options.
    private static readonly BuildPropertyOptions Options = new("Bench");

    private CSharpCompilation _compilation = null!;
    private ImmutableArray<AdditionalText> _files;
    private GeneratorDriver _warm = null!;
    private AdditionalText _current = null!;
    private AdditionalText _other = null!;

    [GlobalSetup]
    public void Setup()
    {
        _compilation = CSharpCompilation.Create("Bench", [CSharpSyntaxTree.ParseText("namespace Bench; public class A { }")]);
        _files = [.. Enumerable.Range(0, FileCount).Select(i => (AdditionalText)new InMemoryAdditionalText($"/src/App/flows/review{i}.axon", Program(i, "")))];
        _warm = NewDriver().RunGenerators(_compilation);
        // The edited file alternates between two real versions, so every run recompiles exactly one file.
        _current = _files[FileCount / 2];
        _other = new InMemoryAdditionalText(_current.Path, Program(FileCount / 2, "  escalation: Opinion?\n"));
    }

    private GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(
        generators: [new AxonGenerator().AsSourceGenerator()],
        additionalTexts: _files,
        optionsProvider: Options,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));

    /// <summary>All 200 files from scratch.</summary>
    [Benchmark]
    public GeneratorDriver FullRun200Files() => NewDriver().RunGenerators(_compilation);

    /// <summary>One of 200 files edited, the rest cached.</summary>
    [Benchmark]
    public GeneratorDriver OneEditedFileOf200()
    {
        _warm = _warm.ReplaceAdditionalText(_current, _other).RunGenerators(_compilation);
        (_current, _other) = (_other, _current);
        return _warm;
    }

    /// <summary>The per-file share of an edit: front end + emission of one file, without the driver.</summary>
    [Benchmark]
    public object CompileAndEmitOneFile() =>
        AxonGenerator.CompileFile(new AxonInput(_current.Path, _current.GetText()!.ToString()), new GeneratorOptions("Bench", "anthropic", "/src/App/"), default);

    private static string Program(int i, string extraField)
    {
        var n = i.ToString(CultureInfo.InvariantCulture);
        return $$"""
            // Review program {{n}}.
            persona LegalExpert{{n}} {
              domain: ["contract law", "liability"]
              tone: precise
              confidence_threshold: 0.8
            }

            context Review{{n}} {
              memory: session
              depth: deep
            }

            anchor CiteClauses{{n}} {
              require: source_citation
              on_violation: warn
            }

            type Risk{{n}}(0.0..1.0)

            type Finding{{n}} {
              clause: String,
              risk: Risk{{n}},
              explanation: Opinion,
            {{extraField}}  mitigation: Opinion?
            }

            type Review{{n}}Result {
              parties: List<FactualClaim>,
              findings: List<Finding{{n}}>,
              summary: String
            }

            flow ReviewContract{{n}}(contract: Document) -> Review{{n}}Result {
              step Extract {
                given: contract
                ask: "List the parties, obligations and penalties."
                output: EntityMap
              }
              step Assess {
                given: Extract.output
                ask: "Find risky clauses."
                output: Finding{{n}}
              }
              step Report {
                given: Assess.output
                ask: "Write the review."
                output: Review{{n}}Result
              }
            }

            run ReviewContract{{n}}(lease)
              as LegalExpert{{n}}
              within Review{{n}}
              constrained_by [CiteClauses{{n}}]
              effort: high
            """;
    }
}
