using Axon.Cli.Tests.Support;
using Axon.Runtime.State;

namespace Axon.Cli.Tests;

/// <summary><c>axon run</c> keeps hibernated runs in the configured store: SQLite in <c>.axon/state.db</c> by default.</summary>
public sealed class StateStoreSelectionTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(60);

    private const string Program = """
        flow Approve(order: Document) -> Summary {
          step Check { given: order ask: "Check the order." output: Summary }
          hibernate until "cfo_signoff" timeout 72h
        }
        run Approve(po)
        """;

    [Fact]
    public async Task A_suspended_run_is_pending_in_the_default_sqlite_file_of_the_working_directory()
    {
        using var dir = new TempDir();
        dir.Write("approve.axon", Program);
        var r = AxonProcess.Run(dir.Path, Quick, null, "run", "approve.axon", "-b", "stub");
        Assert.True(r.Exit == 0, r.ToString());
        var db = Path.Combine(dir.Path, ".axon", "state.db");
        Assert.True(File.Exists(db), r.ToString());
        var store = new SqliteExecutionStateStore(db);
        var pending = await store.ListPendingAsync(TestContext.Current.CancellationToken);
        Assert.Single(pending);
        Assert.Contains(pending[0], r.Out);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void The_file_store_is_chosen_by_environment_and_a_bad_setting_is_a_usage_error()
    {
        using var dir = new TempDir();
        dir.Write("approve.axon", Program);
        var r = AxonProcess.Run(dir.Path, Quick, new Dictionary<string, string?> { ["AXON_STATE_PROVIDER"] = "file", ["AXON_STATE_PATH"] = "held" },
            "run", "approve.axon", "-b", "stub");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, "held"), "*.state.json"));
        Assert.False(File.Exists(Path.Combine(dir.Path, ".axon", "state.db")));

        var bad = AxonProcess.Run(dir.Path, Quick, new Dictionary<string, string?> { ["AXON_STATE_PROVIDER"] = "redis" }, "run", "approve.axon", "-b", "stub");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("AXON_STATE_PROVIDER", bad.Err);
        Assert.DoesNotContain("   at ", bad.All);
    }
}
