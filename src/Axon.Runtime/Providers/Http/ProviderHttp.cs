using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Axon.Runtime.Providers.Http;

/// <summary>Per-client facts every layer needs to classify and word a failure.</summary>
internal sealed class ProviderContext
{
    private readonly string[] _secrets;

    public ProviderContext(string provider, string displayName, TimeSpan timeout, ILogger? logger, params string?[] secrets)
    {
        Provider = provider;
        DisplayName = displayName;
        Timeout = timeout;
        Logger = logger ?? NullLogger.Instance;
        // Short values would redact innocent text; real keys are long.
        _secrets = secrets.Where(s => s is { Length: >= 8 }).Select(s => s!).ToArray();
    }

    public string Provider { get; }
    public string DisplayName { get; }
    /// <summary>Wait for headers and a whole non-streamed body; also the idle limit between streamed chunks.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Bound on a whole streamed body.</summary>
    public TimeSpan StreamTimeout { get; init; } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>Wait for a call that asks the model to reason (effort on a reasoning model), which thinks before it answers.</summary>
    public TimeSpan ReasoningTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long this call may wait: <see cref="ReasoningTimeout"/> when it asks for reasoning, else <see cref="Timeout"/>.</summary>
    public TimeSpan WaitFor(ChatOptions? options, string model)
    {
        if (ChatMapping.Effort(options) is null || ModelCapabilities.For(Provider, options?.ModelId ?? model).Reasoning == ReasoningControl.None)
            return Timeout;
        return ReasoningTimeout > Timeout ? ReasoningTimeout : Timeout;
    }

    /// <summary>Whether shared prefixes get explicit cache breakpoints.</summary>
    public bool PromptCaching { get; init; } = true;

    public ILogger Logger { get; }

    /// <summary>Removes every known secret from text that may reach a message or a log.</summary>
    public string Redact(string text)
    {
        foreach (var s in _secrets)
            text = text.Replace(s, "***", StringComparison.Ordinal);
        return text;
    }

    public AxonProviderException Error(ProviderErrorKind kind, string message, int? status = null, TimeSpan? retryAfter = null, Exception? inner = null) =>
        // Inner exceptions from HTTP stacks can carry URLs or bodies; keep only our redacted text on top.
        new(Provider, kind, Redact("Backend error: " + message), status, retryAfter, inner is null ? null : new ProviderInnerException(Redact(inner.GetType().Name + ": " + inner.Message)));

    public static string HostPort(Uri? uri) => uri is null ? "(unknown)" : $"{uri.Host}:{uri.Port}";

    public AxonProviderException ConnectFailed(Uri? uri, Exception inner) =>
        Error(ProviderErrorKind.ConnectionFailed, $"Could not connect to {DisplayName} at {HostPort(uri)}", inner: inner);

    public AxonProviderException TimedOut(Uri? uri, TimeSpan? waited = null) =>
        Error(ProviderErrorKind.Timeout, $"{DisplayName} at {HostPort(uri)} did not answer within {(waited ?? Timeout).TotalSeconds:0.###} s");

    public AxonProviderException Truncated(string why, Exception? inner = null) =>
        Error(ProviderErrorKind.TruncatedStream, $"{DisplayName} stream ended before its end ({why})", inner: inner);

    /// <summary>
    /// What a failed read of a response body means: the caller's cancellation, a stall (the watchdog, the only
    /// other canceller, fired) or a cut connection. Null for anything else, which is rethrown as it is.
    /// </summary>
    public Exception? BodyReadFailure(Exception e, CancellationToken callerToken, TimeSpan? waited = null) => e switch
    {
        OperationCanceledException when callerToken.IsCancellationRequested => new OperationCanceledException(callerToken),
        OperationCanceledException => Error(ProviderErrorKind.Timeout, $"{DisplayName} stopped sending for {(waited ?? Timeout).TotalSeconds:0.###} s"),
        IOException or HttpRequestException => Truncated("connection closed", e),
        _ => null,
    };

    /// <summary>Turns anything thrown by an HTTP stack or SDK into a classified failure.</summary>
    public Exception Classify(Exception e, Uri? uri, CancellationToken callerToken)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is AxonProviderException ape)
                return ape;
        if (e is OperationCanceledException && callerToken.IsCancellationRequested)
            return e;
        if (e is OperationCanceledException or TimeoutException)
            return TimedOut(uri);
        if (e is HttpRequestException hre)
            return hre.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.ProxyTunnelError
                ? ConnectFailed(uri, e)
                : Error(ProviderErrorKind.ConnectionFailed, $"Connection to {DisplayName} at {HostPort(uri)} failed ({hre.HttpRequestError})", inner: e);
        if (e is IOException or SocketException)
            return Error(ProviderErrorKind.ConnectionFailed, $"Connection to {DisplayName} at {HostPort(uri)} was reset", inner: e);
        return e;
    }

    /// <summary>Classifies an HTTP error status; 408 and 5xx are server errors, 429 is a rate limit.</summary>
    public static ProviderErrorKind KindOf(int status) => status switch
    {
        401 or 403 => ProviderErrorKind.Authentication,
        404 => ProviderErrorKind.NotFound,
        429 => ProviderErrorKind.RateLimited,
        408 or >= 500 => ProviderErrorKind.ServerError,
        >= 400 => ProviderErrorKind.BadRequest,
        _ => ProviderErrorKind.Unknown,
    };

    public AxonProviderException StatusError(int status, string? body, TimeSpan? retryAfter)
    {
        var detail = RedactThenCut(ApiMessage(body));
        return Error(KindOf(status), $"{DisplayName} API error ({status}){(detail.Length > 0 ? ": " + detail : "")}", status, retryAfter);
    }

    /// <summary>The human part of an error body: <c>error.message</c>, <c>error</c> (Ollama) or <c>message</c> (Bedrock).</summary>
    internal static string ApiMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
                root = root[0]; // Gemini streaming errors arrive as an array
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var err))
                {
                    if (err.ValueKind == JsonValueKind.String)
                        return err.GetString() ?? "";
                    if (err.ValueKind == JsonValueKind.Object && err.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                        return m.GetString() ?? "";
                }
                foreach (var name in (ReadOnlySpan<string>)["message", "Message"])
                    if (root.TryGetProperty(name, out var m) && m.ValueKind == JsonValueKind.String)
                        return m.GetString() ?? "";
            }
        }
        catch (JsonException)
        {
        }
        return body.Trim();
    }

    /// <summary>Longest API detail put into a message; cut only after redaction.</summary>
    internal const int MaxDetail = 300;

    /// <summary>Redacts, then cuts: a key that straddles the cut is gone before the cut, never left in part.</summary>
    public string RedactThenCut(string text, int max = MaxDetail)
    {
        text = Redact(text);
        return text.Length > max ? text[..max] + "…" : text;
    }

    /// <summary>Reads <c>Retry-After</c> (seconds or HTTP date) or <c>retry-after-ms</c>.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var ms) && double.TryParse(ms.FirstOrDefault(),
                System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var millis))
            return TimeSpan.FromMilliseconds(Math.Max(0, millis));
        var ra = response.Headers.RetryAfter;
        if (ra?.Delta is { } delta)
            return delta;
        if (ra?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}

/// <summary>Carries the (redacted) text of a lower-level failure without its original object graph.</summary>
internal sealed class ProviderInnerException(string message) : Exception(message);

/// <summary>
/// The single place where HTTP failures become <see cref="AxonProviderException"/>s: timeouts, refused or
/// reset connections, error statuses (with <c>Retry-After</c>) and bodies cut mid-read. Our own clients call
/// it directly over the socket handler; the vendor SDKs reach it through <see cref="ProviderHttpHandler"/>.
/// </summary>
internal static class ProviderExchange
{
    /// <summary>The wait of the call in progress (set by a client around its send; flows into the SDK's pipeline too).</summary>
    internal static readonly AsyncLocal<TimeSpan?> CallTimeout = new();

    /// <summary>Sends <paramref name="request"/> through <paramref name="inner"/> and classifies what comes back.</summary>

    public static async Task<HttpResponseMessage> SendAsync(HttpMessageInvoker inner, HttpRequestMessage request, ProviderContext context,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var uri = request.RequestUri;
        var timeout = CallTimeout.Value ?? context.Timeout;
        // One watchdog per response: armed while waiting for headers, then re-armed around each body read
        // (re-arming a timer is far cheaper than a new linked source per read).
        var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        watchdog.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await inner.SendAsync(request, watchdog.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not AxonProviderException)
        {
            watchdog.Dispose();
            var classified = e is OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested
                ? context.TimedOut(uri, timeout)
                : context.Classify(e, uri, cancellationToken);
            if (classified is AxonProviderException ape)
                context.Logger.LogWarning("{Provider} {Method} {Path} failed: {Message}", context.Provider, request.Method, uri?.AbsolutePath, ape.Message);
            throw classified;
        }

        var status = (int)response.StatusCode;
        if (context.Logger.IsEnabled(LogLevel.Debug))
            context.Logger.LogDebug("{Provider} {Method} {Path} -> {Status} in {Elapsed} ms", context.Provider, request.Method, uri?.AbsolutePath,
                status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (status is < 200 or > 299)
        {
            string? body = null;
            try
            {
                body = await response.Content.ReadAsStringAsync(watchdog.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // The status is what classifies the failure; a lost error body only costs the detail.
            }
            finally
            {
                watchdog.Dispose();
            }
            var error = context.StatusError(status, body, ProviderContext.RetryAfter(response));
            response.Dispose();
            context.Logger.LogWarning("{Provider} {Method} {Path} failed: {Message}", context.Provider, request.Method, uri?.AbsolutePath, error.Message);
            throw error;
        }

        if (request is BufferedAnswerRequest || IsWholeJsonAnswer(response.Content))
            return await BufferAsync(response, context, watchdog, timeout, cancellationToken).ConfigureAwait(false);
        watchdog.CancelAfter(Timeout.Infinite);
        response.Content = new GuardedContent(response.Content, context, watchdog, timeout);
        return response;
    }

    /// <summary>
    /// A JSON body of declared (sane) length: every caller, the vendor SDKs included, reads it whole, so it is
    /// read here, once; event streams have no declared length and keep their per-read guard.
    /// </summary>
    private static bool IsWholeJsonAnswer(HttpContent content) =>
        content.Headers.ContentLength is <= MaxBufferedAnswer && content.Headers.ContentType?.MediaType == "application/json";

    private const long MaxBufferedAnswer = 16 * 1024 * 1024;

    /// <summary>
    /// Reads a whole (non-streamed) answer under the same watchdog that waited for its headers, so the
    /// caller gets a buffered body and no per-read guard objects are needed.
    /// </summary>
    private static async Task<HttpResponseMessage> BufferAsync(HttpResponseMessage response, ProviderContext context, CancellationTokenSource watchdog,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await response.Content.LoadIntoBufferAsync(watchdog.Token).ConfigureAwait(false);
            return response;
        }
        catch (Exception e)
        {
            response.Dispose();
            if (context.BodyReadFailure(e, cancellationToken, timeout) is { } failure)
                throw failure;
            throw;
        }
        finally
        {
            watchdog.Dispose();
        }
    }
}

/// <summary>
/// <see cref="ProviderExchange"/> as a handler, for the vendor SDKs, which send through an <see cref="HttpClient"/>
/// of ours: they classify failures exactly as our own clients do.
/// </summary>
internal sealed class ProviderHttpHandler : DelegatingHandler
{
    private readonly ProviderContext _context;
    private readonly HttpMessageInvoker _inner;

    public ProviderHttpHandler(ProviderContext context, HttpMessageHandler inner) : base(inner)
    {
        _context = context;
        _inner = new HttpMessageInvoker(inner, disposeHandler: false); // the base class owns and disposes it
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        ProviderExchange.SendAsync(_inner, request, _context, cancellationToken);
}

/// <summary>
/// A request whose answer is read whole (not streamed): <see cref="ProviderExchange"/> buffers its body
/// before returning, which is cheaper than guarding each read of a stream.
/// </summary>
internal sealed class BufferedAnswerRequest(HttpMethod method, Uri uri) : HttpRequestMessage(method, uri);

/// <summary>Response content whose stream turns cut connections and stalls into classified failures.</summary>
internal sealed class GuardedContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly ProviderContext _context;
    private readonly CancellationTokenSource _watchdog;

    private readonly TimeSpan _timeout;

    public GuardedContent(HttpContent inner, ProviderContext context, CancellationTokenSource watchdog, TimeSpan timeout)
    {
        _inner = inner;
        _context = context;
        _watchdog = watchdog;
        _timeout = timeout;
        // Only what readers use; enumerating every header would parse them all on each call.
        Headers.ContentType = inner.Headers.ContentType;
        Headers.ContentLength = inner.Headers.ContentLength;
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        new GuardedStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _context, _watchdog, _timeout);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    /// <summary>Buffers the whole body (non-streamed answers): one watchdog arm for the copy, not one per read.</summary>
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        using var link = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _watchdog)
            : default;
        try
        {
            _watchdog.CancelAfter(_timeout);
            await _inner.CopyToAsync(stream, _watchdog.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (_context.BodyReadFailure(e, cancellationToken, _timeout) is { } failure)
        {
            throw failure;
        }
        finally
        {
            _watchdog.CancelAfter(Timeout.Infinite);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _watchdog.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>A read-only stream that applies an idle timeout per read and classifies read failures.</summary>
internal sealed class GuardedStream(Stream inner, ProviderContext context, CancellationTokenSource watchdog, TimeSpan timeout) : Stream
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            return inner.Read(buffer, offset, count);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw context.Truncated("connection closed", e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The caller's token cancels the watchdog too; the watchdog alone means "stalled".
        using var link = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), watchdog)
            : default;
        // Idle limit per read, and never past the bound on the whole stream.
        var wait = timeout;
        var totalBounded = context.StreamTimeout != Timeout.InfiniteTimeSpan;
        if (totalBounded)
        {
            var left = context.StreamTimeout - Stopwatch.GetElapsedTime(_started);
            if (left <= TimeSpan.Zero)
                throw context.Error(ProviderErrorKind.Timeout, $"{context.DisplayName} stream took longer than {context.StreamTimeout.TotalSeconds:0.###} s");
            if (left < wait)
                wait = left;
        }
        try
        {
            watchdog.CancelAfter(wait);
            return await inner.ReadAsync(buffer, watchdog.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && totalBounded
                                                  && Stopwatch.GetElapsedTime(_started) >= context.StreamTimeout)
        {
            throw context.Error(ProviderErrorKind.Timeout, $"{context.DisplayName} stream took longer than {context.StreamTimeout.TotalSeconds:0.###} s");
        }
        catch (Exception e) when (context.BodyReadFailure(e, cancellationToken, timeout) is { } failure)
        {
            throw failure;
        }
        finally
        {
            try
            {
                watchdog.CancelAfter(Timeout.Infinite);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// How our own clients reach the network: the socket handler (or the caller's) without an
/// <see cref="HttpClient"/> or handler layer in between, plus the fixed headers (keys, API versions) every
/// request carries. On loopback each layer cost microseconds per call.
/// </summary>
internal sealed class ProviderTransport(HttpMessageHandler handler, bool disposeHandler) : IDisposable
{
    private readonly HttpMessageInvoker _invoker = new(handler, disposeHandler);
    private readonly List<KeyValuePair<string, string>> _headers = [];

    /// <summary>Adds a header sent with every request; stored unparsed, as given.</summary>
    public void AddHeader(string name, string value) => _headers.Add(new(name, value));

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, ProviderContext context, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in _headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return ProviderExchange.SendAsync(_invoker, request, context, cancellationToken);
    }

    public void Dispose() => _invoker.Dispose();
}
