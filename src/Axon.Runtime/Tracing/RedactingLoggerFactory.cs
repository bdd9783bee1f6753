using Microsoft.Extensions.Logging;

namespace Axon.Runtime.Tracing;

/// <summary>
/// Hands out loggers that redact the runtime's secrets from every formatted message (and drop the exception
/// object, whose message and stack could carry a key); used for the runtime's own logs and the chat pipeline's.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner, SecretRedactor redactor) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), redactor);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The caller owns the inner factory.
    public void Dispose() { }

    private sealed class RedactingLogger(ILogger inner, SecretRedactor redactor) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);
        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel)) return;
            var message = redactor.Redact(formatter(state, exception));
            inner.Log(logLevel, eventId, message, null, (m, _) => m);
        }
    }
}
