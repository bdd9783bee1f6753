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
    public static OaiRequest BuildRequest(IReadOnlyList<ChatMessage> messages, ChatOptions? options, string? model, bool stream)
    {
        var request = new OaiRequest
        {
            Model = model is null ? null : options?.ModelId ?? model,
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            MaxTokens = options?.MaxOutputTokens,
            Stop = options?.StopSequences?.ToList(),
        };
        if (stream)
        {
            request.Stream = true;
            request.StreamOptions = new OaiStreamOptions { IncludeUsage = true };
        }

        if (!string.IsNullOrEmpty(options?.Instructions))
            request.Messages.Add(new OaiMessage { Role = "system", Content = options.Instructions });
        for (var i = 0; i < messages.Count; i++)
            AddMessage(request.Messages, messages[i]);

        if (ChatMapping.JsonFormat(options) is { } format)
        {
            request.ResponseFormat = format.Schema is { } schema
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
    public static ChatResponse ToResponse(OaiResponse response, string defaultModel, ProviderContext context)
    {
        var choice = response.Choices is { Count: > 0 } choices
            ? choices[0]
            : throw context.Error(ProviderErrorKind.ServerError, $"{context.DisplayName} returned no choices");
        var message = new ChatMessage(ChatRole.Assistant, []);
        if (!string.IsNullOrEmpty(choice.Message?.Content))
            message.Contents.Add(new TextContent(choice.Message.Content));
        foreach (var call in choice.Message?.ToolCalls ?? [])
            message.Contents.Add(new FunctionCallContent(call.Id ?? "", call.Function?.Name ?? "", ChatMapping.ParseArguments(call.Function?.Arguments)));
        return new ChatResponse(message)
        {
            ResponseId = response.Id,
            ModelId = response.Model ?? defaultModel,
            FinishReason = ChatMapping.FinishReason(choice.FinishReason),
            Usage = ChatMapping.Usage(response.Usage?.PromptTokens, response.Usage?.CompletionTokens, response.Usage?.TotalTokens),
            RawRepresentation = response,
        };
    }

    /// <summary>Parses a buffered chat-completions answer.</summary>
    public static OaiResponse Parse(ReadOnlySpan<byte> json, ProviderContext context) =>
        JsonSerializer.Deserialize(json, ProviderJson.Snake.OaiResponse)
        ?? throw context.Error(ProviderErrorKind.ServerError, $"{context.DisplayName} sent an empty response");

    /// <summary>
    /// Maps a chat-completions event stream. Tool-call fragments are joined and reported with the finish
    /// reason; a stream that ends without <c>[DONE]</c> was cut and fails as truncated.
    /// </summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(Stream stream, string defaultModel, ProviderContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
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
                    update.FinishReason = ChatMapping.FinishReason(reason);
                    foreach (var (_, c) in calls)
                        update.Contents.Add(new FunctionCallContent(c.Id ?? "", c.Name ?? "", ChatMapping.ParseArguments(c.Args.ToString())));
                    calls.Clear();
                }
            }
            if (ChatMapping.Usage(chunk.Usage?.PromptTokens, chunk.Usage?.CompletionTokens, chunk.Usage?.TotalTokens) is { } usage)
                update.Contents.Add(new UsageContent(usage));
            if (update.Contents.Count > 0 || update.FinishReason is not null)
                yield return update;
        }
        // OpenAI ends every stream with [DONE]; without it the answer may be cut anywhere.
        if (!done)
            throw context.Truncated("no [DONE] event");
    }
}
