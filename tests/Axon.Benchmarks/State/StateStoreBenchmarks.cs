using System.Diagnostics;
using Axon.Runtime.Memory;
using Axon.Runtime.State;
using BenchmarkDotNet.Attributes;

namespace Axon.Benchmarks.State;

/// <summary>Where the stores under benchmark live: a temp SQLite file, or the PostgreSQL of <c>AXON_TEST_POSTGRES</c>.</summary>
internal static class BenchStores
{
    public static AxonStateOptions Options(string provider, string directory)
    {
        if (provider == "sqlite") return new AxonStateOptions { Provider = AxonStateProvider.Sqlite, Path = Path.Combine(directory, "bench.db") };
        var cs = Environment.GetEnvironmentVariable("AXON_TEST_POSTGRES")
            ?? throw new InvalidOperationException("set AXON_TEST_POSTGRES (bash .ci/postgres.sh start prints it) to benchmark PostgreSQL");
        return new AxonStateOptions { Provider = AxonStateProvider.Postgres, ConnectionString = cs, Schema = "axon_bench_" + Environment.ProcessId };
    }

    public static void Drop(AxonStateOptions options)
    {
        if (options.Provider != AxonStateProvider.Postgres) return;
        using var c = new Npgsql.NpgsqlConnection(options.ConnectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"DROP SCHEMA IF EXISTS \"{options.Schema}\" CASCADE";
        cmd.ExecuteNonQuery();
    }

    public static string Percentiles(List<double> ms)
    {
        ms.Sort();
        double P(double q) => ms.Count == 0 ? 0 : ms[Math.Min(ms.Count - 1, (int)(q * ms.Count))];
        return $"n={ms.Count} p50={P(0.50):0.000} ms p99={P(0.99):0.000} ms";
    }
}

/// <summary>
/// Latency of one resume claim (claim + complete of a saved continuation) while 2 processes × 50 resumers claim
/// at the same time: 49 other resumers in this process and 50 in a second process (tests/Axon.StateChild
/// <c>contend</c>). BenchmarkDotNet reports the per-claim mean and median; the cleanup prints p50/p99 over every
/// measured claim. <see cref="PaceMs"/> sets how hard the 99 others hammer the store.
/// </summary>
public class StateClaimBenchmarks
{
    private readonly List<double> _latencies = [];
    private DirectoryInfo _dir = null!;
    private AxonStateOptions _options = null!;
    private IExecutionStateStore _store = null!;
    private Process? _other;
    private CancellationTokenSource _stop = null!;
    private Task[] _local = [];
    private int _next;

    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    /// <summary>Each background resumer's "flow" between claim and complete, and its pause before the next
    /// claim: 0 = a tight loop (saturation), 20 = resumers that do some work.</summary>
    [Params(0, 20)]
    public int PaceMs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("axon-bench-state");
        _options = BenchStores.Options(Store, _dir.FullName);
        _store = _options.Open(_dir.FullName).State;
        _store.SaveAsync("warm", "{}"u8.ToArray(), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _stop = new CancellationTokenSource();
        _local = Enumerable.Range(0, 49).Select(w => Task.Run(async () =>
        {
            var n = 0;
            while (!_stop.IsCancellationRequested)
            {
                var id = $"bg{w}x{n++}";
                await _store.SaveAsync(id, "{}"u8.ToArray(), CancellationToken.None);
                if (await _store.TryClaimLeaseAsync(id, CancellationToken.None) is { } c)
                {
                    await Task.Delay(PaceMs);  // the resumed flow runs
                    await _store.CompleteAsync(c, CancellationToken.None);
                }
                await Task.Delay(PaceMs);
            }
        })).ToArray();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(ChildDll());
        foreach (var a in new[] { "contend", Store, Store == "sqlite" ? _options.Path! : _options.ConnectionString!, _options.Schema, "30", "50", PaceMs.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        _other = Process.Start(psi)!;
        if (_other.StandardOutput.ReadLine() != "READY") throw new InvalidOperationException("the second process did not start");
    }

    private static string ChildDll()
    {
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var tfm = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here)!);
        var tests = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(here)!)!)!)!;
        return Path.Combine(tests, "Axon.StateChild", "bin", configuration, tfm, "Axon.StateChild.dll");
    }

    [IterationSetup]
    public void SaveOne()
    {
        // Saving is not what is measured: each invocation claims a continuation saved here.
        var id = "m" + Interlocked.Increment(ref _next);
        _store.SaveAsync(id, "{}"u8.ToArray(), CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public async Task<bool> ClaimAndComplete()
    {
        var started = Stopwatch.GetTimestamp();
        var claim = await _store.TryClaimLeaseAsync("m" + Volatile.Read(ref _next), CancellationToken.None);
        var done = claim is not null && await _store.CompleteAsync(claim, CancellationToken.None);
        lock (_latencies) _latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return done;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        Task.WaitAll(_local);
        if (_other is not null)
        {
            _other.StandardInput.Close();
            if (!_other.WaitForExit(30_000)) _other.Kill(true);
            _other.Dispose();
        }
        Console.WriteLine($"// {Store} claim+complete under 2 processes × 50 resumers (pace {PaceMs} ms): {BenchStores.Percentiles(_latencies)}");
        _latencies.Clear();
        BenchStores.Drop(_options);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { _dir.Delete(true); } catch (IOException) { }
    }
}

/// <summary><c>recall</c> over 10 000 stored memories: a key hit, a value hit and a sentence query.</summary>
public class MemoryRecallBenchmarks
{
    private DirectoryInfo _dir = null!;
    private AxonStateOptions _options = null!;
    private IAxonMemoryStore _memory = null!;

    [Params("memory", "sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    [Params("item4242", "supplier 4242", "what did the supplier say about invoice 4242")]
    public string Query { get; set; } = "item4242";

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("axon-bench-memory");
        _options = Store == "memory" ? new AxonStateOptions { Provider = AxonStateProvider.Memory } : BenchStores.Options(Store, _dir.FullName);
        _memory = _options.Open(_dir.FullName).Memory;
        for (var i = 0; i < 10_000; i++)
            _memory.StoreAsync("facts", "item" + i, $"supplier {i} sent invoice {i * 7} for order {i % 97}", CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public async Task<int> Recall() => (await _memory.RetrieveAsync("facts", Query, 5, CancellationToken.None)).Count;

    [GlobalCleanup]
    public void Cleanup()
    {
        BenchStores.Drop(_options);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { _dir.Delete(true); } catch (IOException) { }
    }
}
