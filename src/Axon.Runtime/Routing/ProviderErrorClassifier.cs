using System.ClientModel;
using System.Globalization;
using System.Net.Sockets;
using Axon.Runtime.Providers;

namespace Axon.Runtime.Routing;

/// <summary>
/// Turns any exception from a provider client into a classified <see cref="AxonProviderException"/> and
/// says whether routing may move the call to another provider.
/// </summary>
public static class ProviderErrorClassifier
{
    /// <summary>
    /// Classifies <paramref name="exception"/> thrown by <paramref name="provider"/>. An
    /// <see cref="AxonProviderException"/> is returned as is (its <see cref="ProviderErrorKind.Unknown"/> kind
    /// refined from its status code); anything else is wrapped, with the original as inner exception.
    /// </summary>
    /// <param name="provider">The provider the exception came from.</param>
    /// <param name="exception">What its client threw.</param>
    /// <param name="timeProvider">Clock for an HTTP-date <c>Retry-After</c>; <see cref="TimeProvider.System"/> when null.</param>
    public static AxonProviderException Classify(string provider, Exception exception, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case AxonProviderException axon when axon.Kind != ProviderErrorKind.Unknown || axon.StatusCode is null:
                return axon;
            case AxonProviderException axon:
                return new AxonProviderException(axon.Provider, FromStatus(axon.StatusCode!.Value), axon.Message,
                    axon.StatusCode, axon.RetryAfter, axon);
            case HttpRequestException { StatusCode: { } status } http:
                return Wrap(provider, FromStatus((int)status), http, (int)status, null);
            case HttpRequestException http when http.HttpRequestError == HttpRequestError.ResponseEnded:
                return Wrap(provider, ProviderErrorKind.TruncatedStream, http, null, null);
            case HttpRequestException http:
                return Wrap(provider, ProviderErrorKind.ConnectionFailed, http, null, null);
            case ClientResultException { Status: > 0 } client:
                return Wrap(provider, FromStatus(client.Status), client, client.Status, RetryAfterOf(client, timeProvider ?? TimeProvider.System));
            case TimeoutException or OperationCanceledException:
                // Only reached when the caller's own token was not cancelled: the client gave up (HttpClient.Timeout).
                return Wrap(provider, ProviderErrorKind.Timeout, exception, null, null);
            case SocketException or IOException:
                return Wrap(provider, ProviderErrorKind.ConnectionFailed, exception, null, null);
        }
        if (exception.InnerException is { } inner and (SocketException or HttpRequestException or TimeoutException or IOException))
        {
            var classified = Classify(provider, inner, timeProvider);
            return Wrap(provider, classified.Kind, exception, classified.StatusCode, classified.RetryAfter);
        }
        return Wrap(provider, ProviderErrorKind.Unknown, exception, null, null);
    }

    /// <summary>The kind of an HTTP status: 400/422 bad request, 401/403 authentication, 404 not found,
    /// 429 rate limited, 408/409/5xx server error, other 4xx bad request.</summary>
    public static ProviderErrorKind FromStatus(int status) => status switch
    {
        401 or 403 => ProviderErrorKind.Authentication,
        404 => ProviderErrorKind.NotFound,
        429 => ProviderErrorKind.RateLimited,
        408 or 409 => ProviderErrorKind.ServerError,
        >= 500 and <= 599 => ProviderErrorKind.ServerError,
        >= 400 and <= 499 => ProviderErrorKind.BadRequest,
        _ => ProviderErrorKind.Unknown,
    };

    /// <summary>
    /// True when another provider may succeed: rate limits, 408/5xx, timeouts, connection failures and cut
    /// streams. Request errors (400/401/403/404/422), configuration errors and unclassified failures are
    /// not moved: they would fail the same way elsewhere or hide a bug.
    /// </summary>
    public static bool CanFailOver(ProviderErrorKind kind) => kind is ProviderErrorKind.RateLimited
        or ProviderErrorKind.ServerError or ProviderErrorKind.Timeout or ProviderErrorKind.ConnectionFailed
        or ProviderErrorKind.TruncatedStream;

    private static AxonProviderException Wrap(string provider, ProviderErrorKind kind, Exception exception, int? status, TimeSpan? retryAfter)
    {
        var what = status is { } s ? $"HTTP {s.ToString(CultureInfo.InvariantCulture)}" : kind.ToString();
        // The original message is not repeated: SDK messages may echo request details; it stays on InnerException.
        return new AxonProviderException(provider, kind, $"Backend error: {provider} failed ({what}, {exception.GetType().Name})",
            status, retryAfter, exception);
    }

    private static TimeSpan? RetryAfterOf(ClientResultException exception, TimeProvider time)
    {
        var headers = exception.GetRawResponse()?.Headers;
        if (headers is null) return null;
        if (headers.TryGetValue("retry-after-ms", out var ms)
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            return TimeSpan.FromMilliseconds(millis);
        if (headers.TryGetValue("Retry-After", out var value) && value is not null)
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                return TimeSpan.FromSeconds(seconds);
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                var delta = at - time.GetUtcNow();
                return delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
            }
        }
        return null;
    }
}
