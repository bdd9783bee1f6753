using System.Text;
using Axon.Language;
using BenchmarkDotNet.Attributes;

namespace Axon.Benchmarks.Language;

/// <summary>
/// Warm front-end throughput: lex + parse + check + IR on a ~1 MB valid program it generates.
/// Target: at least 30 MB/s (the reference's Rust rewrite does 28 MB/s). The MB/s column prints the figure.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class FrontEndBenchmarks
{
    private string _source = "";

    /// <summary>Bytes of UTF-8 source per operation, read by the MB/s column.</summary>
    public static int SourceBytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _source = AxonSourceGenerator.Generate(1_000_000);
        SourceBytes = Encoding.UTF8.GetByteCount(_source);
        var check = AxonCompiler.Compile(_source);
        if (!check.Success || check.Ir == null)
            throw new InvalidOperationException("The generated program must be valid: " + check.Errors.FirstOrDefault()?.Message);
    }

    [Benchmark(Description = "lex+parse+check+IR, 1 MB")]
    public object Compile() => AxonCompiler.Compile(_source).Ir!;
}
