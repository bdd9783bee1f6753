using Axon.Runtime.Memory;
using Axon.Runtime.State;

namespace Axon.Runtime.Tests.State;

/// <summary>The claim/renew/complete/release/quarantine protocol, the same for every store.</summary>
public sealed class StateStoreContractTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("axon-state-contract");
    private readonly List<(string Cs, string Schema)> _schemas = [];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Stores => ["memory", "file", "sqlite", "postgres"];
    public static TheoryData<string> LeasedStores => ["memory", "sqlite", "postgres"];

    private IExecutionStateStore Open(string kind, TimeSpan? lease = null)
    {
        var options = new AxonStateOptions { LeaseDuration = lease ?? TimeSpan.FromSeconds(30) };
        switch (kind)
        {
            case "memory": options.Provider = AxonStateProvider.Memory; break;
            case "file": options.Provider = AxonStateProvider.File; options.Path = Path.Combine(_dir.FullName, "files"); break;
            case "sqlite": options.Provider = AxonStateProvider.Sqlite; options.Path = Path.Combine(_dir.FullName, "state.db"); break;
            default:
                options.Provider = AxonStateProvider.Postgres;
                options.ConnectionString = StateTestKit.Postgres();
                options.Schema = StateTestKit.NewSchema();
                _schemas.Add((options.ConnectionString, options.Schema));
                break;
        }
        return options.Open(_dir.FullName).State;
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_claim_is_exclusive_and_a_completed_continuation_never_resumes_again(string kind)
    {
        var store = Open(kind);
        await store.SaveAsync("c1", "{\"x\":1}"u8.ToArray(), Ct);
        Assert.Equal(["c1"], await store.ListPendingAsync(Ct));
        Assert.Equal(ContinuationStatus.Pending, await store.GetStatusAsync("c1", Ct));

        var claim = await store.TryClaimLeaseAsync("c1", Ct);
        Assert.NotNull(claim);
        Assert.Equal("{\"x\":1}"u8.ToArray(), claim.State);
        Assert.Null(await store.TryClaimLeaseAsync("c1", Ct)); // held
        Assert.Empty(await store.ListPendingAsync(Ct));
        Assert.Null(await store.LoadAsync("c1", Ct));
        Assert.True(await store.RenewLeaseAsync(claim, Ct));

        Assert.True(await store.CompleteAsync(claim, Ct));
        Assert.Equal(ContinuationStatus.Completed, await store.GetStatusAsync("c1", Ct));
        Assert.Null(await store.TryClaimLeaseAsync("c1", Ct));
        Assert.Null(await store.TryClaimAsync("c1", Ct));
        Assert.False(await store.CompleteAsync(claim, Ct)); // once
        Assert.Empty(await store.ListPendingAsync(Ct));
        Assert.Equal(ContinuationStatus.Unknown, await store.GetStatusAsync("nope", Ct));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Release_gives_it_back_and_quarantine_moves_it_aside(string kind)
    {
        var store = Open(kind);
        await store.SaveAsync("r1", "abc"u8.ToArray(), Ct);
        var claim = await store.TryClaimLeaseAsync("r1", Ct);
        await store.ReleaseAsync(claim!, Ct);
        Assert.Equal(ContinuationStatus.Pending, await store.GetStatusAsync("r1", Ct));

        var again = await store.TryClaimLeaseAsync("r1", Ct);
        Assert.NotNull(again);
        await store.QuarantineAsync(again, "bad bytes", Ct);
        Assert.Equal(ContinuationStatus.Quarantined, await store.GetStatusAsync("r1", Ct));
        Assert.Null(await store.TryClaimLeaseAsync("r1", Ct));
        Assert.Empty(await store.ListPendingAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task The_legacy_claim_still_claims_once(string kind)
    {
        var store = Open(kind);
        await store.SaveAsync("l1", "abc"u8.ToArray(), Ct);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await store.TryClaimAsync("l1", Ct), Ct)));
        Assert.Single(results, r => r is not null);
    }

    [Theory]
    [MemberData(nameof(LeasedStores))]
    public async Task A_claim_whose_resumer_stopped_renewing_becomes_resumable_after_the_lease(string kind)
    {
        var store = Open(kind, TimeSpan.FromMilliseconds(400));
        await store.SaveAsync("e1", "abc"u8.ToArray(), Ct);
        var dead = await store.TryClaimLeaseAsync("e1", Ct);
        Assert.NotNull(dead);
        Assert.Null(await store.TryClaimLeaseAsync("e1", Ct));
        await Task.Delay(700, Ct);
        Assert.Equal(ContinuationStatus.Pending, await store.GetStatusAsync("e1", Ct));
        Assert.Equal(["e1"], await store.ListPendingAsync(Ct));

        var next = await store.TryClaimLeaseAsync("e1", Ct);
        Assert.NotNull(next);
        // The stale resumer lost it: it can neither renew nor complete, so there is one completion.
        Assert.False(await store.RenewLeaseAsync(dead, Ct));
        Assert.False(await store.CompleteAsync(dead, Ct));
        Assert.True(await store.CompleteAsync(next, Ct));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Concurrent_claims_from_many_tasks_give_one_winner(string kind)
    {
        var store = Open(kind);
        for (var i = 0; i < 20; i++) await store.SaveAsync("k" + i, "abc"u8.ToArray(), Ct);
        var wins = await Task.WhenAll(Enumerable.Range(0, 20).SelectMany(i => Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var c = await store.TryClaimLeaseAsync("k" + i, Ct);
            return c is null ? null : c.ContinuationId;
        }, Ct))));
        Assert.Equal(20, wins.Count(w => w is not null));
        Assert.Equal(20, wins.Where(w => w is not null).Distinct().Count());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Memory_recall_scores_like_the_in_memory_store(string kind)
    {
        var options = new AxonStateOptions { Provider = kind == "sqlite" ? AxonStateProvider.Sqlite : AxonStateProvider.Postgres };
        if (kind == "sqlite") options.Path = Path.Combine(_dir.FullName, "memory.db");
        else
        {
            options.ConnectionString = StateTestKit.Postgres();
            options.Schema = StateTestKit.NewSchema();
            _schemas.Add((options.ConnectionString, options.Schema));
        }
        var time = new Routing.ManualTimeProvider();
        var durable = options.Open(_dir.FullName, time).Memory;
        var reference = new InMemoryMemoryStore(time);
        (string K, string V)[] items =
        [
            ("contract", "The supplier contract renews in May"), ("Contract_terms", "net 30 payment"), ("risk", "supplier insolvency risk is low"),
            ("notes", "meeting moved"), ("contract", "The supplier contract renews in June"),
        ];
        foreach (var (k, v) in items)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await durable.StoreAsync("m", k, v, Ct);
            await reference.StoreAsync("m", k, v, Ct);
        }
        foreach (var q in new[] { "contract", "CONTRACT", "terms", "supplier", "what about payment terms today", "", "nothing-here" })
        {
            var expected = await reference.RetrieveAsync("m", q, 3, Ct);
            var actual = await durable.RetrieveAsync("m", q, 3, Ct);
            Assert.Equal(expected.Select(e => (e.Key, e.Value, e.Score)), actual.Select(e => (e.Key, e.Value, e.Score)));
        }
        Assert.Empty(await durable.RetrieveAsync("other", "contract", 3, Ct));
    }

    public void Dispose()
    {
        foreach (var (cs, schema) in _schemas) StateTestKit.DropSchema(cs, schema);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { _dir.Delete(true); } catch (IOException) { }
    }
}
