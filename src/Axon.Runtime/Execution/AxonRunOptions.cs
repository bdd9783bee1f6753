using Axon.Runtime.Memory;
using Axon.Runtime.Model;
using Axon.Runtime.Providers;
using Axon.Runtime.State;
using Axon.Runtime.Tools;
using Axon.Runtime.Tracing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Axon.Runtime.Execution;

/// <summary>Information given to an escalation handler (anchor or refine <c>escalate</c>).</summary>
/// <param name="FlowName">The flow.</param>
/// <param name="StepName">The step whose output was escalated.</param>
/// <param name="Reason">Why (anchor breach or exhausted refine), secrets redacted.</param>
/// <param name="Output">The output that was escalated.</param>
public sealed record EscalationContext(string FlowName, string StepName, string Reason, string? Output);

/// <summary>Settings of the runtime: backend, client, tools, stores, tracing, clock.</summary>
public sealed class AxonRunOptions
{
    /// <summary>Backend name (anthropic, openai, gemini, ollama, azure-openai, bedrock, custom, stub). Chooses the prompt wording and the cost lookup.</summary>
    public string Backend { get; set; } = "stub";

    /// <summary>The chat client. When null, the offline <see cref="Stub.StubChatClient"/> is used.</summary>
    public IChatClient? ChatClient { get; set; }

    /// <summary>Model id sent with each request (null = the client's default).</summary>
    public string? Model { get; set; }

    /// <summary>How <c>use</c> resolves tools (default hybrid: registered tools, built-ins, stubs for the rest).</summary>
    public ToolMode ToolMode { get; set; } = ToolMode.Hybrid;

    /// <summary>Registered tools.</summary>
    public AxonToolRegistry Tools { get; set; } = new();

    /// <summary>Memory store for remember/recall.</summary>
    public IAxonMemoryStore MemoryStore { get; set; } = new InMemoryMemoryStore();

    /// <summary>State store for hibernate/resume.</summary>
    public IExecutionStateStore StateStore { get; set; } = new InMemoryExecutionStateStore();

    /// <summary>Trace recorder (null = no trace file data; the ActivitySource and Meter still report).</summary>
    public TraceRecorder? Trace { get; set; }

    /// <summary>Clock used for durations, backoff delays, hibernate timeouts and the DateTime tool.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Model prices for cost estimates (null = the built-in prices, <see cref="ModelPriceTable.Default"/>).</summary>
    public IModelPriceTable? PriceTable { get; set; }

    /// <summary>
    /// How many times one step calls a provider that fails transiently (timeout, 5xx, 429, cut stream) before the
    /// step fails; default 2. Failures no retry can fix (bad request, refused key, content filter) stop at once.
    /// </summary>
    public int ProviderAttempts { get; set; } = 2;

    /// <summary>Logger factory (null = no logging).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Unit of refine/on_failure backoff: linear waits k × unit, exponential 0.5 × 2^k × unit (default 1 s, capped at 30 units).</summary>
    public TimeSpan BackoffUnit { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Retry policy of model steps when the flow declares no <c>refine</c> (reference default: 3 attempts, linear).</summary>
    public RefineNode DefaultRefine { get; set; } = new() { MaxAttempts = 3, Backoff = BackoffStrategy.Linear };

    /// <summary>Directory that relative <c>output_to</c> paths are resolved against (null = current directory; empty = do not write).</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>Extra secrets to redact from traces, logs and errors (API keys are found in the environment automatically).</summary>
    public IList<string> Secrets { get; } = new List<string>();

    /// <summary>Source file name recorded in traces.</summary>
    public string Source { get; set; } = "";

    /// <summary>
    /// Full path of the program file, saved with a hibernated run so another process (<c>axon resume</c>) can
    /// load its flows again (null = not saved).
    /// </summary>
    public string? ProgramPath { get; set; }

    /// <summary>A fingerprint of the program text (e.g. its SHA-256), saved with a hibernated run so a resume can refuse a changed program.</summary>
    public string? ProgramFingerprint { get; set; }

    /// <summary>Called when an output is escalated.</summary>
    public Func<EscalationContext, CancellationToken, ValueTask>? OnEscalate { get; set; }

    /// <summary>Anchors applied to every run in addition to the run's own.</summary>
    public IList<AnchorDefinition> Anchors { get; } = new List<AnchorDefinition>();

    /// <summary>Throw <see cref="AxonRunFailedException"/> when a run fails (generated typed flows set it); otherwise a failed result is returned.</summary>
    public bool ThrowOnFailure { get; set; }
}
