using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace Axon.Benchmarks.Providers;

/// <summary>The Ratio column to the baseline, as a plain value: the provider targets are stated as such ratios.</summary>
internal sealed class RatioConfig : ManualConfig
{
    public RatioConfig()
    {
        AddColumn(BaselineRatioColumn.RatioMean);
        WithSummaryStyle(BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(RatioStyle.Value));
    }
}
