using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using Axon.Runtime.Providers;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Routing;

/// <summary>
/// An <see cref="IChatClient"/> that routes every call to one of several provider clients (keyed by provider
/// name) by a strategy (<see cref="RoutingOptions.Strategy"/>), honours per-call <see cref="RoutingHints"/>,
/// tracks each provider's health (breaker, <c>Retry-After</c> cooldown, panic mode) and fails over on
/// transient errors. It is the only retry loop: provider SDK retries should be off.
/// </summary>
/// <remarks>
/// Failover never happens once a streamed response has produced its first update; a stream cut after that
/// is thrown as <see cref="ProviderErrorKind.TruncatedStream"/>. Calls that fail are thrown as
/// <see cref="AxonProviderException"/> (the last attempt's classified error), <see cref="ProviderPinnedException"/>
/// for pinned calls, or <see cref="NoProviderAvailableException"/>. The provider clients stay owned by the
/// caller: disposing the router does not dispose them. A served response carries the provider's name in
/// <c>AdditionalProperties["axon.provider"]</c> and the attempt count in <c>["axon.attempts"]</c>.
/// </remarks>
public sealed class ProviderRoutingChatClient : IChatClient
{
    /// <summary>Response property naming the provider that served the call.</summary>
    public const string ProviderPropertyKey = "axon.provider";

    /// <summary>Response property with the number of attempts the call took (1 = no failover).</summary>
    public const string AttemptsPropertyKey = "axon.attempts";

    private static readonly ChatClientMetadata Metadata = new("axon-router");

    private readonly RoutingEngine _engine;
    private readonly TimeProvider _time;
    private readonly Providers.IModelPriceTable? _prices;

    /// <summary>Creates a router over <paramref name="providers"/> (name → client, in priority order for ties).</summary>
    /// <param name="providers">The provider clients by name; at most 64, names unique (case-insensitive).</param>
    /// <param name="options">Settings (<see cref="RoutingOptions.FromEnvironment"/>, <see cref="RoutingOptions.FromConfiguration"/> or code); defaults when null.</param>
    /// <param name="timeProvider">Clock for breakers, cooldowns and latency; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="random">Randomness for the weighted and round-robin starting phase and latency sampling; <see cref="Random.Shared"/> when null.</param>
    /// <param name="priceTable">Model prices for cost-optimized routing (after <see cref="RoutingOptions.Costs"/>).</param>
    /// <param name="decisionSink">Receives every routing decision (the trace recorder).</param>
    /// <exception cref="RoutingConfigurationException">A setting names an unknown provider or is out of range.</exception>
    public ProviderRoutingChatClient(IEnumerable<KeyValuePair<string, IChatClient>> providers, RoutingOptions? options = null,
        TimeProvider? timeProvider = null, Random? random = null, Providers.IModelPriceTable? priceTable = null,
        IRoutingDecisionSink? decisionSink = null)
    {
        ArgumentNullException.ThrowIfNull(providers);
        options ??= new RoutingOptions();
        _time = timeProvider ?? TimeProvider.System;
        _prices = priceTable;
        random ??= Random.Shared;

        var list = providers.ToList();
        if (list.Count == 0) throw new ArgumentException("At least one provider is required.", nameof(providers));
        if (list.Count > RoutingEngine.MaxProviders)
            throw new ArgumentException($"At most {RoutingEngine.MaxProviders} providers can be routed, got {list.Count}.", nameof(providers));
        var names = new List<string>();
        foreach (var (name, client) in list)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A provider name is empty.", nameof(providers));
            if (client is null) throw new ArgumentException($"The client of provider '{name}' is null.", nameof(providers));
            if (names.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"Provider '{name}' is given twice.", nameof(providers));
            names.Add(name);
        }

        Validate(options, names);
        var enabled = 0UL;
        for (var i = 0; i < names.Count; i++)
            if (options.AllowedProviders is not { Count: > 0 } allowed || allowed.Contains(names[i], StringComparer.OrdinalIgnoreCase))
                enabled |= 1UL << i;

        var slots = new ProviderSlot[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            var (name, client) = list[i];
            long weight = options.Weights.Count == 0 ? 1000 : options.Weights.TryGetValue(name, out var w) ? (long)(w * 1000m) : 0;
            decimal? cost = options.Costs.TryGetValue(name, out var c) ? c : null;
            var defaultModel = client.GetService(typeof(ChatClientMetadata)) is ChatClientMetadata meta ? meta.DefaultModelId : null;
            slots[i] = new ProviderSlot(i, name, client, weight, cost, defaultModel);
        }
        if (options.Strategy == RoutingStrategyKind.Weighted)
        {
            var any = false;
            for (var m = enabled; m != 0; m &= m - 1) any |= slots[BitOperations.TrailingZeroCount(m)].Weight > 0;
            if (!any)
                throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.Weights)),
                    "every enabled provider has weight 0 (or a weight below 0.001)");
        }

        var primary = options.DefaultProvider is null ? -1 : names.FindIndex(n => string.Equals(n, options.DefaultProvider, StringComparison.OrdinalIgnoreCase));
        RoutingStrategy strategy = options.Strategy switch
        {
            RoutingStrategyKind.Weighted => new WeightedStrategy(slots, enabled, random),
            RoutingStrategyKind.RoundRobin => new RoundRobinStrategy(slots, random.Next(slots.Length)),
            RoutingStrategyKind.Failover => new FailoverStrategy(slots, primary),
            RoutingStrategyKind.CostOptimized => new CostOptimizedStrategy(slots, priceTable),
            RoutingStrategyKind.LatencyAware => new LatencyAwareStrategy(slots, random),
            _ => throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.Strategy)), $"unknown strategy {options.Strategy}"),
        };
        _engine = new RoutingEngine(slots, enabled, options, strategy, _time, decisionSink);
    }

    /// <summary>The strategy in use.</summary>
    public RoutingStrategyKind Strategy => _engine.Options.Strategy;

    /// <summary>All configured providers, in configuration order.</summary>
    public IReadOnlyList<string> Providers => _engine.Names;

    /// <summary>The providers calls may be routed to (after <c>LLM_PROVIDERS</c>), in configuration order.</summary>
    public IReadOnlyList<string> EnabledProviders =>
        _engine.Names.Where((_, i) => (_engine.EnabledMask & (1UL << i)) != 0).ToArray();

    /// <summary>The health of <paramref name="provider"/>, or of one of its models.</summary>
    /// <exception cref="ArgumentException">The provider is not configured.</exception>
    public ProviderHealthSnapshot GetHealth(string provider, string? model = null)
    {
        var index = _engine.IndexOf(provider);
        if (index < 0) throw new ArgumentException($"Unknown provider '{provider}'.", nameof(provider));
        return _engine.Snapshot(index, model);
    }

    internal RoutingEngine Engine => _engine;

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var call = Prepare(ref messages, options);
        var state = call.State;
        using var activity = RoutingTelemetry.Start();
        RoutingTelemetry.Call(activity, call);
        AxonProviderException? last = null;
        try
        {
            while (true)
            {
                int index;
                while ((index = Next(ref state, call, activity, last, out var wait)) < 0)
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                var slot = _engine.Slots[index];
                Interlocked.Increment(ref slot.InFlight);
                var started = _time.GetTimestamp();
                try
                {
                    var response = await slot.Client.GetResponseAsync(messages, call.OptionsFor(state, index), cancellationToken).ConfigureAwait(false);
                    _engine.OnSuccess(index, ref state, _time.GetElapsedTime(started));
                    (response.AdditionalProperties ??= new AdditionalPropertiesDictionary())[ProviderPropertyKey] = slot.Name;
                    response.AdditionalProperties[AttemptsPropertyKey] = state.Attempt;
                    return response;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    _engine.ReleaseProbes(index, ref state);
                    throw;
                }
                catch (Exception ex)
                {
                    var stop = AttemptFailed(ref state, call, index, ex, activity, out last);
                    if (stop is null) continue;
                    if (ReferenceEquals(stop, ex)) throw;
                    throw stop;
                }
                finally
                {
                    Interlocked.Decrement(ref slot.InFlight);
                }
            }
        }
        catch (Exception ex)
        {
            RoutingTelemetry.Failed(activity, ex);
            throw;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var call = Prepare(ref messages, options);
        var state = call.State;
        using var activity = RoutingTelemetry.Start();
        RoutingTelemetry.Call(activity, call);
        AxonProviderException? last = null;
        while (true)
        {
            int index;
            try
            {
                while ((index = Next(ref state, call, activity, last, out var wait)) < 0)
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                RoutingTelemetry.Failed(activity, ex);
                throw;
            }
            var slot = _engine.Slots[index];
            Interlocked.Increment(ref slot.InFlight);
            var started = _time.GetTimestamp();
            IAsyncEnumerator<ChatResponseUpdate>? updates = null;
            bool hasUpdate;
            try
            {
                updates = slot.Client.GetStreamingResponseAsync(messages, call.OptionsFor(state, index), cancellationToken)
                    .GetAsyncEnumerator(cancellationToken);
                hasUpdate = await updates.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Interlocked.Decrement(ref slot.InFlight);
                if (updates is not null) await DisposeQuietly(updates).ConfigureAwait(false);
                if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    _engine.ReleaseProbes(index, ref state);
                    throw;
                }
                var stop = AttemptFailed(ref state, call, index, ex, activity, out last);
                if (stop is null) continue;
                RoutingTelemetry.Failed(activity, stop);
                if (ReferenceEquals(stop, ex)) throw;
                throw stop;
            }

            if (!hasUpdate)
            {
                // Ended before anything was delivered: an empty stream is a cut, not an answer, and since the
                // caller has seen nothing yet it can still fail over.
                Interlocked.Decrement(ref slot.InFlight);
                await DisposeQuietly(updates).ConfigureAwait(false);
                var empty = new AxonProviderException(slot.Name, ProviderErrorKind.TruncatedStream,
                    $"Backend error: {slot.Name} stream ended before its first update");
                var stop = AttemptFailed(ref state, call, index, empty, activity, out last);
                if (stop is null) continue;
                RoutingTelemetry.Failed(activity, stop);
                throw stop;
            }

            // The stream has started: from here on there is no failover.
            var elapsedToFirst = _time.GetElapsedTime(started);
            var outcomeRecorded = false;
            var sawFinish = false;
            var first = true;
            try
            {
                while (hasUpdate)
                {
                    var update = updates.Current;
                    if (update.FinishReason is not null) sawFinish = true;
                    if (first)
                    {
                        (update.AdditionalProperties ??= new AdditionalPropertiesDictionary())[ProviderPropertyKey] = slot.Name;
                        update.AdditionalProperties[AttemptsPropertyKey] = state.Attempt;
                        first = false;
                    }
                    yield return update;
                    try
                    {
                        hasUpdate = await updates.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        throw;
                    }
                    catch (Exception ex)
                    {
                        outcomeRecorded = true;
                        var cut = StreamCut(ref state, call, index, ex, activity);
                        RoutingTelemetry.Failed(activity, cut);
                        throw cut;
                    }
                }
                if (_engine.Options.RequireStreamFinishReason && !sawFinish)
                {
                    outcomeRecorded = true;
                    var cut = StreamCut(ref state, call, index,
                        new AxonProviderException(slot.Name, ProviderErrorKind.TruncatedStream,
                            $"Backend error: {slot.Name} stream ended without a finish reason"), activity);
                    RoutingTelemetry.Failed(activity, cut);
                    throw cut;
                }
                outcomeRecorded = true;
                _engine.OnSuccess(index, ref state, elapsedToFirst);
            }
            finally
            {
                // The consumer stopped early or cancelled: no verdict on the provider, give back a probe.
                if (!outcomeRecorded) _engine.ReleaseProbes(index, ref state);
                Interlocked.Decrement(ref slot.InFlight);
                await DisposeQuietly(updates).ConfigureAwait(false);
            }
            yield break;
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return Metadata;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Does nothing: the provider clients are owned by the caller.</summary>
    public void Dispose()
    {
    }

    internal sealed class CallSetup
    {
        public CallState State;
        public int Pinned = -1;
        /// <summary>A preferred provider the router does not know (recorded, then ignored: a hint is no pin).</summary>
        public string? UnknownPreference;
        public ChatOptions? WithModel;
        public ChatOptions? WithoutModel;

        public ChatOptions? OptionsFor(in CallState state, int index) => state.ModelFor(index) is null ? WithoutModel : WithModel;
    }

    // Reads hints, resolves the pin and the model, and prepares the options each provider will get. Runs once per
    // call; the per-attempt decision itself (RoutingEngine.Decide) allocates nothing.
    private CallSetup Prepare(ref IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var hints = RoutingHints.From(options);
        var call = new CallSetup { State = CallState.Create() };
        var baseOptions = options;
        if (RoutingHints.HasAxonKeys(options?.AdditionalProperties))
        {
            // Our keys are routing-only; a provider adapter must not forward them to the vendor.
            baseOptions = options!.Clone();
            var props = new AdditionalPropertiesDictionary();
            foreach (var (key, value) in options.AdditionalProperties!)
                if (!key.StartsWith("axon.", StringComparison.Ordinal)) props[key] = value;
            baseOptions.AdditionalProperties = props.Count == 0 ? null : props;
        }

        var preferred = -1;
        if (hints?.Provider is { } provider)
        {
            preferred = _engine.IndexOf(provider);
            if (preferred < 0) call.UnknownPreference = provider;
            if (hints.StrictProvider)
            {
                if (preferred < 0)
                    throw new ProviderPinnedException(provider, ProviderErrorKind.Configuration,
                        $"Backend error: call pinned to '{provider}', which is not a configured provider (configured: {string.Join(", ", _engine.Names)})");
                if ((_engine.EnabledMask & (1UL << preferred)) == 0)
                    throw new ProviderPinnedException(provider, ProviderErrorKind.Configuration,
                        $"Backend error: call pinned to '{provider}', which is not enabled by {_engine.Options.SettingName(nameof(RoutingOptions.AllowedProviders))}");
                call.Pinned = preferred;
            }
        }
        else if (hints?.StrictProvider == true)
        {
            throw new ArgumentException($"'{RoutingHints.StrictProviderKey}' needs a provider ('{RoutingHints.ProviderKey}').", nameof(options));
        }

        var model = hints?.Model ?? options?.ModelId;
        ref var state = ref call.State;
        if (model is not null)
        {
            state.Model = model;
            if (preferred >= 0)
            {
                state.ModelMask = 1UL << preferred;
            }
            else
            {
                // Without a provider, the model goes where the price table says it exists; when no table knows it,
                // it goes everywhere (the caller's ModelId, as a single-provider client would send it).
                var known = 0UL;
                if (_prices is not null)
                    for (var i = 0; i < _engine.Names.Length; i++)
                        if (_prices.TryGetPrice(_engine.Names[i], model, out _)) known |= 1UL << i;
                state.ModelMask = known != 0 ? known : ~0UL;
                if (known != 0) state.PreferredMask = known;
            }
        }
        if (preferred >= 0) state.PreferredMask = 1UL << preferred;

        call.WithModel = baseOptions;
        if (model is not null && baseOptions?.ModelId != model)
        {
            call.WithModel = baseOptions?.Clone() ?? new ChatOptions();
            call.WithModel.ModelId = model;
        }
        call.WithoutModel = baseOptions;
        if (baseOptions?.ModelId is not null && state.ModelMask != ~0UL)
        {
            call.WithoutModel = baseOptions.Clone();
            call.WithoutModel.ModelId = null;
        }

        if (_engine.Options.Strategy == RoutingStrategyKind.CostOptimized)
        {
            if (messages is not IReadOnlyCollection<ChatMessage> and not ICollection<ChatMessage>)
                messages = messages.ToList(); // enumerated by the estimate and again by every attempt
            state.InputTokens = EstimateInputTokens(messages, baseOptions);
            state.OutputTokens = options?.MaxOutputTokens ?? _engine.Options.EstimatedOutputTokens;
        }
        else if (messages is not IReadOnlyCollection<ChatMessage> and not ICollection<ChatMessage>)
        {
            messages = messages.ToList(); // a failover re-sends them
        }
        return call;
    }

    // About four characters per token, plus a few tokens of framing per message: good enough to rank providers.
    private static long EstimateInputTokens(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        long chars = options?.Instructions?.Length ?? 0;
        long count = 0;
        foreach (var message in messages)
        {
            count++;
            foreach (var content in message.Contents)
                if (content is TextContent text) chars += text.Text?.Length ?? 0;
        }
        return (chars + 3) / 4 + 4 * count;
    }

    // Picks the provider of the next attempt, or returns -1 with how long to wait for a rate-limit cooldown to end
    // (within the call's MaxRateLimitWait budget), or throws when there is none.
    private int Next(ref CallState state, CallSetup call, Activity? activity, AxonProviderException? last, out TimeSpan wait)
    {
        RoutingDecision decision;
        int index;
        wait = default;
        if (call.Pinned >= 0)
        {
            index = call.Pinned;
            var refusal = _engine.AdmitPinned(index, ref state, out var kind, out var retryAfter, out decision);
            if (refusal is not null)
                throw new ProviderPinnedException(_engine.Names[index], kind,
                    $"Backend error: call pinned to '{_engine.Names[index]}', which is not available: {refusal}", retryAfter: retryAfter);
        }
        else
        {
            index = _engine.Decide(ref state, out decision);
            if (index < 0)
            {
                var now = _engine.Now;
                var until = _engine.EarliestCooldownEnd(state, now);
                if (until != long.MaxValue)
                {
                    var ticks = Math.Max(until - now, TimeSpan.TicksPerMillisecond);
                    if (state.WaitedTicks + ticks <= _engine.Options.MaxRateLimitWait.Ticks)
                    {
                        // Waiting the (short) Retry-After beats failing the call: the capacity comes back in a moment.
                        state.WaitedTicks += ticks;
                        wait = TimeSpan.FromTicks(ticks);
                        RoutingTelemetry.Waiting(activity, wait);
                        return -1;
                    }
                }
                if (last is not null) throw last;
                var providers = _engine.Availabilities(state);
                TimeSpan? first = null;
                foreach (var p in providers)
                    if (p.AvailableAt is { } at && at.UtcTicks > now && (first is null || at.UtcTicks - now < first.Value.Ticks))
                        first = TimeSpan.FromTicks(at.UtcTicks - now);
                throw new NoProviderAvailableException("Backend error: no provider available: " + string.Join("; ", providers.Select(p => Describe(p, now))), first, providers);
            }
        }
        RoutingTelemetry.Decision(activity, decision);
        return index;
    }

    private static string Describe(ProviderAvailability p, long now)
    {
        var at = p.AvailableAt is { } a
            ? $" until {a.UtcDateTime.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture)}Z (in {TimeSpan.FromTicks(Math.Max(0, a.UtcTicks - now)).TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s)"
            : "";
        return p.State switch
        {
            ProviderAvailabilityState.CoolingDown => $"{p.Provider} is cooling down after a rate limit{at}",
            ProviderAvailabilityState.BreakerOpen => $"{p.Provider} has its circuit breaker open{at} (its panic call for this period was sent)",
            ProviderAvailabilityState.Probing => $"{p.Provider} is half-open with a probe in flight",
            ProviderAvailabilityState.FailedThisCall => $"{p.Provider} already failed on this call",
            _ => $"{p.Provider} is available",
        };
    }

    // Records a failed attempt; returns the exception to throw, or null to fail over.
    private Exception? AttemptFailed(ref CallState state, CallSetup call, int index, Exception exception, Activity? activity,
        out AxonProviderException classified)
    {
        var name = _engine.Names[index];
        classified = ProviderErrorClassifier.Classify(name, exception, _time);
        var attempt = state.Attempt;
        _engine.OnFailure(index, ref state, classified);
        RoutingTelemetry.AttemptFailed(activity, name, attempt, classified);
        if (call.Pinned >= 0)
            return new ProviderPinnedException(name, classified.Kind,
                $"Backend error: call pinned to '{name}' failed ({classified.Kind}); it is not sent elsewhere",
                classified.StatusCode, classified.RetryAfter, classified);
        if (!ProviderErrorClassifier.CanFailOver(classified.Kind)) return classified;
        if (state.Attempt > 1 + _engine.Options.MaxFailoverHops) return classified;
        return null;
    }

    private AxonProviderException StreamCut(ref CallState state, CallSetup call, int index, Exception exception, Activity? activity)
    {
        var name = _engine.Names[index];
        var classified = ProviderErrorClassifier.Classify(name, exception, _time);
        var attempt = state.Attempt;
        _engine.OnFailure(index, ref state, classified);
        RoutingTelemetry.AttemptFailed(activity, name, attempt, classified);
        if (classified.Kind == ProviderErrorKind.TruncatedStream && call.Pinned < 0) return classified;
        var message = $"Backend error: {name} stream was cut after it started ({classified.Kind}); not failed over";
        return call.Pinned >= 0
            ? new ProviderPinnedException(name, ProviderErrorKind.TruncatedStream, message, classified.StatusCode, classified.RetryAfter, classified)
            : new AxonProviderException(name, ProviderErrorKind.TruncatedStream, message, classified.StatusCode, classified.RetryAfter, classified);
    }

    private static async ValueTask DisposeQuietly(IAsyncEnumerator<ChatResponseUpdate>? updates)
    {
        if (updates is null) return;
        try
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The attempt's outcome is already decided; a failing dispose must not replace it.
        }
    }

    private static void Validate(RoutingOptions options, List<string> names)
    {
        string Known() => string.Join(", ", names);
        bool IsKnown(string n) => names.Contains(n, StringComparer.OrdinalIgnoreCase);

        if (!Enum.IsDefined(options.Strategy))
            throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.Strategy)), $"unknown strategy {(int)options.Strategy}");
        if (options.AllowedProviders is { Count: > 0 } allowed)
            foreach (var n in allowed)
                if (!IsKnown(n))
                    throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.AllowedProviders)),
                        $"unknown provider '{n}' (configured: {Known()})");
        foreach (var (n, w) in options.Weights)
        {
            if (!IsKnown(n))
                throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.Weights)), $"unknown provider '{n}' (configured: {Known()})");
            if (w < 0 || w > 1_000_000_000m)
                throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.Weights)), $"the weight of '{n}' must be between 0 and 1e9, got {w}");
        }
        foreach (var (n, c) in options.Costs)
        {
            if (!IsKnown(n))
                throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.Costs)), $"unknown provider '{n}' (configured: {Known()})");
            if (c < 0)
                throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.Costs)), $"the cost of '{n}' must not be negative, got {c}");
        }
        if (options.DefaultProvider is { } primary)
        {
            if (!IsKnown(primary))
                throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.DefaultProvider)), $"unknown provider '{primary}' (configured: {Known()})");
            if (options.AllowedProviders is { Count: > 0 } list && !list.Contains(primary, StringComparer.OrdinalIgnoreCase))
                throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.DefaultProvider)),
                    $"provider '{primary}' is not enabled by {options.SettingName(nameof(RoutingOptions.AllowedProviders))}");
        }
        if (options.MaxFailoverHops < 0)
            throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.MaxFailoverHops)), "must not be negative");
        if (options.BreakerFailureThreshold < 1)
            throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.BreakerFailureThreshold)), "must be at least 1");
        if (options.BreakerOpenDuration <= TimeSpan.Zero)
            throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.BreakerOpenDuration)), "must be positive");
        if (options.MaxRateLimitWait < TimeSpan.Zero)
            throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.MaxRateLimitWait)), "must not be negative");
        if (options.DefaultRateLimitCooldown < TimeSpan.Zero)
            throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.DefaultRateLimitCooldown)), "must not be negative");
        if (options.EstimatedOutputTokens < 0)
            throw new RoutingConfigurationException(options.SettingName(nameof(RoutingOptions.EstimatedOutputTokens)), "must not be negative");
    }
}
