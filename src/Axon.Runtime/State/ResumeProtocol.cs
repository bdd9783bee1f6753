using Axon.Runtime.Model;
using Axon.Runtime.State;
using Microsoft.Extensions.Logging;

namespace Axon.Runtime.Execution;

/// <summary>Saved state that cannot be resumed as it is: it is quarantined, never retried.</summary>
internal sealed class CorruptStateException(string reason) : Exception(reason);

/// <summary>Reads and checks a claimed state against the flow it names before anything runs.</summary>
internal static class ResumeValidation
{
    /// <summary>Parses <paramref name="bytes"/>; any shape problem is a <see cref="CorruptStateException"/>.</summary>
    public static SuspendedState Read(byte[] bytes, string continuationId)
    {
        if (bytes.Length == 0) throw new CorruptStateException("the state is empty");
        int version;
        SuspendedState state;
        try
        {
            var root = System.Text.Json.Nodes.JsonNode.Parse(bytes) as System.Text.Json.Nodes.JsonObject
                ?? throw new CorruptStateException("the state is not a JSON object");
            version = root["version"]?.GetValue<int>() ?? 0;
            if (version != 1) throw new CorruptStateException($"unsupported state version {version} (this runtime reads version 1)");
            state = ExecutionStateSerializer.Deserialize(bytes);
        }
        catch (CorruptStateException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // JsonException for truncated text, NullReferenceException for a missing field, InvalidOperationException
            // or FormatException for a field of the wrong kind: all one thing to the caller.
            throw new CorruptStateException($"the state cannot be read ({ex.GetType().Name}: {ex.Message})");
        }
        if (state.ContinuationId != continuationId)
            throw new CorruptStateException($"the state belongs to continuation '{state.ContinuationId}'");
        if (state.FlowName.Length == 0) throw new CorruptStateException("the state names no flow");
        return state;
    }

    /// <summary>Checks the state's fields against <paramref name="flow"/> (the definition this runtime has).</summary>
    public static void Check(SuspendedState state, FlowDefinition flow)
    {
        var order = FlowPlan.For(flow).Order;
        // The state must point just after a top-level node that holds this hibernate: anything else would skip
        // steps (next_index past the end "completes" a run) or run steps twice.
        if (state.NextIndex < 1 || state.NextIndex > order.Count)
            throw new CorruptStateException($"next_index {state.NextIndex} is outside flow '{flow.Name}' (1..{order.Count})");
        var hibernates = FlowPlan.AllNodes([order[state.NextIndex - 1]]).OfType<HibernateNode>().ToList();
        if (!hibernates.Any(h => h.EventName == state.EventName))
            throw new CorruptStateException($"node {state.NextIndex - 1} of flow '{flow.Name}' is no hibernate waiting for '{state.EventName}'");
        if (state.LastOutputKey is { } last && !state.Values.ContainsKey(last))
            throw new CorruptStateException($"last_output '{last}' names no saved value");
        foreach (var key in state.Values.Keys)
            if (key.Length == 0) throw new CorruptStateException("a saved value has an empty name");
        foreach (var r in state.Results)
            if (r.Attempts < 0 || r.Usage.InputTokens < 0 || r.Usage.OutputTokens < 0)
                throw new CorruptStateException($"the result of '{r.Name}' has negative counts");
    }
}

/// <summary>
/// Renews a claim's lease at a third of its duration while a resume runs; cancels the run when the lease is lost
/// (another resumer took the continuation over), so two resumers never run on together.
/// </summary>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _loop;

    public LeaseKeeper(IExecutionStateStore store, StateClaim claim, TimeProvider time, ILogger logger)
    {
        var period = store.LeaseDuration / 3;
        if (period < TimeSpan.FromMilliseconds(10)) period = TimeSpan.FromMilliseconds(10);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(period, time, _stop.Token).ConfigureAwait(false);
                    if (!await store.RenewLeaseAsync(claim, _stop.Token).ConfigureAwait(false))
                    {
                        logger.LogWarning("Lost the lease on continuation {Id}; stopping this resume", claim.ContinuationId);
                        await _lost.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (AxonStateStoreException ex)
                {
                    // A brief outage: keep trying while the lease still runs; the store decides when it is lost.
                    logger.LogWarning("Could not renew the lease on continuation {Id}: {Error}", claim.ContinuationId, ex.Message);
                }
            }
        });
    }

    /// <summary>Cancelled when the lease was lost.</summary>
    public CancellationToken Lost => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _lost.Dispose();
    }
}
