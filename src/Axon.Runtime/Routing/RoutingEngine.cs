using System.Collections.Concurrent;
using System.Numerics;
using Axon.Runtime.Providers;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Routing;

/// <summary>One routable provider: its client, routing parameters and live state.</summary>
internal sealed class ProviderSlot
{
    private long _ewmaBits;

    public ProviderSlot(int index, string name, IChatClient client, long weight, decimal? costPer1K, string? defaultModel)
    {
        Index = index;
        Name = name;
        Client = client;
        Weight = weight;
        CostPer1K = costPer1K;
        DefaultModel = defaultModel;
    }

    public int Index { get; }
    public string Name { get; }
    public IChatClient Client { get; }
    /// <summary>Weight in thousandths (integers keep smooth WRR exact).</summary>
    public long Weight { get; }
    public decimal? CostPer1K { get; }
    public string? DefaultModel { get; }
    public HealthState Health { get; } = new();
    public int InFlight;

    public double EwmaLatencyMs => BitConverter.Int64BitsToDouble(Volatile.Read(ref _ewmaBits));

    // Lossy under races by design: a dropped sample only delays the average a little.
    public void ObserveLatency(double ms)
    {
        var old = EwmaLatencyMs;
        var next = old == 0 ? ms : old + 0.3 * (ms - old);
        Volatile.Write(ref _ewmaBits, BitConverter.DoubleToInt64Bits(next));
    }
}

/// <summary>Per-call routing state; a struct so a call's routing adds no allocation.</summary>
internal struct CallState
{
    public ulong Tried;
    public int Attempt;
    public bool Panic;
    public ulong PreferredMask;
    public ulong ModelMask;
    public string? Model;
    public long InputTokens;
    public long OutputTokens;
    public int PreviousIndex;
    public ProviderErrorKind PreviousError;
    // Which health entries the current attempt holds the half-open probe of.
    public bool ProbeProvider;
    public bool ProbeModel;
    // Breaker epochs of the current attempt's health entries when it was sent (stale outcomes are ignored).
    public int ProviderEpoch;
    public int ModelEpoch;
    // Time this call has spent waiting for a rate-limit cooldown to end (bounded by MaxRateLimitWait).
    public long WaitedTicks;

    public readonly string? ModelFor(int index) => (ModelMask & (1UL << index)) != 0 ? Model : null;

    public static CallState Create() => new() { Attempt = 1, PreviousIndex = -1 };
}

/// <summary>
/// The decision core, separate from the IChatClient plumbing so it can be measured alone: candidate masks
/// from health, panic mode, preferences, probes, the strategy pick, and the decision record.
/// </summary>
internal sealed class RoutingEngine
{
    public const int MaxProviders = 64;

    private readonly TimeProvider _time;
    private readonly IRoutingDecisionSink? _sink;
    private readonly ConcurrentDictionary<(int Provider, string Model), HealthState> _modelHealth = new();

    public RoutingEngine(ProviderSlot[] slots, ulong enabledMask, RoutingOptions options, RoutingStrategy strategy,
        TimeProvider time, IRoutingDecisionSink? sink)
    {
        Slots = slots;
        Names = slots.Select(s => s.Name).ToArray();
        EnabledMask = enabledMask;
        Options = options;
        Strategy = strategy;
        StrategyName = RoutingOptions.StrategyName(options.Strategy);
        _time = time;
        _sink = sink;
    }

    public ProviderSlot[] Slots { get; }
    public string[] Names { get; }
    public ulong EnabledMask { get; }
    public RoutingOptions Options { get; }
    public RoutingStrategy Strategy { get; }
    public string StrategyName { get; }

    public long Now => _time.GetUtcNow().UtcTicks;

    public int IndexOf(string name)
    {
        for (var i = 0; i < Names.Length; i++)
            if (string.Equals(Names[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    public HealthState? ModelHealth(int index, string? model) =>
        model is not null && _modelHealth.TryGetValue((index, model), out var h) ? h : null;

    private HealthState ModelHealthOrCreate(int index, string model) =>
        _modelHealth.GetOrAdd((index, model), static _ => new HealthState());

    /// <summary>
    /// Picks the provider for <paramref name="call"/>'s current attempt, or -1 when no provider may be tried.
    /// Records the decision. Allocation-free.
    /// </summary>
    public int Decide(ref CallState call, out RoutingDecision decision)
    {
        var now = Now;
        var untried = EnabledMask & ~call.Tried;
        ulong healthy = 0, probeReady = 0, panicReady = 0;
        var anyCooling = false;
        for (var m = EnabledMask; m != 0; m &= m - 1)
        {
            var i = BitOperations.TrailingZeroCount(m);
            var bit = 1UL << i;
            var availability = Classify(i, call.ModelFor(i), now);
            if (availability == Availability.CoolingDown) anyCooling = true;
            if ((untried & bit) == 0) continue;
            switch (availability)
            {
                case Availability.Healthy: healthy |= bit; break;
                case Availability.ProbeReady: probeReady |= bit; break;
                case Availability.Unavailable:
                    if (IsPanicProbeReady(i, call.ModelFor(i), now)) panicReady |= bit;
                    break;
            }
        }
        // Panic (Envoy's term): when no enabled provider is healthy, try the open ones rather than fail fast, but
        // only when nobody is merely cooling down (a short Retry-After is worth waiting for; a dead provider is
        // not) and with at most one call per open breaker per open period, so a dead provider is not hammered.
        if (call.Attempt == 1 && (healthy | probeReady) == 0 && !anyCooling && panicReady != 0) call.Panic = true;
        var pool = healthy | probeReady;
        if (call.Panic && !anyCooling) pool |= panicReady;

        var inputs = new SelectionInputs(call.InputTokens, call.OutputTokens, call.Model, call.ModelMask);
        while (pool != 0)
        {
            var sub = pool;
            RoutingReason reason;
            if ((pool & call.PreferredMask) != 0)
            {
                sub = pool & call.PreferredMask;
                reason = RoutingReason.Hint;
            }
            else
            {
                reason = call.Panic ? RoutingReason.Panic : call.Attempt > 1 ? RoutingReason.Failover : RoutingReason.Strategy;
            }
            var chosen = Strategy.Select(sub, inputs);
            var chosenBit = 1UL << chosen;
            call.ProbeProvider = call.ProbeModel = false;
            if ((probeReady & chosenBit) != 0 && !TryClaimProbes(chosen, ref call, now))
            {
                pool &= ~chosenBit; // another call holds the probe
                continue;
            }
            if ((panicReady & chosenBit) != 0 && !TryClaimPanicProbes(chosen, call.ModelFor(chosen), now))
            {
                pool &= ~chosenBit; // this open period's panic call was already sent
                continue;
            }
            RememberEpochs(chosen, ref call);
            decision = new RoutingDecision(StrategyName, Names, sub, chosen, call.Attempt, reason, call.ModelFor(chosen),
                call.ProbeProvider || call.ProbeModel, call.PreviousIndex, call.PreviousError, Strategy.EstimateCost(chosen, inputs));
            _sink?.OnDecision(decision);
            return chosen;
        }
        decision = default;
        return -1;
    }

    private void RememberEpochs(int index, ref CallState call)
    {
        call.ProviderEpoch = Slots[index].Health.Epoch;
        call.ModelEpoch = ModelHealth(index, call.ModelFor(index))?.Epoch ?? 0;
    }

    private bool IsPanicProbeReady(int index, string? model, long now)
    {
        var p = Slots[index].Health;
        var mh = ModelHealth(index, model);
        var pOk = p.IsHealthy(now) || p.IsPanicProbeReady(now);
        var mOk = mh is null || mh.IsHealthy(now) || mh.IsPanicProbeReady(now);
        return pOk && mOk;
    }

    private bool TryClaimPanicProbes(int index, string? model, long now)
    {
        var p = Slots[index].Health;
        var mh = ModelHealth(index, model);
        // Claimed provider first, then model; a lost race on the model costs the provider its panic call for this
        // period, which errs on the side of sending less to a broken provider.
        if (!p.IsHealthy(now) && !p.TryClaimPanicProbe()) return false;
        if (mh is not null && !mh.IsHealthy(now) && !mh.TryClaimPanicProbe()) return false;
        return true;
    }

    /// <summary>
    /// When the call may still be served by waiting: the moment the earliest enabled provider that is only
    /// cooling down (breaker not open, not already failed on this call for another reason) leaves its cooldown.
    /// </summary>
    public long EarliestCooldownEnd(in CallState call, long now)
    {
        long best = long.MaxValue;
        for (var m = EnabledMask & ~call.Tried; m != 0; m &= m - 1)
        {
            var i = BitOperations.TrailingZeroCount(m);
            var model = call.ModelFor(i);
            if (Classify(i, model, now) != Availability.CoolingDown) continue;
            // Cooling and also open past the cooldown's end: waiting for the cooldown does not make it usable.
            var until = CooldownUntil(i, model);
            if (Math.Max(Slots[i].Health.OpenUntil, ModelHealth(i, model)?.OpenUntil ?? 0) > until) continue;
            if (until < best) best = until;
        }
        return best;
    }

    /// <summary>Every enabled provider's state for a <see cref="NoProviderAvailableException"/>.</summary>
    public IReadOnlyList<ProviderAvailability> Availabilities(in CallState call)
    {
        var now = Now;
        var list = new List<ProviderAvailability>();
        for (var m = EnabledMask; m != 0; m &= m - 1)
        {
            var i = BitOperations.TrailingZeroCount(m);
            var model = call.ModelFor(i);
            var p = Slots[i].Health;
            var mh = ModelHealth(i, model);
            var cooling = CooldownUntil(i, model);
            var openUntil = Math.Max(p.OpenUntil, mh?.OpenUntil ?? 0);
            ProviderAvailability a;
            if (cooling > now)
                a = new(Names[i], ProviderAvailabilityState.CoolingDown, new DateTimeOffset(Math.Max(cooling, openUntil), TimeSpan.Zero));
            else if (Classify(i, model, now) == Availability.Unavailable)
                a = new(Names[i], openUntil > now ? ProviderAvailabilityState.BreakerOpen : ProviderAvailabilityState.Probing,
                    openUntil > now ? new DateTimeOffset(openUntil, TimeSpan.Zero) : null);
            else if ((call.Tried & (1UL << i)) != 0)
                a = new(Names[i], ProviderAvailabilityState.FailedThisCall, null);
            else
                a = new(Names[i], ProviderAvailabilityState.Available, null);
            list.Add(a);
        }
        return list;
    }

    /// <summary>
    /// Admits a call pinned to <paramref name="index"/>: healthy, or the half-open probe. Returns null when
    /// admitted, else why not (the caller turns that into <see cref="ProviderPinnedException"/>).
    /// </summary>
    public string? AdmitPinned(int index, ref CallState call, out ProviderErrorKind kind, out TimeSpan? retryAfter, out RoutingDecision decision)
    {
        var now = Now;
        retryAfter = null;
        decision = default;
        kind = ProviderErrorKind.ServerError;
        var model = call.ModelFor(index);
        switch (Classify(index, model, now))
        {
            case Availability.CoolingDown:
                kind = ProviderErrorKind.RateLimited;
                retryAfter = TimeSpan.FromTicks(Math.Max(0, CooldownUntil(index, model) - now));
                return "it is cooling down after a rate limit";
            case Availability.Unavailable:
                var openUntil = Math.Max(Slots[index].Health.OpenUntil, ModelHealth(index, model)?.OpenUntil ?? 0);
                if (openUntil > now) retryAfter = TimeSpan.FromTicks(openUntil - now);
                return "its circuit breaker is open";
            case Availability.ProbeReady:
                if (!TryClaimProbes(index, ref call, now)) return "its circuit breaker is half-open and probing";
                break;
        }
        RememberEpochs(index, ref call);
        decision = new RoutingDecision(StrategyName, Names, 1UL << index, index, call.Attempt, RoutingReason.Pinned, model,
            call.ProbeProvider || call.ProbeModel, -1, ProviderErrorKind.Unknown, null);
        _sink?.OnDecision(decision);
        return null;
    }

    public void OnSuccess(int index, ref CallState call, TimeSpan elapsed)
    {
        var slot = Slots[index];
        slot.Health.OnSuccess(call.ProviderEpoch);
        ModelHealth(index, call.ModelFor(index))?.OnSuccess(call.ModelEpoch);
        slot.ObserveLatency(elapsed.TotalMilliseconds);
        call.ProbeProvider = call.ProbeModel = false;
    }

    /// <summary>
    /// Records a failed attempt. Transient failures count against the (provider, model) entry when the call
    /// chose a model, else against the provider; connection failures always against the provider (the
    /// endpoint is down for every model). Request errors are neutral: they say nothing about health.
    /// </summary>
    public void OnFailure(int index, ref CallState call, AxonProviderException error)
    {
        var slot = Slots[index];
        var model = call.ModelFor(index);
        if (ProviderErrorClassifier.CanFailOver(error.Kind))
        {
            var now = Now;
            var o = Options;
            var toProvider = model is null || error.Kind == ProviderErrorKind.ConnectionFailed || call.ProbeProvider;
            var toModel = model is not null && (error.Kind != ProviderErrorKind.ConnectionFailed || call.ProbeModel);
            if (toProvider)
                slot.Health.OnFailure(now, error.Kind, error.RetryAfter, o.DefaultRateLimitCooldown, o.BreakerFailureThreshold, o.BreakerOpenDuration, call.ProviderEpoch);
            if (toModel)
                ModelHealthOrCreate(index, model!).OnFailure(now, error.Kind, error.RetryAfter, o.DefaultRateLimitCooldown, o.BreakerFailureThreshold,
                    o.BreakerOpenDuration, call.ModelEpoch);
        }
        else
        {
            ReleaseProbes(index, ref call);
        }
        call.ProbeProvider = call.ProbeModel = false;
        // A rate-limited provider is not crossed off: its cooldown keeps it out until Retry-After ends, and then
        // this call may come back to it (attempts stay bounded by MaxFailoverHops).
        if (error.Kind != ProviderErrorKind.RateLimited) call.Tried |= 1UL << index;
        call.PreviousIndex = index;
        call.PreviousError = error.Kind;
        call.Attempt++;
    }

    public void ReleaseProbes(int index, ref CallState call)
    {
        Slots[index].Health.ReleaseProbe(call.ProbeProvider);
        ModelHealth(index, call.ModelFor(index))?.ReleaseProbe(call.ProbeModel);
        call.ProbeProvider = call.ProbeModel = false;
    }

    public ProviderHealthSnapshot Snapshot(int index, string? model)
    {
        var h = model is null ? Slots[index].Health : ModelHealth(index, model);
        return h?.Snapshot(Now) ?? default;
    }

    private enum Availability { Healthy, ProbeReady, CoolingDown, Unavailable }

    private Availability Classify(int index, string? model, long now)
    {
        var p = Slots[index].Health;
        var mh = ModelHealth(index, model);
        if (p.IsCoolingDown(now) || (mh is not null && mh.IsCoolingDown(now))) return Availability.CoolingDown;
        var pOk = p.IsHealthy(now);
        var mOk = mh is null || mh.IsHealthy(now);
        if (pOk && mOk) return Availability.Healthy;
        if ((pOk || p.IsProbeReady(now)) && (mOk || mh!.IsProbeReady(now))) return Availability.ProbeReady;
        return Availability.Unavailable;
    }

    private long CooldownUntil(int index, string? model) =>
        Math.Max(Slots[index].Health.CooldownUntil, ModelHealth(index, model)?.CooldownUntil ?? 0);

    private bool TryClaimProbes(int index, ref CallState call, long now)
    {
        var p = Slots[index].Health;
        var mh = ModelHealth(index, call.ModelFor(index));
        if (!p.IsHealthy(now))
        {
            if (!p.TryClaimProbe(now)) return false;
            call.ProbeProvider = true;
        }
        if (mh is not null && !mh.IsHealthy(now))
        {
            if (!mh.TryClaimProbe(now))
            {
                p.ReleaseProbe(call.ProbeProvider);
                call.ProbeProvider = false;
                return false;
            }
            call.ProbeModel = true;
        }
        return true;
    }
}
