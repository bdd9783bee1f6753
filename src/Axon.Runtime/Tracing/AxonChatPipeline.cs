using System.Runtime.CompilerServices;
using Axon.Runtime.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Axon.Runtime.Tracing;

/// <summary>
/// The chat pipeline the runtime calls: the caller's client (their own <see cref="ChatClientBuilder"/> pipeline,
/// a provider client or the router) under Microsoft.Extensions.AI's <see cref="OpenTelemetryChatClient"/>
/// named <c>Axon</c>, which reports each model call as one <c>chat</c> span with the GenAI attributes and metrics.
/// </summary>
/// <remarks>
/// Order, outermost first: the runtime's run and step spans → <c>chat</c> span → secret scrubbing → the caller's
/// middleware (<c>UseLogging</c>, <c>UseDistributedCache</c>, <c>UseFunctionInvocation</c>, …) → routing → provider
/// client. When the caller's pipeline already has an <see cref="OpenTelemetryChatClient"/>, its span is the model
/// call's span and none is added, so a call never shows up as two <c>chat</c> spans.
/// </remarks>
public static class AxonChatPipeline
{
    /// <summary>Wraps <paramref name="inner"/> in the <c>Axon</c> OpenTelemetry client unless its pipeline already has one.</summary>
    /// <param name="inner">The client to call.</param>
    /// <param name="redactor">Secrets to keep out of the span's error status (the environment's keys when null).</param>
    /// <param name="loggerFactory">Where the OpenTelemetry client logs failures (give it a redacting one).</param>
    public static IChatClient WithTelemetry(IChatClient inner, SecretRedactor? redactor = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (inner.GetService(typeof(OpenTelemetryChatClient)) is not null)
            return inner;
        // Prompts and outputs stay out of telemetry (EnableSensitiveData is off unless the standard
        // OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT switch turns it on).
        return new SecretScrubbingChatClient(inner, redactor ?? SecretRedactor.FromEnvironment())
            .AsBuilder().UseOpenTelemetry(loggerFactory, AxonTelemetry.Name).Build();
    }

    /// <summary>
    /// The OpenTelemetry client puts a failure's message on the span status; a message that carries a known
    /// secret is replaced here (below it) by one with the secret masked. Written by hand because the library has
    /// no hook for the error text. Provider failures keep their classification.
    /// </summary>
    private sealed class SecretScrubbingChatClient(IChatClient inner, SecretRedactor redactor) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Task<ChatResponse> task;
            try
            {
                task = base.GetResponseAsync(messages, options, cancellationToken);
            }
            catch (Exception ex) when (Scrubbed(ex) is { } clean)
            {
                return Task.FromException<ChatResponse>(clean);
            }
            return task.IsCompletedSuccessfully ? task : Awaited(task);
        }

        private async Task<ChatResponse> Awaited(Task<ChatResponse> task)
        {
            try
            {
                return await task.ConfigureAwait(false);
            }
            catch (Exception ex) when (Scrubbed(ex) is { } clean)
            {
                throw clean;
            }
        }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
            ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            IAsyncEnumerator<ChatResponseUpdate> e;
            try
            {
                e = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            }
            catch (Exception ex) when (Scrubbed(ex) is { } clean)
            {
                throw clean;
            }
            await using (e.ConfigureAwait(false))
            {
                while (true)
                {
                    try
                    {
                        if (!await e.MoveNextAsync().ConfigureAwait(false)) yield break;
                    }
                    catch (Exception ex) when (Scrubbed(ex) is { } clean)
                    {
                        throw clean;
                    }
                    yield return e.Current;
                }
            }
        }

        private Exception? Scrubbed(Exception ex)
        {
            if (ex is OperationCanceledException) return null;
            var message = ex.Message;
            var clean = redactor.Redact(message);
            if (ReferenceEquals(clean, message) || clean == message) return null;
            return ex is AxonProviderException p
                ? new AxonProviderException(p.Provider, p.Kind, clean, p.StatusCode, p.RetryAfter)
                : new AxonRedactedException(ex.GetType().FullName ?? "Exception", clean);
        }
    }
}

/// <summary>A failure whose original message carried a secret: the same text with the secret masked.</summary>
public sealed class AxonRedactedException : Exception
{
    /// <summary>Creates the redacted stand-in for a failure of type <paramref name="originalType"/>.</summary>
    public AxonRedactedException(string originalType, string redactedMessage) : base(redactedMessage) => OriginalType = originalType;

    /// <summary>The full name of the original exception's type.</summary>
    public string OriginalType { get; }
}
