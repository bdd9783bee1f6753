using System.Text.Json.Nodes;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.State;
using Axon.Runtime.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Axon.Runtime.Tests.State;

/// <summary>Corrupt, truncated or incompatible state: a typed error, quarantined, never pending, nothing run.</summary>
public sealed class ResumeSafetyTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("axon-resume-safety");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly Dictionary<string, object?> NoArgs = new();

    private static FlowDefinition Flow() => new("Approve", [
        new StepNode("Check") { Ask = "check" },
        new HibernateNode("signoff") { Timeout = "72h", ContinuationId = "h1" },
        new StepNode("Finish") { Ask = "finish with {{signoff}}" },
    ]);

    private IExecutionStateStore Store(string kind) => kind switch
    {
        "sqlite" => new SqliteExecutionStateStore(Path.Combine(_dir.FullName, "s.db")),
        "file" => new FileSystemExecutionStateStore(Path.Combine(_dir.FullName, "files")),
        _ => new InMemoryExecutionStateStore(),
    };

    public static TheoryData<string, string> Corruptions()
    {
        var data = new TheoryData<string, string>();
        foreach (var store in new[] { "sqlite", "file", "memory" })
            foreach (var c in new[] { "truncated", "garbage", "empty", "missing_values", "wrong_type", "next_index_999", "next_index_0", "not_a_hibernate", "wrong_event", "other_id", "version_2", "bad_last_output" })
                data.Add(store, c);
        return data;
    }

    private static byte[] Corrupt(byte[] valid, string how)
    {
        JsonObject Json() => JsonNode.Parse(valid)!.AsObject();
        byte[] With(Action<JsonObject> edit)
        {
            var o = Json();
            edit(o);
            return System.Text.Encoding.UTF8.GetBytes(o.ToJsonString());
        }
        return how switch
        {
            "truncated" => valid[..(valid.Length / 2)],
            "garbage" => "\u0001\u0002 not json at all"u8.ToArray(),
            "empty" => [],
            "missing_values" => With(o => o.Remove("values")),
            "wrong_type" => With(o => o["next_index"] = "two"),
            "next_index_999" => With(o => o["next_index"] = 999),
            "next_index_0" => With(o => o["next_index"] = 0),
            "not_a_hibernate" => With(o => o["next_index"] = 3),
            "wrong_event" => With(o => o["event"] = "someone_else"),
            "other_id" => With(o => o["continuation_id"] = "0000"),
            "version_2" => With(o => o["version"] = 2),
            _ => With(o => o["last_output"] = "Nowhere"),
        };
    }

    [Theory]
    [MemberData(nameof(Corruptions))]
    public async Task Corrupt_or_incompatible_state_is_a_typed_error_and_is_quarantined(string kind, string how)
    {
        var store = Store(kind);
        var client = new ScriptedChatClient(_ => "ok");
        var rt = TestKit.Runtime(client, o => o.StateStore = store).Register(Flow());
        var suspended = await rt.RunAsync(Flow(), NoArgs, Ct);
        var id = suspended.ContinuationId!;
        var valid = (await store.LoadAsync(id, Ct))!;
        await store.SaveAsync(id, Corrupt(valid, how), Ct);

        var error = await Assert.ThrowsAsync<AxonResumeException>(() => rt.ResumeAsync(id, "yes", Ct));
        Assert.Contains("quarantined", error.Message);
        Assert.Equal(ContinuationStatus.Quarantined, await store.GetStatusAsync(id, Ct));
        Assert.DoesNotContain(id, await store.ListPendingAsync(Ct));
        Assert.Single(client.Calls); // only the step before the hibernate ever ran
        await Assert.ThrowsAsync<AxonResumeException>(() => rt.ResumeAsync(id, "yes", Ct));
    }

    [Fact]
    public async Task A_corrupt_sqlite_row_is_quarantined_too()
    {
        var path = Path.Combine(_dir.FullName, "rows.db");
        var store = new SqliteExecutionStateStore(path);
        var client = new ScriptedChatClient(_ => "ok");
        var rt = TestKit.Runtime(client, o => o.StateStore = store).Register(Flow());
        var a = (await rt.RunAsync(Flow(), NoArgs, Ct)).ContinuationId!;
        var b = (await rt.RunAsync(Flow(), NoArgs, Ct)).ContinuationId!;
        using (var c = new SqliteConnection($"Data Source={path}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"UPDATE axon_continuations SET state = NULL WHERE id = '{a}'; UPDATE axon_continuations SET state = 'text, not a blob' WHERE id = '{b}'";
            cmd.ExecuteNonQuery();
        }
        foreach (var id in new[] { a, b })
        {
            await Assert.ThrowsAsync<AxonResumeException>(() => rt.ResumeAsync(id, null, Ct));
            Assert.Equal(ContinuationStatus.Quarantined, await store.GetStatusAsync(id, Ct));
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("file")]
    public async Task A_valid_state_resumes_once_and_a_late_one_is_refused_and_completed(string kind)
    {
        var store = Store(kind);
        var time = new Routing.ManualTimeProvider();
        var client = new ScriptedChatClient(_ => "ok");
        var rt = TestKit.Runtime(client, o => { o.StateStore = store; o.TimeProvider = time; }).Register(Flow());
        var first = (await rt.RunAsync(Flow(), NoArgs, Ct)).ContinuationId!;
        var late = (await rt.RunAsync(Flow(), NoArgs, Ct)).ContinuationId!;
        Assert.Equal(RunStatus.Completed, (await rt.ResumeAsync(first, "yes", Ct)).Status);
        Assert.Equal(ContinuationStatus.Completed, await store.GetStatusAsync(first, Ct));
        await Assert.ThrowsAsync<AxonResumeException>(() => rt.ResumeAsync(first, "yes", Ct));

        time.Advance(TimeSpan.FromHours(73));
        var expired = await Assert.ThrowsAsync<AxonResumeException>(() => rt.ResumeAsync(late, "yes", Ct));
        Assert.Contains("timed out", expired.Message);
        Assert.Equal(ContinuationStatus.Completed, await store.GetStatusAsync(late, Ct));
    }

    [Fact]
    public async Task A_cancelled_resume_gives_the_claim_back()
    {
        var store = Store("sqlite");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var cancelled = 0;
        var client = new ScriptedChatClient(c =>
        {
            if (c.User.StartsWith("finish", StringComparison.Ordinal) && Interlocked.Exchange(ref cancelled, 1) == 0)
            {
                cts.Cancel();
                cts.Token.ThrowIfCancellationRequested();
            }
            return "ok";
        });
        var rt = TestKit.Runtime(client, o => o.StateStore = store).Register(Flow());
        var id = (await rt.RunAsync(Flow(), NoArgs, Ct)).ContinuationId!;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rt.ResumeAsync(id, "yes", cts.Token));
        Assert.Equal(ContinuationStatus.Pending, await store.GetStatusAsync(id, Ct));
        Assert.Equal(RunStatus.Completed, (await rt.ResumeAsync(id, "yes", Ct)).Status);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { _dir.Delete(true); } catch (IOException) { }
    }
}
