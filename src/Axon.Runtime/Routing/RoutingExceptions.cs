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
/// No provider could be tried: every enabled provider is cooling down after a rate limit
/// (<c>Retry-After</c>). <see cref="AxonProviderException.RetryAfter"/> says when the first one is usable again.
/// </summary>
public sealed class NoProviderAvailableException : AxonProviderException
{
    /// <summary>Creates the error.</summary>
    public NoProviderAvailableException(string message, TimeSpan? retryAfter)
        : base("routing", ProviderErrorKind.RateLimited, message, statusCode: null, retryAfter: retryAfter)
    {
    }
}
