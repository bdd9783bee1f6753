using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Providers.Http;

/// <summary>
/// The OpenAI chat-completions wire format, mapped once for every client that speaks it: the official
/// SDK adapter (openai), Azure OpenAI and OpenAI-compatible endpoints (custom).
/// </summary>
internal static class OpenAIWire
{
    /// <summary>Builds a chat-completions request body.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">Sampling, structured output and tools.</param>
    /// <param name="model">The model to name in the body, or null where the URL selects it (Azure deployments).</param>
    /// <param name="stream">Whether to ask for server-sent events (with a final usage chunk).</param>
    /// <param name="provider">The backend (openai, azure-openai, custom): with the model it selects the capability profile.</param>
    /// <param name="profileModel">The model the profile is looked up by (the deployment's name on Azure).</param>
    /// <param name="notes">Collects what the profile dropped.</param>
    /// <param name="apiSupportsLaterFields">
    /// False where the API version predates <c>stream_options</c> and <c>reasoning_effort</c> (Azure's GA api-version
    /// 2024-10-21 has neither): they are left out rather than sent to be refused.
    /// </param>
    public static OaiRequest BuildRequest(IReadOnlyList<ChatMessage> messages, ChatOptions? options, string? model, bool stream,
        string provider, string profileModel, RequestAdjustments notes, bool apiSupportsLaterFields = true)
    {
        var profile = ModelCapabilities.For(provider, options?.ModelId ?? profileModel);
        var effort = profile.Reasoning == ReasoningControl.OpenAIReasoningEffort ? ChatMapping.Effort(options) : null;
        if (effort is not null && !apiSupportsLaterFields)
        {
            notes.Note($"effort {effort} sent as a prompt hint (reasoning_effort is not in this api-version)");
            effort = null;
        }
        var (temperature, topP) = ChatMapping.Sampling(options, profile.Sampling, notes);
        var request = new OaiRequest
        {
            Model = model is null ? null : options?.ModelId ?? model,
            Temperature = temperature,
            TopP = topP,
            // max_tokens is deprecated in the spec and rejected by reasoning models; compatible servers still read it.
            MaxTokens = profile.UsesMaxCompletionTokens ? null : options?.MaxOutputTokens,
            MaxCompletionTokens = profile.UsesMaxCompletionTokens ? options?.MaxOutputTokens : null,
            // max has no OpenAI level every reasoning model takes; high is the top all of them accept.
            ReasoningEffort = effort is null ? null : effort == "max" ? "high" : effort,
            Stop = options?.StopSequences?.ToList(),
        };
        if (stream)
        {
            request.Stream = true;
            // The final usage chunk; without it (older Azure api-versions) a streamed answer reports no token counts.
            if (apiSupportsLaterFields) request.StreamOptions = new OaiStreamOptions { IncludeUsage = true };
            else notes.Note("streamed usage not requested (stream_options is not in this api-version): token counts unknown");
        }

        if (!string.IsNullOrEmpty(options?.Instructions))
            request.Messages.Add(new OaiMessage { Role = "system", Content = options.Instructions });
        for (var i = 0; i < messages.Count; i++)
            AddMessage(request.Messages, messages[i]);

        if (ChatMapping.JsonFormat(options) is { } format && profile.StructuredOutput is StructuredOutputMode.NativeSchema or StructuredOutputMode.JsonMode)
        {
            if (profile.StructuredOutput == StructuredOutputMode.JsonMode && format.Schema is not null)
                notes.Note("json_schema response_format not supported by the model: JSON mode, schema in the prompt");
            request.ResponseFormat = format.Schema is { } schema && profile.StructuredOutput == StructuredOutputMode.NativeSchema
                ? new OaiResponseFormat
                {
                    JsonSchema = new OaiJsonSchema { Name = format.SchemaName ?? "response", Description = format.SchemaDescription, Schema = schema, Strict = true },
                }
                : new OaiResponseFormat { Type = "json_object" };
        }

        var functions = ChatMapping.Functions(options);
        if (functions.Count > 0)
        {
            request.Tools = functions.Select(f => new OaiTool
            {
                Function = new OaiFunctionDefinition { Name = f.Name, Description = f.Description, Parameters = f.JsonSchema },
            }).ToList();
            request.ToolChoice = options?.ToolMode switch
            {
                NoneChatToolMode => ChatMapping.Parse("\"none\""),
                RequiredChatToolMode { RequiredFunctionName: { } name } =>
                    ChatMapping.Parse($"{{\"type\":\"function\",\"function\":{{\"name\":{JsonSerializer.Serialize(name, ProviderJson.Snake.String)}}}}}"),
                RequiredChatToolMode => ChatMapping.Parse("\"required\""),
                _ => null,
            };
        }
        return request;
    }

    private static void AddMessage(List<OaiMessage> target, ChatMessage m)
    {
        var role = m.Role.Value;
        var text = ChatMapping.Text(m);
        List<OaiToolCall>? calls = null;
        var hasResults = false;
        foreach (var c in m.Contents)
        {
            if (c is FunctionCallContent call)
                (calls ??= []).Add(new OaiToolCall
                {
                    Id = call.CallId,
                    Type = "function",
                    Function = new OaiFunctionCall { Name = call.Name, Arguments = ChatMapping.ArgumentsJson(call.Arguments) },
                });
            else if (c is FunctionResultContent)
                hasResults = true;
        }
        if (calls is not null || text.Length > 0 || !hasResults)
            target.Add(new OaiMessage { Role = role, Content = text.Length > 0 || calls is null ? text : null, ToolCalls = calls });
        if (hasResults)
            foreach (var c in m.Contents)
                if (c is FunctionResultContent r)
                    target.Add(new OaiMessage { Role = "tool", ToolCallId = r.CallId, Content = ChatMapping.ResultText(r.Result) });
    }

    /// <summary>Maps a (non-streamed) chat-completions answer.</summary>
    public static ChatResponse ToResponse(OaiResponse response, string defaultModel, ProviderContext context, RequestAdjustments? notes = null)
    {
        var choice = response.Choices is { Count: > 0 } choices
            ? choices[0]
            : throw context.Error(ProviderErrorKind.ServerError, $"{context.DisplayName} returned no choices");
        if (choice.FinishReason == "content_filter")
            throw ContentFiltered(context, response.Model ?? defaultModel);
        var message = new ChatMessage(ChatRole.Assistant, []);
        if (!string.IsNullOrEmpty(choice.Message?.Content))
            message.Contents.Add(new TextContent(choice.Message.Content));
        foreach (var call in choice.Message?.ToolCalls ?? [])
            message.Contents.Add(ChatMapping.Call(call.Id ?? "", call.Function?.Name ?? "", call.Function?.Arguments));
        var result = new ChatResponse(message)
        {
            ResponseId = response.Id,
            ModelId = response.Model ?? defaultModel,
            FinishReason = ChatMapping.FinishReason(choice.FinishReason),
            Usage = Usage(response.Usage),
            RawRepresentation = response,
        };
        if (notes is not null)
            ChatMapping.Attach(result, notes);
        return result;
    }

    // prompt_tokens includes the cached ones; completion_tokens includes the reasoning ones.
    private static UsageDetails? Usage(OaiUsage? u) => u is null ? null
        : ChatMapping.Usage(u.PromptTokens, u.CompletionTokens, u.TotalTokens, u.PromptTokensDetails?.CachedTokens, u.CompletionTokensDetails?.ReasoningTokens);

    private static AxonProviderException ContentFiltered(ProviderContext context, string model) =>
        context.Error(ProviderErrorKind.ContentFiltered, $"{context.DisplayName} content filter stopped the answer of {model} (finish_reason content_filter)");

    /// <summary>Parses a buffered chat-completions answer.</summary>
    public static OaiResponse Parse(ReadOnlySpan<byte> json, ProviderContext context) =>
        JsonSerializer.Deserialize(json, ProviderJson.Snake.OaiResponse)
        ?? throw context.Error(ProviderErrorKind.ServerError, $"{context.DisplayName} sent an empty response");

    /// <summary>
    /// Maps a chat-completions event stream. Tool-call fragments are joined and reported with the finish
    /// reason; a stream that ends without <c>[DONE]</c> was cut and fails as truncated.
    /// </summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(Stream stream, string defaultModel, ProviderContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken, RequestAdjustments? notes = null)
    {
        var first = true;
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Args)>();
        var done = false;
        await foreach (var sse in StreamReaders.ReadSseAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            if (sse.Data == "[DONE]")
            {
                done = true;
                break;
            }
            var chunk = JsonSerializer.Deserialize(sse.Data, ProviderJson.Snake.OaiResponse);
            if (chunk is null)
                continue;
            var update = new ChatResponseUpdate(ChatRole.Assistant, []) { ResponseId = chunk.Id, ModelId = chunk.Model ?? defaultModel, RawRepresentation = chunk };
            foreach (var choice in chunk.Choices ?? [])
            {
                if (!string.IsNullOrEmpty(choice.Delta?.Content))
                    update.Contents.Add(new TextContent(choice.Delta.Content));
                foreach (var tc in choice.Delta?.ToolCalls ?? [])
                {
                    var index = tc.Index ?? 0;
                    if (!calls.TryGetValue(index, out var acc))
                        calls[index] = acc = (tc.Id, tc.Function?.Name, new StringBuilder());
                    acc.Args.Append(tc.Function?.Arguments);
                    calls[index] = (acc.Id ?? tc.Id, acc.Name ?? tc.Function?.Name, acc.Args);
                }
                if (choice.FinishReason is { } reason)
                {
                    if (reason == "content_filter")
                        throw ContentFiltered(context, chunk.Model ?? defaultModel);
                    update.FinishReason = ChatMapping.FinishReason(reason);
                    foreach (var (_, c) in calls)
                        update.Contents.Add(ChatMapping.Call(c.Id ?? "", c.Name ?? "", c.Args.ToString()));
                    calls.Clear();
                }
            }
            if (Usage(chunk.Usage) is { } usage)
                update.Contents.Add(new UsageContent(usage));
            if (update.Contents.Count > 0 || update.FinishReason is not null)
            {
                if (first && notes is not null)
                    ChatMapping.Attach(update, notes);
                first = false;
                yield return update;
            }
        }
        // OpenAI ends every stream with [DONE]; without it the answer may be cut anywhere.
        if (!done)
            throw context.Truncated("no [DONE] event");
    }
}
