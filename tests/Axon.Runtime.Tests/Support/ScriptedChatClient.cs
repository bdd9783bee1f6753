using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests.Support;

/// <summary>One recorded request.</summary>
public sealed record RecordedCall(string System, string User, ChatOptions? Options);

/// <summary>A fake IChatClient answering from a script; records every request.</summary>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly ConcurrentQueue<Func<RecordedCall, CancellationToken, Task<ChatResponse>>> _script = new();
    private readonly Func<RecordedCall, CancellationToken, Task<ChatResponse>>? _fallback;
    public ConcurrentQueue<RecordedCall> Calls { get; } = new();
    public RecordedCall[] CallList => Calls.ToArray();

    public ScriptedChatClient(Func<RecordedCall, string>? fallback = null)
    {
        if (fallback is not null) _fallback = (c, _) => Task.FromResult(Reply(fallback(c)));
    }

    public static ChatResponse Reply(string text, long input = 10, long output = 5, string? model = "fake-model") =>
        new(new ChatMessage(ChatRole.Assistant, text)) { ModelId = model, Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output } };

    public ScriptedChatClient Then(string text) { _script.Enqueue((_, _) => Task.FromResult(Reply(text))); return this; }
    public ScriptedChatClient Then(Func<RecordedCall, string> f) { _script.Enqueue((c, _) => Task.FromResult(Reply(f(c)))); return this; }
    public ScriptedChatClient Then(Func<RecordedCall, CancellationToken, Task<ChatResponse>> f) { _script.Enqueue(f); return this; }
    public ScriptedChatClient ThenThrow(Exception ex) { _script.Enqueue((_, _) => Task.FromException<ChatResponse>(ex)); return this; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var call = new RecordedCall(list.FirstOrDefault(m => m.Role == ChatRole.System)?.Text ?? "", list.Last(m => m.Role == ChatRole.User).Text, options);
        Calls.Enqueue(call);
        if (_script.TryDequeue(out var next)) return next(call, cancellationToken);
        if (_fallback is not null) return _fallback(call, cancellationToken);
        throw new InvalidOperationException("Script exhausted: unexpected call with prompt: " + call.User);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var r = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var u in r.ToChatResponseUpdates()) yield return u;
    }

    /// <summary>The provider name the client reports in its <see cref="ChatClientMetadata"/> (none when null).</summary>
    public string? ProviderName { get; init; }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) && ProviderName is not null ? new ChatClientMetadata(ProviderName, null, "fake-model")
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    public void Dispose() { }
}

/// <summary>Collects log messages.</summary>
public sealed class ListLoggerProvider : Microsoft.Extensions.Logging.ILoggerProvider, Microsoft.Extensions.Logging.ILoggerFactory
{
    public ConcurrentQueue<string> Messages { get; } = new();
    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new L(this);
    public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider) { }
    public void Dispose() { }

    private sealed class L(ListLoggerProvider owner) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Messages.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}

/// <summary>A TimeProvider that records requested delays and fires timers at once.</summary>
public sealed class RecordingTimeProvider(DateTimeOffset now) : TimeProvider
{
    public ConcurrentQueue<TimeSpan> Delays { get; } = new();
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan) Delays.Enqueue(dueTime);
        return System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
    }
}
