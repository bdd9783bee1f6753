using System.Runtime.CompilerServices;
using Anthropic.Exceptions;
using Axon.Runtime.Providers.Http;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Providers;

/// <summary>
/// Wraps the official Anthropic SDK's <see cref="IChatClient"/> (<c>AsIChatClient</c>) to give it the
/// behaviour every backend shares: structured output by forced tool use (the answer is the input of a
/// required <c>structured_output</c> tool), classified failures, and cut streams reported as errors.
/// </summary>
internal sealed class AnthropicSdkChatClient(ProviderContext context, IChatClient inner, Uri endpoint, HttpClient http) : DelegatingChatClient(inner)
{
    private static ChatOptions? WithForcedTool(ChatOptions? options)
    {
        if (ChatMapping.JsonFormat(options) is not { Schema: { } schema } format)
            return options;
        var o = options!.Clone();
        o.ResponseFormat = null;
        o.Tools = [.. o.Tools ?? [], AIFunctionFactory.CreateDeclaration(ChatMapping.StructuredOutputTool,
            format.SchemaDescription ?? "Return the answer as this tool's input.", schema)];
        o.ToolMode = ChatToolMode.RequireSpecific(ChatMapping.StructuredOutputTool);
        return o;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, WithForcedTool(options), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not AxonProviderException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw Classify(e, cancellationToken);
        }
        if (ChatMapping.JsonFormat(options) is { Schema: not null })
        {
            foreach (var m in response.Messages)
                ChatMapping.UnwrapStructuredOutput(m);
            if (response.FinishReason == ChatFinishReason.ToolCalls && !response.Messages.SelectMany(m => m.Contents).Any(c => c is FunctionCallContent))
                response.FinishReason = ChatFinishReason.Stop;
        }
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var structured = ChatMapping.JsonFormat(options) is { Schema: not null };
        var finished = false;
        await using var e = base.GetStreamingResponseAsync(messages, WithForcedTool(options), cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await e.MoveNextAsync().ConfigureAwait(false))
                    break;
                update = e.Current;
            }
            catch (Exception ex) when (ex is not AxonProviderException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw Classify(ex, cancellationToken);
            }
            if (update.FinishReason is not null)
                finished = true;
            if (structured)
            {
                for (var i = 0; i < update.Contents.Count; i++)
                    if (update.Contents[i] is FunctionCallContent { Name: ChatMapping.StructuredOutputTool } fc)
                        update.Contents[i] = new TextContent(ChatMapping.ArgumentsJson(fc.Arguments));
                if (update.FinishReason == ChatFinishReason.ToolCalls)
                    update.FinishReason = ChatFinishReason.Stop;
            }
            yield return update;
        }
        // message_delta carries stop_reason; a stream that never said why it stopped was cut.
        if (!finished)
            throw context.Truncated("no stop_reason / message_stop");
    }

    private Exception Classify(Exception e, CancellationToken cancellationToken)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is AxonProviderException ape)
                return ape;
            if (x is AnthropicApiException api)
                return context.StatusError((int)api.StatusCode, api.ResponseBody, null);
            if (x is AnthropicSseException sse)
                return context.Error(ProviderErrorKind.ServerError, $"{context.DisplayName} stream error: {sse.Message}");
        }
        return context.Classify(e, endpoint, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            http.Dispose();
        base.Dispose(disposing);
    }
}
