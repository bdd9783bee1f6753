using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.Providers;
using Axon.Runtime.Typing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Axon.Runtime.SemanticTypes;

/// <summary>A flow class generated from an <c>.axon</c> file.</summary>
public interface IAxonFlow
{
    /// <summary>The flow's runtime model.</summary>
    static abstract FlowDefinition Definition { get; }

    /// <summary>The runtime this instance runs on.</summary>
    AxonRuntime Runtime { get; }
}

/// <summary>A typed flow result with the run's details (steps, usage, cost, continuation).</summary>
/// <typeparam name="T">The flow's declared result type.</typeparam>
/// <param name="Run">The untyped run result.</param>
/// <param name="Value">The typed output; default when the run was suspended by <c>hibernate</c> or its output is a fallback text.</param>
public sealed record AxonFlowResult<T>(AxonRunResult Run, T Value)
{
    /// <summary>True when a <c>hibernate</c> suspended the run (see <see cref="AxonRunResult.ContinuationId"/>).</summary>
    public bool IsSuspended => Run.Status == RunStatus.Suspended;

    /// <summary>
    /// Set when an anchor's <c>fallback(…)</c> (or refine's) replaced the final output with its text: then
    /// <see cref="Value"/> is default (for a <see cref="string"/> result it is the fallback text).
    /// </summary>
    public AnchorFallback? Fallback => Run.Fallback;

    /// <summary>The citations the model gave for the value (the output's <c>sources</c> array) when the flow had to cite.</summary>
    public IReadOnlyList<string> Citations => Run.Citations;
}

/// <summary>Thrown by a typed <c>RunAsync</c> when the flow hibernated instead of producing its result.</summary>
/// <param name="result">The suspended run (its continuation id resumes it).</param>
public sealed class AxonFlowSuspendedException(AxonRunResult result)
    : AxonRuntimeException($"Flow '{result.FlowName}' hibernated waiting for '{result.AwaitingEvent}' (continuation {result.ContinuationId}); use RunWithDetailsAsync to handle suspension.", "FlowSuspended", 6)
{
    /// <summary>The suspended run.</summary>
    public AxonRunResult Result { get; } = result;
}

/// <summary>
/// A <c>run</c> statement of an <c>.axon</c> file, ready to execute: the flow with its persona,
/// context, anchors, effort, on_failure and output_to.
/// </summary>
/// <typeparam name="TFlow">The generated flow class it invokes.</typeparam>
/// <param name="Definition">The run's runtime model.</param>
public sealed record AxonRun<TFlow>(RunDefinition Definition) where TFlow : IAxonFlow
{
    /// <summary>The persona (<c>as</c>), if any.</summary>
    public PersonaDefinition? Persona => Definition.Persona;
    /// <summary>The context (<c>within</c>), if any.</summary>
    public ContextDefinition? Context => Definition.Context;
    /// <summary>The anchors (<c>constrained_by</c>).</summary>
    public IReadOnlyList<AnchorDefinition> Anchors => Definition.Anchors;
    /// <summary><c>effort</c> (empty when not given).</summary>
    public string Effort => Definition.Effort;
    /// <summary><c>on_failure</c> (empty when not given).</summary>
    public string OnFailure => Definition.OnFailure;
    /// <summary><c>on_failure</c> parameters.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> OnFailureParams => Definition.OnFailureParams;
    /// <summary><c>output_to</c> (empty when not given).</summary>
    public string OutputTo => Definition.OutputTo;
    /// <summary>The run's arguments as written in the file.</summary>
    public IReadOnlyList<string> Arguments => Definition.Arguments;

    /// <summary>Executes the run with its own arguments on <paramref name="runtime"/> (untyped result).</summary>
    public Task<AxonRunResult> RunAsync(AxonRuntime runtime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return runtime.RunAsync(Definition, (IReadOnlyDictionary<string, object?>?)null, cancellationToken);
    }
}

/// <summary>
/// The base of every generated flow class: the runtime it runs on and the ways to run it, typed by the flow's result.
/// The generated class adds the flow's own parameters and its reflection-free result reader. These members live here,
/// compiled once, rather than in each generated class: a project's generated code (and its C# compile time) grows with
/// the number of flows.
/// </summary>
/// <typeparam name="TResult">The flow's declared result type.</typeparam>
public abstract class AxonFlow<TResult>
{
    private readonly AxonRuntime _runtime;
    private readonly Func<JsonNode?, TResult> _read;

    /// <summary>A flow on <paramref name="runtime"/> whose results <paramref name="read"/> reads without reflection.</summary>
    protected AxonFlow(AxonRuntime runtime, Func<JsonNode?, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(read);
        _runtime = runtime;
        _read = read;
    }

    /// <summary>The runtime this instance runs on.</summary>
    public AxonRuntime Runtime => _runtime;

    /// <summary>
    /// Runs <paramref name="run"/> with <paramref name="arguments"/> and returns its typed result. Throws
    /// <see cref="AxonRunFailedException"/> when it fails and <see cref="AxonFlowSuspendedException"/> when it hibernates.
    /// </summary>
    protected async Task<TResult> RunCoreAsync(RunDefinition run, IReadOnlyDictionary<string, object?> arguments,
        AxonRunOptions? options, CancellationToken cancellationToken) =>
        AxonGeneratedCode.ValueOf(await RunWithDetailsCoreAsync(run, arguments, options, cancellationToken).ConfigureAwait(false));

    /// <summary>Runs <paramref name="run"/> and returns its typed result with the run's details (steps, usage, cost, continuation).</summary>
    protected Task<AxonFlowResult<TResult>> RunWithDetailsCoreAsync(RunDefinition run, IReadOnlyDictionary<string, object?> arguments,
        AxonRunOptions? options, CancellationToken cancellationToken) =>
        AxonGeneratedCode.RunAsync(_runtime, options, run, arguments, _read, cancellationToken);

    /// <summary>Runs <paramref name="run"/> and streams its progress, last <see cref="AxonRunCompleted{T}"/> with the typed result.</summary>
    protected IAsyncEnumerable<AxonRunUpdate> StreamCoreAsync(RunDefinition run, IReadOnlyDictionary<string, object?> arguments,
        AxonRunOptions? options, CancellationToken cancellationToken) =>
        AxonGeneratedCode.StreamAsync(_runtime, options, run, arguments, _read, cancellationToken);
}

/// <summary>Helpers called by generated code; not meant to be called directly.</summary>
public static class AxonGeneratedCode
{
    internal static readonly JsonSerializerOptions ReadOptions = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        TypeInfoResolver = Json.CallerTypes.ReflectionIfEnabled(),
    };

    /// <summary>Gives a flow the epistemic mode of the block it was declared in (the IR JSON drops it) and re-points the runs at it.</summary>
    public static AxonProgram WithEpistemicMode(AxonProgram program, string flowName, EpistemicMode mode)
    {
        ArgumentNullException.ThrowIfNull(program);
        var flows = program.Flows.Select(f => f.Name == flowName ? f with { EpistemicMode = mode } : f).ToArray();
        var runs = program.Runs.Select(r => r.Flow.Name == flowName ? r with { Flow = flows.First(f => f.Name == flowName) } : r).ToArray();
        return program with { Flows = flows, Runs = runs };
    }

    /// <summary>A runtime for a chat client, with the backend the project was built for.</summary>
    public static AxonRuntime CreateRuntime(IChatClient chatClient, string backend)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        return new AxonRuntime(new AxonRunOptions { ChatClient = chatClient, Backend = backend });
    }

    /// <summary>Runs a flow (or a run with <paramref name="run"/>) and maps its output to <typeparamref name="T"/>.</summary>
    /// <remarks>
    /// When <paramref name="options"/> is given the call runs on a runtime built from those options instead of <paramref name="runtime"/>.
    /// Reads a structured result with System.Text.Json reflection; generated code passes a reader instead (see the other overload).
    /// </remarks>
    public static Task<AxonFlowResult<T>> RunAsync<T>(AxonRuntime runtime, AxonRunOptions? options, RunDefinition run,
        IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken) =>
        RunAsync(runtime, options, run, arguments, ReflectionReader<T>, cancellationToken);

    /// <summary>Runs a flow (or a run with <paramref name="run"/>) and maps its output to <typeparamref name="T"/> with <paramref name="read"/>.</summary>
    /// <remarks>
    /// <paramref name="read"/> is the generated, reflection-free reader of the result type, so generated flows work trimmed and
    /// under NativeAOT. When <paramref name="options"/> is given the call runs on a runtime built from those options instead of <paramref name="runtime"/>.
    /// </remarks>
    public static async Task<AxonFlowResult<T>> RunAsync<T>(AxonRuntime runtime, AxonRunOptions? options, RunDefinition run,
        IReadOnlyDictionary<string, object?> arguments, Func<JsonNode?, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(runtime);
        var effective = options is null ? runtime : new AxonRuntime(options);
        var result = await effective.RunAsync(run, arguments, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            RunStatus.Failed => throw new AxonRunFailedException($"Flow '{result.FlowName}' failed: {result.Error}", result.ErrorName ?? "RunFailed", result),
            RunStatus.Suspended => new AxonFlowResult<T>(result, default!),
            // A fallback text is not a value of a structured type: the caller handles it (never a conversion error).
            _ when result.Fallback is not null && typeof(T) != typeof(string) => new AxonFlowResult<T>(result, default!),
            _ => new AxonFlowResult<T>(result, Map(result, read)),
        };
    }

    /// <summary>
    /// The typed value of a completed run; throws <see cref="AxonFlowSuspendedException"/> when the run hibernated
    /// and <see cref="AxonAnchorFallbackException"/> when a fallback text replaced a structured output.
    /// </summary>
    public static T ValueOf<T>(AxonFlowResult<T> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.IsSuspended) throw new AxonFlowSuspendedException(result.Run);
        if (result.Fallback is { } fallback && typeof(T) != typeof(string)) throw new AxonAnchorFallbackException(fallback, result.Run);
        return result.Value;
    }

    /// <summary>
    /// Streams a flow (or a run with <paramref name="run"/>): step started, text deltas, anchor verdicts, step completed,
    /// then <see cref="AxonRunCompleted{T}"/> with the typed result. A failed run throws
    /// <see cref="AxonRunFailedException"/> from the enumeration, as <c>RunAsync</c> does.
    /// </summary>
    /// <remarks>Reads a structured result with System.Text.Json reflection; generated code passes a reader instead (see the other overload).</remarks>
    public static IAsyncEnumerable<AxonRunUpdate> StreamAsync<T>(AxonRuntime runtime, AxonRunOptions? options, RunDefinition run,
        IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken) =>
        StreamAsync(runtime, options, run, arguments, ReflectionReader<T>, cancellationToken);

    /// <summary>
    /// Streams a flow (or a run with <paramref name="run"/>) as the other overload does, mapping the result with
    /// <paramref name="read"/> (the generated, reflection-free reader of the result type).
    /// </summary>
    public static async IAsyncEnumerable<AxonRunUpdate> StreamAsync<T>(AxonRuntime runtime, AxonRunOptions? options, RunDefinition run,
        IReadOnlyDictionary<string, object?> arguments, Func<JsonNode?, T> read, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(runtime);
        var effective = options is null ? runtime : new AxonRuntime(options);
        await foreach (var update in effective.StreamCoreAsync(run, arguments, r => r.Status switch
            {
                RunStatus.Failed => throw new AxonRunFailedException($"Flow '{r.FlowName}' failed: {r.Error}", r.ErrorName ?? "RunFailed", r),
                RunStatus.Completed when r.Fallback is null || typeof(T) == typeof(string) => new AxonRunCompleted<T>(r, Map(r, read)),
                _ => new AxonRunCompleted<T>(r, default),
            }, cancellationToken).ConfigureAwait(false))
            yield return update;
    }

    /// <summary>Maps a run's final output to the flow's declared result type (System.Text.Json reflection for structured types).</summary>
    public static T Map<T>(AxonRunResult result) => Map(result, ReflectionReader<T>);

    // Reflection (web defaults) unless the app turned it off; generated code passes its own reader instead.
    private static T ReflectionReader<T>(JsonNode? node) => node.Deserialize(Json.CallerTypes.Info<T>(ReadOptions))!;

    /// <summary>Maps a run's final output to the flow's declared result type with <paramref name="read"/> (the generated reader).</summary>
    public static T Map<T>(AxonRunResult result, Func<JsonNode?, T> read)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(read);
        if (typeof(T) == typeof(string)) return (T)(object)(result.Output ?? "");
        if (result.Fallback is { } fallback) throw new AxonAnchorFallbackException(fallback, result);
        var node = result.OutputJson ?? (LenientJson.TryParse(result.Output, out var parsed) ? parsed : JsonValue.Create(result.Output ?? ""));
        if (typeof(T) == typeof(JsonNode)) return (T)(object)node!;
        try
        {
            if (typeof(T) == typeof(JsonElement)) return (T)(object)AxonJson.Element(node);
            var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
            // A top-level output wraps scalars as {"value": …} and untyped lists as {"items": […]}.
            if (node is JsonObject o && (target.IsPrimitive || target == typeof(decimal)) && o["value"] is { } v) node = v;
            else if (node is JsonObject l && typeof(System.Collections.IEnumerable).IsAssignableFrom(target) && target != typeof(string))
                node = l["items"] as JsonArray ?? l.Select(kv => kv.Value).OfType<JsonArray>().FirstOrDefault() ?? node;
            return read(node);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new AxonValidationException($"The output of flow '{result.FlowName}' is not a valid {typeof(T).Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// Registers the runtime for generated flows: <see cref="Hosting.AxonOptions"/> bound from the <c>Axon</c>
    /// configuration section (of <paramref name="configuration"/>, else the container's), defaulting to the build's
    /// backend and validated when the host starts; the chat client is a registered <see cref="IChatClient"/> when
    /// there is one, else the configured routing or backend (the offline stub for <c>stub</c>).
    /// </summary>
    public static IServiceCollection AddRuntime(IServiceCollection services, string backend, IConfiguration? configuration,
        Action<Hosting.AxonOptions>? configure) =>
        Hosting.AxonHosting.AddAxonHosting(services, configuration, backend, configure);
}
