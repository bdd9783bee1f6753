namespace Axon.Benchmarks.Providers;

/// <summary>
/// Paired medians: on a shared machine the load drifts between BenchmarkDotNet's per-method runs, which skews Ratio;
/// alternating the paths in one loop and comparing their medians cancels most of that drift.
/// </summary>
internal static class PairedMedians
{
    /// <summary>
    /// "warm" alternates blocks of calls, so each path runs back to back as in BenchmarkDotNet's loop; "cold" alternates
    /// single calls, so every call starts with caches full of the other paths' code and data.
    /// </summary>
    public static readonly (string Label, int Block, int Rounds)[] Schedules = [("warm", 100, 40), ("cold", 1, 3000)];

    /// <summary>Runs <paramref name="rounds"/> rounds of <paramref name="block"/> calls of each path in turn; the median microseconds per path.</summary>
    public static double[] Measure(IReadOnlyList<Func<Task<int>>> paths, int block, int rounds)
    {
        var times = paths.Select(_ => new List<double>(block * rounds)).ToArray();
        for (var r = 0; r < rounds; r++)
            for (var p = 0; p < paths.Count; p++)
                for (var i = 0; i < block; i++)
                    times[p].Add(Time(paths[p]));
        return [.. times.Select(Median)];
    }

    private static double Time(Func<Task<int>> call)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        call().GetAwaiter().GetResult();
        return System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
