using System.Diagnostics;
using Axon.Runtime.State;

namespace Axon.Runtime.Tests.State;

/// <summary>
/// Real processes resuming continuations from a durable store, killed with SIGKILL at random points: no
/// continuation is lost (each ends completed) and none completes twice.
/// </summary>
public abstract class CrashTestsBase(ITestOutputHelper output) : IDisposable
{
    private const int Kills = 50;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("axon-crash");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected async Task KillResumersAsync(AxonStateProvider provider)
    {
        var location = Path.Combine(_dir.FullName, provider == AxonStateProvider.Sqlite ? "state.db" : "state");
        var kind = provider.ToString().ToLowerInvariant();
        const string Lease = "1";
        var store = new AxonStateOptions { Provider = provider, Path = location, LeaseDuration = TimeSpan.FromSeconds(1) }.Open(_dir.FullName).State;
        var ids = (await StateTestKit.RunChildAsync(Ct, "suspend", kind, location, "public", Lease, "600"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        Assert.Equal(600, ids.Count);
        var log = Path.Combine(_dir.FullName, "log.txt");
        var idsFile = Path.Combine(_dir.FullName, "ids.txt");
        var random = new Random(1400 + (int)provider);
        var watch = Stopwatch.StartNew();
        int kills = 0, lost = 0, afterCompletion = 0;
        while (kills < Kills && watch.Elapsed < TimeSpan.FromSeconds(600)) // bounded; about 2 min on an idle 2-core machine
        {
            var open = new List<string>();
            foreach (var id in ids)
                if (await StateTestKit.Status(store, id) != ContinuationStatus.Completed) open.Add(id);
            if (open.Count == 0) break;
            var before = File.Exists(log) ? File.ReadAllLines(log).Length : 0;
            // Two resuming processes at a time, on disjoint halves, each killed at its own random moment.
            var children = new List<(Process Child, int Delay)>();
            for (var half = 0; half < 2; half++)
            {
                var file = idsFile + half;
                await File.WriteAllLinesAsync(file, open.Where((_, i) => i % 2 == half), Ct);
                children.Add((Process.Start(StateTestKit.Child("resume", kind, location, "public", Lease, file, log))!, random.Next(0, 200)));
            }
            try
            {
                // Each process is killed at its own delay after its own READY (warm processes resume one continuation
                // in about 20–100 ms): kills land before, inside and between resumes.
                await Task.WhenAll(children.Select(async c =>
                {
                    Assert.Equal("READY", await c.Child.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(120), Ct));
                    await Task.Delay(c.Delay, Ct);
                    c.Child.Kill(entireProcessTree: true); // SIGKILL: no finally block, no flush, no goodbye
                }));
                foreach (var (child, _) in children) await child.WaitForExitAsync(Ct);
            }
            finally
            {
                foreach (var (child, _) in children)
                {
                    if (!child.HasExited) child.Kill(true);
                    child.Dispose();
                }
            }
            kills += children.Count;
            if ((File.Exists(log) ? File.ReadAllLines(log).Length : 0) > before) afterCompletion++;
            foreach (var id in ids)
                if (await StateTestKit.Status(store, id) is ContinuationStatus.Unknown or ContinuationStatus.Quarantined) lost++;
        }

        // Recovery: after the dead resumers' leases expire, one unkilled process resumes whatever is left.
        await Task.Delay(1500, Ct);
        var left = new List<string>();
        foreach (var id in ids)
            if (await StateTestKit.Status(store, id) != ContinuationStatus.Completed) left.Add(id);
        await File.WriteAllLinesAsync(idsFile, left, Ct);
        await StateTestKit.RunChildAsync(Ct, "resume", kind, location, "public", Lease, idsFile, log);

        var completions = File.ReadAllLines(log).Where(l => l.StartsWith("COMPLETED ", StringComparison.Ordinal))
            .GroupBy(l => l.Split(' ')[1]).ToDictionary(g => g.Key, g => g.Count());
        var doubles = completions.Count(c => c.Value > 1);
        var notCompleted = 0;
        foreach (var id in ids)
            if (await StateTestKit.Status(store, id) != ContinuationStatus.Completed) notCompleted++;
        output.WriteLine($"{kind}: {kills} kills in {kills / 2} rounds ({afterCompletion} rounds killed after some resume had completed), {ids.Count} continuations, " +
            $"{completions.Count} completions logged, {left.Count} recovered at the end, lost {lost}, not completed {notCompleted}, double {doubles}, {watch.Elapsed.TotalSeconds:0} s");
        Assert.True(kills >= Kills, $"only {kills} kills");
        Assert.True(afterCompletion >= 5, $"only {afterCompletion} rounds killed after a completed resume: the kills do not reach the resumes");
        Assert.True(left.Count < ids.Count, "the killed processes completed nothing");
        Assert.Equal(0, lost);
        Assert.Equal(0, notCompleted);
        Assert.Equal(0, doubles);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { _dir.Delete(true); } catch (IOException) { }
    }
}

public sealed class SqliteCrashTests(ITestOutputHelper output) : CrashTestsBase(output)
{
    [Fact]
    public Task Killing_resuming_processes_50_times_loses_nothing_and_resumes_nothing_twice_sqlite() => KillResumersAsync(AxonStateProvider.Sqlite);
}

public sealed class FileStoreCrashTests(ITestOutputHelper output) : CrashTestsBase(output)
{
    [Fact]
    public Task Killing_resuming_processes_50_times_loses_nothing_and_resumes_nothing_twice_file_store() => KillResumersAsync(AxonStateProvider.File);
}

/// <summary>Two processes race to resume the same continuations in PostgreSQL, released together for each id.</summary>
public sealed class PostgresRaceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_processes_racing_on_100_continuations_resume_each_exactly_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = StateTestKit.Postgres();
        var schema = StateTestKit.NewSchema();
        var dir = Directory.CreateTempSubdirectory("axon-race");
        try
        {
            var ids = (await StateTestKit.RunChildAsync(ct, "suspend", "postgres", cs, schema, "30", "100"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(100, ids.Length);
            var idsFile = Path.Combine(dir.FullName, "ids.txt");
            var log = Path.Combine(dir.FullName, "log.txt");
            await File.WriteAllLinesAsync(idsFile, ids, ct);
            var psi = StateTestKit.Child("resume", "postgres", cs, schema, "30", idsFile, log, "-", "40");
            psi.RedirectStandardInput = true;
            using var a = Process.Start(psi)!;
            using var b = Process.Start(psi)!;
            try
            {
                foreach (var p in new[] { a, b })
                    Assert.Equal("READY", await p.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), ct));
                var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 300;
                foreach (var p in new[] { a, b })
                {
                    await p.StandardInput.WriteLineAsync(start.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    await p.StandardInput.FlushAsync(ct);
                }
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(120));
                await a.WaitForExitAsync(timeout.Token);
                await b.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                if (!a.HasExited) a.Kill(true);
                if (!b.HasExited) b.Kill(true);
            }
            var lines = File.ReadAllLines(log);
            var completed = lines.Where(l => l.StartsWith("COMPLETED ", StringComparison.Ordinal)).GroupBy(l => l.Split(' ')[1]).ToDictionary(g => g.Key, g => g.Count());
            var byProcess = lines.Where(l => l.StartsWith("COMPLETED ", StringComparison.Ordinal)).GroupBy(l => l.Split(' ')[2]).Select(g => g.Count()).ToArray();
            output.WriteLine($"100 races: {completed.Count} resumed, {completed.Count(c => c.Value > 1)} double, {lines.Length - completed.Values.Sum()} refused; per process {string.Join("/", byProcess)}");
            Assert.Equal(100, completed.Count);
            Assert.All(completed.Values, n => Assert.Equal(1, n));
            Assert.Equal(200, lines.Length); // every attempt either resumed or was refused
        }
        finally
        {
            StateTestKit.DropSchema(cs, schema);
            dir.Delete(true);
        }
    }
}
