using System.Numerics;
using Axon.Runtime.Providers;

namespace Axon.Runtime.Routing;

/// <summary>Why a provider was chosen for an attempt.</summary>
public enum RoutingReason
{
    /// <summary>The strategy picked it among the healthy candidates.</summary>
    Strategy = 0,
    /// <summary>The call's preferred provider or model (a hint) selected it.</summary>
    Hint,
    /// <summary>The call is pinned to it (<c>axon.strict_provider</c>).</summary>
    Pinned,
    /// <summary>An earlier attempt failed with a transient error; the strategy picked the next provider.</summary>
    Failover,
    /// <summary>Every enabled provider's breaker was open, so the strategy picked among all of them.</summary>
    Panic,
}

/// <summary>
/// One routing decision: which provider an attempt of a call goes to, among which candidates, and why.
/// A value type that holds no per-call allocation; the candidate set is a bit mask over
/// <see cref="ProviderNames"/> (at most 64 providers).
/// </summary>
public readonly struct RoutingDecision
{
    internal RoutingDecision(string strategy, string[] providerNames, ulong candidates, int chosen, int attempt,
        RoutingReason reason, string? model, bool probe, int previous, ProviderErrorKind previousError, decimal? estimatedCost)
    {
        Strategy = strategy;
        ProviderNames = providerNames;
        CandidateMask = candidates;
        ChosenIndex = chosen;
        Attempt = attempt;
        Reason = reason;
        Model = model;
        IsProbe = probe;
        PreviousIndex = previous;
        PreviousError = previousError;
        EstimatedCost = estimatedCost;
    }

    /// <summary>The strategy's seed name (<c>weighted</c>, <c>round_robin</c>, <c>failover</c>, <c>cost_optimized</c>, <c>latency</c>).</summary>
    public string Strategy { get; }

    /// <summary>All providers of the router, in configuration order; indexes below refer to it. Do not modify.</summary>
    public IReadOnlyList<string> ProviderNames { get; }

    /// <summary>Bit <c>i</c> is set when provider <c>i</c> was a candidate for this attempt.</summary>
    public ulong CandidateMask { get; }

    /// <summary>Number of candidates.</summary>
    public int CandidateCount => BitOperations.PopCount(CandidateMask);

    /// <summary>Index of the chosen provider in <see cref="ProviderNames"/>.</summary>
    public int ChosenIndex { get; }

    /// <summary>The chosen provider.</summary>
    public string Chosen => ProviderNames[ChosenIndex];

    /// <summary>1 for the first attempt of a call, 2 for the first failover, …</summary>
    public int Attempt { get; }

    /// <summary>Why the provider was chosen.</summary>
    public RoutingReason Reason { get; }

    /// <summary>The model sent to the provider when the call chose one (hint or <c>ChatOptions.ModelId</c>), else null (provider default).</summary>
    public string? Model { get; }

    /// <summary>True when this attempt is the one probe let through a half-open breaker.</summary>
    public bool IsProbe { get; }

    /// <summary>Index of the provider whose failure caused this attempt, or -1 on the first attempt.</summary>
    public int PreviousIndex { get; }

    /// <summary>The provider this call failed over from, or null.</summary>
    public string? Previous => PreviousIndex < 0 ? null : ProviderNames[PreviousIndex];

    /// <summary>How the previous attempt failed (<see cref="ProviderErrorKind.Unknown"/> on the first attempt).</summary>
    public ProviderErrorKind PreviousError { get; }

    /// <summary>Estimated cost of the call on the chosen provider in US dollars, when the strategy estimated one.</summary>
    public decimal? EstimatedCost { get; }

    /// <summary>True when <paramref name="providerIndex"/> was a candidate.</summary>
    public bool IsCandidate(int providerIndex) => (uint)providerIndex < 64 && (CandidateMask & (1UL << providerIndex)) != 0;

    /// <summary>The candidates' names, in configuration order (allocates; for recorders and tests).</summary>
    public string[] CandidatesToArray()
    {
        var result = new string[CandidateCount];
        var n = 0;
        for (var mask = CandidateMask; mask != 0; mask &= mask - 1)
            result[n++] = ProviderNames[BitOperations.TrailingZeroCount(mask)];
        return result;
    }

    /// <summary>The seed-style text of a reason (<c>strategy</c>, <c>hint</c>, <c>pinned</c>, <c>failover</c>, <c>panic</c>).</summary>
    public static string ReasonName(RoutingReason reason) => reason switch
    {
        RoutingReason.Strategy => "strategy",
        RoutingReason.Hint => "hint",
        RoutingReason.Pinned => "pinned",
        RoutingReason.Failover => "failover",
        RoutingReason.Panic => "panic",
        _ => "unknown",
    };

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Strategy} attempt {Attempt}: {Chosen} ({ReasonName(Reason)}) among [{string.Join(", ", CandidatesToArray())}]";
}

/// <summary>
/// Receives every routing decision, synchronously, on the calling thread, before the attempt is sent.
/// The trace recorder implements it (event kind <c>route_decision</c>). Because it runs in the caller's
/// execution context, <c>AsyncLocal</c> state (the current step) and <c>Activity.Current</c> (the call's
/// <c>axon.route</c> span, when sampled) identify the call. Implementations must be thread-safe, fast and
/// must not throw; copy what you need, the decision is not kept.
/// </summary>
public interface IRoutingDecisionSink
{
    /// <summary>Records one decision.</summary>
    void OnDecision(in RoutingDecision decision);
}
