using System.Runtime.CompilerServices;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Axon.Benchmarks.Runtime;

/// <summary>A chat client that answers at once with a prepared response (measures the executor only).</summary>
internal sealed class InstantChatClient(string text) : IChatClient
{
    private readonly ChatResponse _response = new(new ChatMessage(ChatRole.Assistant, text))
    {
        ModelId = "instant",
        Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 },
    };

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(_response);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var u in _response.ToChatResponseUpdates()) yield return u;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;
    public void Dispose() { }
}

/// <summary>A chat client with a fixed latency (simulates a remote model).</summary>
internal sealed class SlowChatClient(TimeSpan latency) : IChatClient
{
    private readonly ChatResponse _response = new(new ChatMessage(ChatRole.Assistant, "slow answer"))
    {
        Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 },
    };

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
        return _response;
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;
    public void Dispose() { }
}

/// <summary>
/// Run with: <c>dotnet run -c Release --project tests/Axon.Benchmarks -- --filter '*ExecutorOverhead*' '*ConcurrentFlows*' --job short --inProcess</c>.
/// Executor overhead per step against an instant in-process client (target: under 20 µs and at
/// most 2 KB allocated per step). Each invocation runs one flow of <see cref="Steps"/> chained steps;
/// BenchmarkDotNet divides by the step count, so Mean and Allocated are per step.
/// </summary>
[MemoryDiagnoser]
public class ExecutorOverheadBenchmarks
{
    private const int Steps = 10;
    private AxonRuntime _text = null!;
    private AxonRuntime _typed = null!;
    private FlowDefinition _textFlow = null!;
    private FlowDefinition _typedFlow = null!;
    private readonly Dictionary<string, object?> _args = new() { ["doc"] = "a short document" };

    [GlobalSetup]
    public void Setup()
    {
        var text = new List<FlowNode> { new StepNode("S0") { Given = "doc", Ask = "Summarise the document." } };
        var typed = new List<FlowNode> { new StepNode("S0") { Given = "doc", Ask = "Summarise the document.", OutputType = "Summary" } };
        for (var i = 1; i < Steps; i++)
        {
            text.Add(new StepNode("S" + i) { Given = $"S{i - 1}.output", Ask = "Refine the previous answer." });
            typed.Add(new StepNode("S" + i) { Given = $"S{i - 1}.output", Ask = "Refine the previous answer.", OutputType = "Summary" });
        }
        _textFlow = new FlowDefinition("TextFlow", text) { Parameters = [new("doc", "Document")] };
        _typedFlow = new FlowDefinition("TypedFlow", typed) { Parameters = [new("doc", "Document")] };
        _text = new AxonRuntime(new AxonRunOptions { ChatClient = new InstantChatClient("A short answer."), Backend = "openai", OutputDirectory = "" });
        _typed = new AxonRuntime(new AxonRunOptions { ChatClient = new InstantChatClient("{\"summary\":\"A short answer.\",\"confidence\":0.9}"), Backend = "openai", OutputDirectory = "" });
    }

    /// <summary>Text steps: prompt compilation, call, result bookkeeping.</summary>
    [Benchmark(OperationsPerInvoke = Steps, Baseline = true)]
    public Task<AxonRunResult> TextStep() => _text.RunAsync(_textFlow, _args);

    /// <summary>Typed steps: plus JSON schema request, lenient parse and type validation.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public Task<AxonRunResult> TypedStep() => _typed.RunAsync(_typedFlow, _args);
}

/// <summary>
/// 10 000 flows (two chained steps each) started at once against a client with 50 ms latency:
/// total time, allocations, and the peak managed heap (printed as <c>// PeakHeapMB</c>).
/// </summary>
[MemoryDiagnoser]
public class ConcurrentFlowsBenchmarks
{
    private const int Flows = 10_000;
    private AxonRuntime _runtime = null!;
    private FlowDefinition _flow = null!;
    private long _peakHeap;

    [GlobalSetup]
    public void Setup()
    {
        _flow = new FlowDefinition("Concurrent", [
            new StepNode("A") { Given = "doc", Ask = "First." },
            new StepNode("B") { Given = "A.output", Ask = "Second." },
        ]) { Parameters = [new("doc", "Document")] };
        _runtime = new AxonRuntime(new AxonRunOptions { ChatClient = new SlowChatClient(TimeSpan.FromMilliseconds(50)), Backend = "openai", OutputDirectory = "" });
    }

    [Benchmark]
    public async Task TenThousandFlows()
    {
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var heap = GC.GetTotalMemory(false);
                if (heap > Interlocked.Read(ref _peakHeap)) Interlocked.Exchange(ref _peakHeap, heap);
                await Task.Delay(2).ConfigureAwait(false);
            }
        });
        var tasks = new Task<AxonRunResult>[Flows];
        for (var i = 0; i < Flows; i++)
            tasks[i] = _runtime.RunAsync(_flow, new Dictionary<string, object?> { ["doc"] = "document " + i });
        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        if (results.Any(r => r.Status != RunStatus.Completed)) throw new InvalidOperationException("A flow failed.");
    }

    [GlobalCleanup]
    public void Cleanup() => Console.WriteLine(
        $"// PeakHeapMB: {_peakHeap / (1024.0 * 1024.0):F1} (10 000 concurrent flows, peak managed heap); " +
        $"process peak working set {Environment.WorkingSet / (1024.0 * 1024.0):F0} MB now, {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0):F0} MB peak");
}
