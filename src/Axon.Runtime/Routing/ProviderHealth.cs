using Axon.Runtime.Providers;

namespace Axon.Runtime.Routing;

/// <summary>State of a provider's (or a provider model's) circuit breaker.</summary>
public enum BreakerState
{
    /// <summary>Calls flow.</summary>
    Closed = 0,
    /// <summary>Too many consecutive failures; no calls until the open period ends.</summary>
    Open,
    /// <summary>The open period ended and one probe call is in flight.</summary>
    HalfOpen,
}

/// <summary>A point-in-time view of a provider's health, for diagnostics and tests.</summary>
/// <param name="State">The breaker state.</param>
/// <param name="ConsecutiveFailures">Transient failures since the last success (429s are not counted; they cool down instead).</param>
/// <param name="OpenUntil">When an open breaker lets a probe through, or null.</param>
/// <param name="CooldownUntil">When a <c>Retry-After</c> cooldown ends, or null when there is none.</param>
public readonly record struct ProviderHealthSnapshot(BreakerState State, int ConsecutiveFailures, DateTimeOffset? OpenUntil, DateTimeOffset? CooldownUntil);

/// <summary>
/// Health of one provider or one (provider, model): a consecutive-failure breaker plus a rate-limit cooldown.
/// Reads for selection are lock-free; transitions take a private lock (uncontended, allocation-free).
/// Times are UTC ticks from the router's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class HealthState
{
    private readonly object _gate = new();
    private volatile int _state; // BreakerState
    private int _failures;
    private long _openUntil;
    private long _cooldownUntil;
    private volatile bool _probeInFlight;
    private bool _panicProbed;
    // Bumped on every breaker transition; a call remembers the epoch it started in, and outcomes from an
    // earlier epoch (a call sent before the breaker opened, or before a probe closed it) change nothing.
    private volatile int _epoch;

    /// <summary>Free for a normal call: closed and not cooling down.</summary>
    public bool IsHealthy(long now) => _state == (int)BreakerState.Closed && now >= Volatile.Read(ref _cooldownUntil);

    /// <summary>Cooling down after a rate limit: must not be called, not even in panic mode.</summary>
    public bool IsCoolingDown(long now) => now < Volatile.Read(ref _cooldownUntil);

    /// <summary>Open, its period over and no probe in flight: the next call may probe it.</summary>
    public bool IsProbeReady(long now) =>
        _state == (int)BreakerState.Open && !_probeInFlight && now >= Volatile.Read(ref _openUntil) && !IsCoolingDown(now);

    public long CooldownUntil => Volatile.Read(ref _cooldownUntil);

    /// <summary>The current breaker epoch (see <see cref="OnSuccess"/>).</summary>
    public int Epoch => _epoch;

    /// <summary>Open and its panic probe for this open period not yet sent.</summary>
    public bool IsPanicProbeReady(long now) => _state == (int)BreakerState.Open && !_probeInFlight && !_panicProbed && !IsCoolingDown(now);

    /// <summary>
    /// Claims the one call panic mode may send to this open breaker in the current open period; false when it
    /// was already sent (the next one waits for the next period, or for the ordinary half-open probe).
    /// </summary>
    public bool TryClaimPanicProbe()
    {
        lock (_gate)
        {
            if (_state != (int)BreakerState.Open || _probeInFlight || _panicProbed) return false;
            _panicProbed = true;
            return true;
        }
    }

    /// <summary>End of the open period (meaningful while the breaker is not closed).</summary>
    public long OpenUntil => _state == (int)BreakerState.Closed ? 0 : Volatile.Read(ref _openUntil);

    /// <summary>Claims the single half-open probe; false when another call got it first.</summary>
    public bool TryClaimProbe(long now)
    {
        lock (_gate)
        {
            if (_state != (int)BreakerState.Open || _probeInFlight || now < _openUntil) return false;
            _probeInFlight = true;
            _state = (int)BreakerState.HalfOpen;
            _epoch++;
            return true;
        }
    }

    /// <summary>Records a success of a call that started in breaker epoch <paramref name="startEpoch"/>.</summary>
    public void OnSuccess(int startEpoch)
    {
        if (_state == (int)BreakerState.Closed && Volatile.Read(ref _failures) == 0) return; // common case: no lock
        lock (_gate)
        {
            // A call sent before the current state began says nothing about it: a success from before the
            // breaker opened must not cut the open period short.
            if (startEpoch != _epoch) return;
            _failures = 0;
            if (_state != (int)BreakerState.Closed) _epoch++;
            _state = (int)BreakerState.Closed;
            _probeInFlight = false;
            _panicProbed = false;
        }
    }

    /// <summary>Records a transient failure; rate limits cool down for <paramref name="retryAfter"/> instead of counting.</summary>
    /// <remarks>The cooldown applies whenever the call started (it is news about now); the breaker counts only
    /// failures of calls that started in the current epoch.</remarks>
    public void OnFailure(long now, ProviderErrorKind kind, TimeSpan? retryAfter, TimeSpan defaultCooldown, int threshold, TimeSpan openDuration, int startEpoch)
    {
        lock (_gate)
        {
            var cooldown = retryAfter ?? (kind == ProviderErrorKind.RateLimited ? defaultCooldown : TimeSpan.Zero);
            if (cooldown > TimeSpan.Zero)
            {
                // Cap absurd values (a date far in the future) at one day rather than overflow.
                var until = now + Math.Min(cooldown.Ticks, TimeSpan.TicksPerDay);
                if (until > _cooldownUntil) Volatile.Write(ref _cooldownUntil, until);
            }
            if (startEpoch != _epoch) return;
            if (kind == ProviderErrorKind.RateLimited)
            {
                // A 429 is load shedding, not a fault: it cools down but does not push the breaker. A failed probe
                // still re-opens, so the provider is not left half-open.
                if (_state == (int)BreakerState.HalfOpen) Reopen(now, openDuration);
                return;
            }
            _failures++;
            if (_state == (int)BreakerState.HalfOpen || _failures >= threshold) Reopen(now, openDuration);
        }
    }

    /// <summary>Gives the probe back without a verdict (cancelled call, request error): another call may probe.</summary>
    public void ReleaseProbe(bool wasProbe)
    {
        if (!wasProbe) return;
        lock (_gate)
        {
            if (_state == (int)BreakerState.HalfOpen)
            {
                _state = (int)BreakerState.Open;
                _epoch++;
            }
            _probeInFlight = false;
        }
    }

    public ProviderHealthSnapshot Snapshot(long now)
    {
        lock (_gate)
        {
            return new ProviderHealthSnapshot((BreakerState)_state, _failures,
                _state == (int)BreakerState.Closed ? null : new DateTimeOffset(_openUntil, TimeSpan.Zero),
                now < _cooldownUntil ? new DateTimeOffset(_cooldownUntil, TimeSpan.Zero) : null);
        }
    }

    private void Reopen(long now, TimeSpan openDuration)
    {
        Volatile.Write(ref _openUntil, now + openDuration.Ticks);
        // A failed panic call (sent while open) extends the period but does not earn another panic call in it;
        // a failed half-open probe starts a new period, which may get one.
        if (_state != (int)BreakerState.Open) _panicProbed = false;
        _state = (int)BreakerState.Open;
        _probeInFlight = false;
        _epoch++;
    }
}
