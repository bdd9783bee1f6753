using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.State;
using Microsoft.Extensions.AI;

// Usage:
//   suspend PROVIDER LOCATION SCHEMA LEASE_S COUNT           → prints one continuation id per line
//   resume  PROVIDER LOCATION SCHEMA LEASE_S IDS_FILE LOG [START_UNIX_MS STEP_MS]
//   contend PROVIDER LOCATION SCHEMA LEASE_S CONCURRENCY [PACE_MS] → claim load until standard input closes
// PROVIDER is sqlite|file|postgres; LOCATION a path or a connection string. "resume" prints READY, then resumes
// each id in turn (at START + k × STEP when given, START "-" read from standard input, so two processes race on the same id) and appends
// "COMPLETED id pid" to LOG after each resume that returned, "REFUSED id pid" after each refusal.
var mode = args[0];
var options = new AxonStateOptions
{
    Provider = Enum.Parse<AxonStateProvider>(args[1], ignoreCase: true),
    LeaseDuration = TimeSpan.FromSeconds(double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture)),
    Schema = args[3],
};
if (options.Provider == AxonStateProvider.Postgres) options.ConnectionString = args[2];
else options.Path = args[2];
var stores = options.Open();
var runtime = new AxonRuntime(new AxonRunOptions
{
    ChatClient = new SlowClient(), Backend = "openai", StateStore = stores.State, MemoryStore = stores.Memory,
    OutputDirectory = "", BackoffUnit = TimeSpan.Zero,
}).Register(CrashFlow.Definition);

if (mode == "contend")
{
    // Load for the claim-latency benchmark: CONCURRENCY resumers each saving, claiming and completing their own
    // continuations in a loop, until standard input closes.
    var concurrency = int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture);
    var Pace = TimeSpan.FromMilliseconds(args.Length > 6 ? int.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture) : 0);
    using var stop = new CancellationTokenSource();
    var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
    {
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            var id = $"load{Environment.ProcessId}x{w}x{n++}";
            await stores.State.SaveAsync(id, "{}"u8.ToArray(), CancellationToken.None);
            if (await stores.State.TryClaimLeaseAsync(id, CancellationToken.None) is { } c)
            {
                await Task.Delay(Pace);  // the resumed flow runs
                await stores.State.CompleteAsync(c, CancellationToken.None);
            }
            await Task.Delay(Pace);
        }
    })).ToArray();
    Console.WriteLine("READY");
    Console.Out.Flush();
    await Console.In.ReadToEndAsync();
    await stop.CancelAsync();
    await Task.WhenAll(workers);
    return 0;
}

if (mode == "suspend")
{
    for (var i = 0; i < int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture); i++)
    {
        var r = await runtime.RunAsync(CrashFlow.Definition, new Dictionary<string, object?>());
        Console.WriteLine(r.ContinuationId);
    }
    return 0;
}

// Warm up before READY (JIT of the executor, the store's first connection) so the kill delay is spent in real
// resumes rather than in startup.
var warm = new AxonRuntime(new AxonRunOptions { ChatClient = new SlowClient(), Backend = "openai", OutputDirectory = "" }).Register(CrashFlow.Definition);
await warm.ResumeAsync((await warm.RunAsync(CrashFlow.Definition, new Dictionary<string, object?>())).ContinuationId!, "warm");
await stores.State.ListPendingAsync(CancellationToken.None);
await stores.State.GetStatusAsync("warm-up", CancellationToken.None);

var ids = File.ReadAllLines(args[5]).Where(l => l.Length > 0).ToArray();
var log = args[6];
var pid = Environment.ProcessId;
Console.WriteLine("READY");
Console.Out.Flush();
// START "-" = read it from standard input after READY, so racing processes can be started first and released together.
var startText = args.Length > 7 ? (args[7] == "-" ? Console.ReadLine() : args[7]) : null;
long? start = startText is null ? null : long.Parse(startText, System.Globalization.CultureInfo.InvariantCulture);
var step = args.Length > 8 ? int.Parse(args[8], System.Globalization.CultureInfo.InvariantCulture) : 0;
for (var k = 0; k < ids.Length; k++)
{
    if (start is { } s)
    {
        var wait = s + (long)k * step - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait));
    }
    try
    {
        var result = await runtime.ResumeAsync(ids[k], "go");
        File.AppendAllText(log, $"COMPLETED {ids[k]} {pid} {result.Status}\n");
    }
    catch (AxonResumeException)
    {
        File.AppendAllText(log, $"REFUSED {ids[k]} {pid}\n");
    }
}
return 0;

/// <summary>The flow every crash test suspends and resumes: three model steps after the hibernate.</summary>
internal static class CrashFlow
{
    public static readonly FlowDefinition Definition = new("Crash", [
        new StepNode("Check") { Ask = "check" },
        new HibernateNode("go") { Timeout = "72h", ContinuationId = "c0ffee" },
        new StepNode("A") { Ask = "a after {{go}}" },
        new StepNode("B") { Ask = "b after {{A}}" },
        new StepNode("C") { Ask = "c after {{B}}" },
    ]);
}

/// <summary>A model that takes 5–30 ms per answer, so a kill can land anywhere in a resume.</summary>
internal sealed class SlowClient : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await Task.Delay(Random.Shared.Next(5, 30), cancellationToken);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"));
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
