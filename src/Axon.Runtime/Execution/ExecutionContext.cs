using System.Collections.Concurrent;
using System.Diagnostics;
using Axon.Runtime.Model;
using Axon.Runtime.Prompting;
using Axon.Runtime.Tracing;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Execution;

/// <summary>Mutable state of one flow execution (one run segment).</summary>
internal sealed class ExecutionContext
{
    public required FlowPlan Plan { get; init; }
    public required RunDefinition Run { get; init; }
    public required string SystemPrompt { get; init; }
    public required IReadOnlyList<AnchorDefinition> Anchors { get; init; }
    public required ChatOptions BaseOptions { get; init; }
    public required PromptStyle Style { get; init; }
    public required RefineNode Refine { get; init; }
    public TraceSpan? RunSpan { get; init; }
    public ChatMessage? SystemMessage { get; init; }
    /// <summary>True when an active anchor runs the citation checker: typed outputs then carry a <c>sources</c> array.</summary>
    public bool CitationsInOutput { get; init; }
    /// <summary>Receives the run's progress when it is streamed (<see cref="AxonRuntime.StreamAsync(Model.RunDefinition, IReadOnlyDictionary{string, object?}?, CancellationToken)"/>).</summary>
    public IAxonRunObserver? Observer { get; init; }
    private readonly Dictionary<string, ChatOptions> _typedOptions = new(StringComparer.Ordinal);

    /// <summary>Request options asking for the given schema, built once per output type and run.</summary>
    public ChatOptions OptionsFor(string name, System.Text.Json.JsonElement schema)
    {
        lock (Gate)
        {
            if (_typedOptions.TryGetValue(name, out var o)) return o;
            o = BaseOptions.Clone();
            o.ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, FlowExecutor.SchemaName(name), "AXON output of type " + name);
            _typedOptions[name] = o;
            return o;
        }
    }

    public ConcurrentDictionary<string, AxonValue> Values { get; } = new(StringComparer.Ordinal);
    public List<StepResult> Results { get; } = [];
    public List<string> Memories { get; } = [];
    public readonly Lock Gate = new();
    public string? LastOutputKey;
    public HibernateNode? PendingHibernate;
    public AxonValue? HibernatePayload;

    public FlowDefinition Flow => Plan.Flow;

    public void AddResult(StepResult result, AxonValue? value, params string[] aliases)
    {
        lock (Gate)
        {
            Results.Add(result);
            if (value is not null)
            {
                Values[result.Name] = value;
                foreach (var a in aliases) Values[a] = value;
                LastOutputKey = result.Name;
            }
        }
        Observer?.OnUpdate(new AxonStepCompleted(result));
    }

    public StepResult? LastResultWithOutput()
    {
        lock (Gate)
        {
            return LastOutputKey is null ? null : Results.LastOrDefault(r => r.Name == LastOutputKey);
        }
    }
}

/// <summary>Small helpers for timing without Stopwatch allocation.</summary>
internal static class Clock
{
    public static long Now() => Stopwatch.GetTimestamp();
    public static TimeSpan Since(long start) => Stopwatch.GetElapsedTime(start);
}
