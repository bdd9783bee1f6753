using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Axon.Benchmarks.Language;

/// <summary>Adds MB/s (from the mean time) and bytes allocated per MB of source (from the memory diagnoser).</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddColumn(new SourceColumn("Throughput", "MB/s", "Source megabytes (10^6 bytes) processed per second",
            (summary, c, megabytes) => summary[c]?.ResultStatistics is { } stats ? megabytes / (stats.Mean / 1e9) : null));
        AddColumn(new SourceColumn("AllocPerMB", "Alloc/MB", "Megabytes allocated per megabyte of source (exact)",
            (summary, c, megabytes) => summary[c]?.GcStats.GetBytesAllocatedPerOperation(c) is long bytes ? bytes / 1e6 / megabytes : null));
    }

    private static readonly ConcurrentDictionary<int, double> Megabytes = new();

    private sealed class SourceColumn(string id, string name, string legend, Func<Summary, BenchmarkCase, double, double?> value) : IColumn
    {
        public string Id => id;
        public string ColumnName => name;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => legend;
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            // The benchmark computed the size in its own setup; recompute it here (same deterministic generator).
            int size = benchmarkCase.Parameters["SourceSize"] is int s ? s : 1_000_000;
            double megabytes = Megabytes.GetOrAdd(size, n => FrontEndBenchmarks.SourceBytesOf(n) / 1e6);
            return value(summary, benchmarkCase, megabytes) is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) : "n/a";
        }
    }
}
