using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tracing;

/// <summary>
/// Middleware that reports every model call on the <c>Axon</c> ActivitySource (a <c>chat {model}</c>
/// activity with GenAI attributes) and Meter (token usage, operation duration). Written here because
/// the Microsoft.Extensions.AI core package (with its OpenTelemetryChatClient) is not a dependency.
/// </summary>
public sealed class AxonTelemetryChatClient(IChatClient innerClient, string providerName) : DelegatingChatClient(innerClient)
{
    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId;
        using var activity = AxonTelemetry.ActivitySource.HasListeners()
            ? AxonTelemetry.ActivitySource.StartActivity(model is null ? "chat" : "chat " + model, ActivityKind.Client)
            : null;
        if (activity is not null)
        {
            activity.SetTag(AxonTelemetry.Attributes.OperationName, "chat");
            activity.SetTag(AxonTelemetry.Attributes.ProviderName, providerName);
            if (model is not null) activity.SetTag(AxonTelemetry.Attributes.RequestModel, model);
            if (options?.Temperature is { } t) activity.SetTag(AxonTelemetry.Attributes.RequestTemperature, t);
            if (options?.TopP is { } p) activity.SetTag(AxonTelemetry.Attributes.RequestTopP, p);
            if (options?.MaxOutputTokens is { } m) activity.SetTag(AxonTelemetry.Attributes.RequestMaxTokens, m);
            activity.SetTag(AxonTelemetry.Attributes.OutputType, options?.ResponseFormat is ChatResponseFormatJson ? "json" : "text");
        }
        var start = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var providerTag = new KeyValuePair<string, object?>(AxonTelemetry.Attributes.ProviderName, providerName);
            AxonTelemetry.OperationDuration.Record(elapsed, providerTag);
            if (response.Usage is { } u)
            {
                if (u.InputTokenCount is { } i) AxonTelemetry.TokenUsage.Record(i, providerTag, new(AxonTelemetry.Attributes.TokenType, "input"));
                if (u.OutputTokenCount is { } o) AxonTelemetry.TokenUsage.Record(o, providerTag, new(AxonTelemetry.Attributes.TokenType, "output"));
            }
            if (activity is not null)
            {
                if (response.ModelId is { } rm) activity.SetTag(AxonTelemetry.Attributes.ResponseModel, rm);
                if (response.Usage?.InputTokenCount is { } it) activity.SetTag(AxonTelemetry.Attributes.UsageInputTokens, it);
                if (response.Usage?.OutputTokenCount is { } ot) activity.SetTag(AxonTelemetry.Attributes.UsageOutputTokens, ot);
                if (response.FinishReason is { } fr) activity.SetTag(AxonTelemetry.Attributes.ResponseFinishReasons, new[] { fr.Value });
            }
            return response;
        }
        catch (Exception ex)
        {
            // Only the type goes on the activity: provider messages can echo request details.
            activity?.SetStatus(ActivityStatusCode.Error);
            activity?.SetTag(AxonTelemetry.Attributes.ErrorType, ex.GetType().FullName);
            throw;
        }
    }
}
