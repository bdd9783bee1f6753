using System.Diagnostics;
using Axon.Runtime.Providers;

namespace Axon.Runtime.Routing;

/// <summary>
/// Routing spans and tags on the <c>Axon</c> <see cref="ActivitySource"/>. One <c>axon.route</c> span per call;
/// every decision sets the <c>axon.route.*</c> tags (the last attempt wins) and adds an
/// <c>axon.route.decision</c> event, every failed attempt an <c>axon.route.attempt_failed</c> event.
/// Nothing is built when no listener samples the span.
/// </summary>
public static class RoutingTelemetry
{
    /// <summary>The source name shared by the whole runtime.</summary>
    public const string SourceName = "Axon";

    /// <summary>Name of the per-call routing span.</summary>
    public const string ActivityName = "axon.route";

    internal static readonly ActivitySource Source = new(SourceName);

    internal static Activity? Start() => Source.StartActivity(ActivityName, ActivityKind.Internal);

    internal static void Call(Activity? activity, ProviderRoutingChatClient.CallSetup call)
    {
        if (activity is null) return;
        if (call.Pinned >= 0) activity.SetTag("axon.route.pinned", true);
        if (call.UnknownPreference is { } unknown) activity.SetTag("axon.route.hint_ignored", unknown);
    }

    internal static void Decision(Activity? activity, in RoutingDecision d)
    {
        if (activity is null) return;
        var candidates = string.Join(",", d.CandidatesToArray());
        var reason = RoutingDecision.ReasonName(d.Reason);
        activity.SetTag("axon.route.strategy", d.Strategy);
        activity.SetTag("axon.route.candidates", candidates);
        activity.SetTag("axon.route.chosen", d.Chosen);
        activity.SetTag("axon.route.attempt", d.Attempt);
        activity.SetTag("axon.route.reason", reason);
        activity.SetTag("axon.route.pinned", d.Reason == RoutingReason.Pinned);
        if (d.Reason == RoutingReason.Panic) activity.SetTag("axon.route.panic", true);
        if (d.Model is not null) activity.SetTag("axon.route.model", d.Model);
        if (d.EstimatedCost is { } cost) activity.SetTag("axon.route.estimated_cost", (double)cost);
        var tags = new ActivityTagsCollection
        {
            ["axon.route.strategy"] = d.Strategy,
            ["axon.route.candidates"] = candidates,
            ["axon.route.chosen"] = d.Chosen,
            ["axon.route.attempt"] = d.Attempt,
            ["axon.route.reason"] = reason,
            ["axon.route.probe"] = d.IsProbe,
        };
        if (d.Previous is { } previous)
        {
            tags["axon.route.previous"] = previous;
            tags["axon.route.previous_error"] = d.PreviousError.ToString();
        }
        activity.AddEvent(new ActivityEvent("axon.route.decision", tags: tags));
    }

    internal static void AttemptFailed(Activity? activity, string provider, int attempt, AxonProviderException error)
    {
        if (activity is null) return;
        var tags = new ActivityTagsCollection
        {
            ["axon.route.provider"] = provider,
            ["axon.route.attempt"] = attempt,
            ["axon.route.error"] = error.Kind.ToString(),
        };
        if (error.StatusCode is { } status) tags["http.response.status_code"] = status;
        if (error.RetryAfter is { } retryAfter) tags["axon.route.retry_after_ms"] = retryAfter.TotalMilliseconds;
        activity.AddEvent(new ActivityEvent("axon.route.attempt_failed", tags: tags));
    }

    internal static void Waiting(Activity? activity, TimeSpan wait)
    {
        if (activity is null) return;
        activity.AddEvent(new ActivityEvent("axon.route.rate_limit_wait",
            tags: new ActivityTagsCollection { ["axon.route.wait_ms"] = wait.TotalMilliseconds }));
    }

    internal static void Failed(Activity? activity, Exception error)
    {
        if (activity is null) return;
        activity.SetTag("error.type", error is AxonProviderException axon ? axon.Kind.ToString() : error.GetType().Name);
        activity.SetStatus(ActivityStatusCode.Error, error.Message);
    }
}
