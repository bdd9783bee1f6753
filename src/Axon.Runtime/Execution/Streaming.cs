using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Axon.Runtime.Anchors;

namespace Axon.Runtime.Execution;

/// <summary>
/// One event of a streamed run (<see cref="AxonRuntime.StreamAsync(Model.RunDefinition, IReadOnlyDictionary{string, object?}?, CancellationToken)"/>, and the generated flows' <c>StreamAsync</c>):
/// <see cref="AxonStepStarted"/>, <see cref="AxonTextDelta"/> (text as the provider streams it),
/// <see cref="AxonAnchorChecked"/>, <see cref="AxonStepCompleted"/>, and last <see cref="AxonRunCompleted"/>.
/// </summary>
public abstract record AxonRunUpdate;

/// <summary>A step (or other node) started.</summary>
/// <param name="Step">The step's name.</param>
/// <param name="Kind">The node kind (<c>step</c>, <c>probe</c>, <c>reason</c>, <c>validate</c>, <c>use_tool</c>, …).</param>
public sealed record AxonStepStarted(string Step, string Kind) : AxonRunUpdate;

/// <summary>A piece of a step's answer, as the provider streamed it. A retried attempt streams again from its start.</summary>
/// <param name="Step">The step's name.</param>
/// <param name="Attempt">The attempt the text belongs to (1 for the first).</param>
/// <param name="Text">The new text.</param>
public sealed record AxonTextDelta(string Step, int Attempt, string Text) : AxonRunUpdate;

/// <summary>An anchor was checked against a step's output.</summary>
/// <param name="Step">The step's name.</param>
/// <param name="Verdict">The anchor, whether it passed, why, and the action taken on a breach.</param>
public sealed record AxonAnchorChecked(string Step, AnchorVerdict Verdict) : AxonRunUpdate;

/// <summary>A node finished with its result (output text, JSON, usage, verdicts, error).</summary>
/// <param name="Result">The node's result.</param>
public sealed record AxonStepCompleted(StepResult Result) : AxonRunUpdate
{
    /// <summary>The step's output as <typeparamref name="T"/> (the text for <see cref="string"/>, else its JSON, or its text read leniently as JSON, deserialised).</summary>
    public T? GetOutput<T>(JsonSerializerOptions? options = null)
    {
        if (typeof(T) == typeof(string)) return (T?)(object?)Result.Output;
        var json = Result.Json ?? (Typing.LenientJson.TryParse(Result.Output, out var parsed) ? parsed : null);
        // Reflection unless the options carry a resolver for T (see AxonRunResult.GetOutput).
        return json is null ? default : json.Deserialize(Json.CallerTypes.Info<T>(options ?? SemanticTypes.AxonGeneratedCode.ReadOptions));
    }
}

/// <summary>The run ended (completed, suspended or failed); always the last update.</summary>
/// <param name="Result">The run's result.</param>
public record AxonRunCompleted(AxonRunResult Result) : AxonRunUpdate;

/// <summary>The run ended, with the flow's typed result when it completed (generated flows' <c>StreamAsync</c>).</summary>
/// <typeparam name="T">The flow's result type.</typeparam>
/// <param name="Result">The run's result.</param>
/// <param name="Value">The typed result; default when the run did not complete.</param>
public sealed record AxonRunCompleted<T>(AxonRunResult Result, T? Value) : AxonRunCompleted(Result);

/// <summary>What a streamed run reports (<see cref="AxonRuntime.StreamAsync(Model.RunDefinition, IReadOnlyDictionary{string, object?}?, AxonStreamOptions, CancellationToken)"/>).</summary>
public sealed record AxonStreamOptions
{
    /// <summary>The default: model calls stream and their text is reported.</summary>
    public static AxonStreamOptions Default { get; } = new();

    /// <summary>
    /// True (default): model calls stream and their text arrives as <see cref="AxonTextDelta"/>. False: model calls are
    /// made as in <c>RunAsync</c> (unstreamed, so a failed call can still fail over) and only step, anchor and run
    /// events are reported, for a consumer that shows progress but not text.
    /// </summary>
    public bool TextDeltas { get; init; } = true;
}

/// <summary>Receives a run's events as the executor produces them (set for the run by <see cref="AxonRuntime.StreamAsync(Model.RunDefinition, IReadOnlyDictionary{string, object?}?, CancellationToken)"/>).</summary>
internal interface IAxonRunObserver
{
    /// <summary>True when model calls should stream so their text can be forwarded.</summary>
    bool WantsText { get; }
    void OnUpdate(AxonRunUpdate update);
}

/// <summary>The observer of the run executing on this async flow.</summary>
internal static class AxonRunObservation
{
    private static readonly AsyncLocal<IAxonRunObserver?> CurrentObserver = new();

    public static IAxonRunObserver? Current
    {
        get => CurrentObserver.Value;
        set => CurrentObserver.Value = value;
    }
}

/// <summary>Forwards updates into a channel that the streaming caller reads.</summary>
internal sealed class ChannelRunObserver(ChannelWriter<AxonRunUpdate> writer, bool wantsText) : IAxonRunObserver
{
    public bool WantsText => wantsText;

    public void OnUpdate(AxonRunUpdate update) => writer.TryWrite(update);
}

public sealed partial class AxonRuntime
{
    /// <summary>
    /// Runs a <c>run</c> like <see cref="RunAsync(Model.RunDefinition, IReadOnlyDictionary{string, object?}?, CancellationToken)"/>
    /// and streams its progress: step started, text deltas from the provider's stream, anchor verdicts, step completed,
    /// and finally <see cref="AxonRunCompleted"/>. Stopping the enumeration (or cancelling) cancels the run and waits
    /// for it to stop, so nothing is left running. A failure that <c>RunAsync</c> would throw is thrown from the enumeration.
    /// </summary>
    public IAsyncEnumerable<AxonRunUpdate> StreamAsync(Model.RunDefinition run, IReadOnlyDictionary<string, object?>? arguments,
        CancellationToken cancellationToken = default) =>
        StreamCoreAsync(run, arguments, static r => new AxonRunCompleted(r), cancellationToken);

    /// <summary>
    /// As <see cref="StreamAsync(Model.RunDefinition, IReadOnlyDictionary{string, object?}?, CancellationToken)"/>, reporting
    /// what <paramref name="options"/> asks for (without text deltas, model calls are not streamed).
    /// </summary>
    public IAsyncEnumerable<AxonRunUpdate> StreamAsync(Model.RunDefinition run, IReadOnlyDictionary<string, object?>? arguments,
        AxonStreamOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return StreamCoreAsync(run, arguments, static r => new AxonRunCompleted(r), cancellationToken, options.TextDeltas);
    }

    /// <summary>As <see cref="StreamAsync(Model.RunDefinition, IReadOnlyDictionary{string, object?}?, CancellationToken)"/>, with the last update made by <paramref name="complete"/>.</summary>
    internal async IAsyncEnumerable<AxonRunUpdate> StreamCoreAsync(Model.RunDefinition run, IReadOnlyDictionary<string, object?>? arguments,
        Func<AxonRunResult, AxonRunCompleted> complete, [EnumeratorCancellation] CancellationToken cancellationToken = default, bool textDeltas = true)
    {
        ArgumentNullException.ThrowIfNull(run);
        var channel = Channel.CreateUnbounded<AxonRunUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var observer = new ChannelRunObserver(channel.Writer, textDeltas);
        var running = Task.Run(async () =>
        {
            AxonRunObservation.Current = observer;
            try
            {
                var result = await RunAsync(run, arguments, cts.Token).ConfigureAwait(false);
                AxonRunCompleted last;
                try
                {
                    last = complete(result);
                }
                catch (Exception ex)
                {
                    channel.Writer.TryComplete(ex);
                    return;
                }
                channel.Writer.TryWrite(last);
                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var update in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return update;
        }
        finally
        {
            // The consumer stopped early or the enumeration failed: cancel the run and wait for it, so nothing
            // keeps running (and no model call keeps being billed) after the caller has gone.
            await cts.CancelAsync().ConfigureAwait(false);
            try
            {
                await running.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
