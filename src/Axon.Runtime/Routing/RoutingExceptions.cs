using Axon.Runtime.Providers;

namespace Axon.Runtime.Routing;

/// <summary>
/// A routing setting is invalid (unknown strategy, bad weight syntax, unknown provider, …).
/// <see cref="Setting"/> names the offending setting the way the user wrote it
/// (<c>PROVIDER_WEIGHTS</c>, <c>Axon:Routing:ProviderWeights</c> or <c>RoutingOptions.Weights</c>).
/// </summary>
public sealed class RoutingConfigurationException : Exception
{
    /// <summary>Creates the error for <paramref name="setting"/>.</summary>
    public RoutingConfigurationException(string setting, string detail)
        : base($"Routing configuration error: {setting}: {detail}")
    {
        Setting = setting;
    }

    /// <summary>The name of the invalid setting.</summary>
    public string Setting { get; }
}

/// <summary>
/// A call pinned to one provider (<c>axon.strict_provider</c>) could not be served by it. The call was
/// never sent anywhere else. When the provider itself failed, <see cref="AxonProviderException.Kind"/>,
/// <see cref="AxonProviderException.StatusCode"/> and <see cref="AxonProviderException.RetryAfter"/> are
/// the provider failure's and <see cref="Exception.InnerException"/> is that failure.
/// </summary>
public sealed class ProviderPinnedException : AxonProviderException
{
    /// <summary>Creates the error for a call pinned to <paramref name="provider"/>.</summary>
    public ProviderPinnedException(string provider, ProviderErrorKind kind, string message, int? statusCode = null,
        TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(provider, kind, message, statusCode, retryAfter, innerException)
    {
    }
}

/// <summary>
/// No provider could be tried: every enabled provider is cooling down after a rate limit (<c>Retry-After</c>)
/// for longer than <see cref="RoutingOptions.MaxRateLimitWait"/>, or has an open breaker whose panic call for
/// this open period was already sent. <see cref="AxonProviderException.RetryAfter"/> says when the first one is
/// usable again; <see cref="Providers"/> gives each provider's state.
/// </summary>
public sealed class NoProviderAvailableException : AxonProviderException
{
    /// <summary>Creates the error.</summary>
    public NoProviderAvailableException(string message, TimeSpan? retryAfter)
        : this(message, retryAfter, [])
    {
    }

    /// <summary>Creates the error with each provider's state.</summary>
    public NoProviderAvailableException(string message, TimeSpan? retryAfter, IReadOnlyList<ProviderAvailability> providers)
        : base("routing", ProviderErrorKind.RateLimited, message, statusCode: null, retryAfter: retryAfter)
    {
        Providers = providers;
    }

    /// <summary>Each enabled provider's state when the call gave up, in configuration order.</summary>
    public IReadOnlyList<ProviderAvailability> Providers { get; }
}

/// <summary>Why a provider could not take a call.</summary>
public enum ProviderAvailabilityState
{
    /// <summary>Usable (it was not chosen for another reason, e.g. a pin elsewhere).</summary>
    Available = 0,
    /// <summary>Cooling down after a rate limit until <see cref="ProviderAvailability.AvailableAt"/>.</summary>
    CoolingDown,
    /// <summary>Circuit breaker open until <see cref="ProviderAvailability.AvailableAt"/>.</summary>
    BreakerOpen,
    /// <summary>Breaker half-open with its probe in flight.</summary>
    Probing,
    /// <summary>Already failed on this call.</summary>
    FailedThisCall,
}

/// <summary>One provider's state in a <see cref="NoProviderAvailableException"/>.</summary>
/// <param name="Provider">The provider name.</param>
/// <param name="State">Its state.</param>
/// <param name="AvailableAt">When it may take calls again, when known.</param>
public sealed record ProviderAvailability(string Provider, ProviderAvailabilityState State, DateTimeOffset? AvailableAt);
