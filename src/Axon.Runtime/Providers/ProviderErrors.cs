namespace Axon.Runtime.Providers;

/// <summary>How a provider call failed; decides whether routing may retry elsewhere.</summary>
public enum ProviderErrorKind
{
    /// <summary>The failure could not be classified.</summary>
    Unknown = 0,
    /// <summary>The provider is not configured (missing key, unknown backend, bad setting).</summary>
    Configuration,
    /// <summary>401/403: the credentials were refused.</summary>
    Authentication,
    /// <summary>400/422: the request itself is wrong; retrying elsewhere will not help.</summary>
    BadRequest,
    /// <summary>404: unknown model, deployment or path.</summary>
    NotFound,
    /// <summary>429: rate limited; <see cref="AxonProviderException.RetryAfter"/> may say for how long.</summary>
    RateLimited,
    /// <summary>5xx (and 408): the provider failed.</summary>
    ServerError,
    /// <summary>The request timed out.</summary>
    Timeout,
    /// <summary>The endpoint could not be reached (refused, reset, DNS).</summary>
    ConnectionFailed,
    /// <summary>A streamed response ended before its terminal event.</summary>
    TruncatedStream,
    /// <summary>
    /// The provider blocked the prompt or stopped the answer for safety (Gemini <c>promptFeedback.blockReason</c> or
    /// <c>finishReason: SAFETY</c>, OpenAI <c>content_filter</c>, Anthropic <c>refusal</c>, Bedrock <c>content_filtered</c>):
    /// the same prompt fails the same way anywhere, so it is neither retried nor failed over.
    /// </summary>
    ContentFiltered,
}

/// <summary>
/// A classified provider failure. Messages follow the seed's wording
/// (<c>Backend error: …</c>) and never contain API keys.
/// </summary>
public class AxonProviderException : Exception
{
    /// <summary>Creates a classified provider failure.</summary>
    public AxonProviderException(string provider, ProviderErrorKind kind, string message, int? statusCode = null,
        TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Provider = provider;
        Kind = kind;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>The backend name (anthropic, openai, …).</summary>
    public string Provider { get; }

    /// <summary>The classification of the failure.</summary>
    public ProviderErrorKind Kind { get; }

    /// <summary>The HTTP status code, when there was a response.</summary>
    public int? StatusCode { get; }

    /// <summary>The provider's <c>Retry-After</c>, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// True when another attempt (on this or another provider) may succeed:
    /// rate limits, server errors, timeouts, connection failures and cut streams.
    /// </summary>
    public bool IsTransient => Kind is ProviderErrorKind.RateLimited or ProviderErrorKind.ServerError
        or ProviderErrorKind.Timeout or ProviderErrorKind.ConnectionFailed or ProviderErrorKind.TruncatedStream;
}
