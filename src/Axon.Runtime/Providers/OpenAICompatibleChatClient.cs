using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Axon.Runtime.Providers.Http;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Providers;

/// <summary>
/// Our own client for the OpenAI chat-completions wire format, used for Azure OpenAI (deployment URL,
/// <c>api-key</c> header) and for any OpenAI-compatible endpoint (<c>custom</c>, bearer key).
/// </summary>
internal sealed class OpenAICompatibleChatClient : HttpChatClientBase
{
    private readonly bool _sendModel;

    /// <param name="context">Failure wording and classification.</param>
    /// <param name="http">Client whose default headers already carry the auth header.</param>
    /// <param name="chatUrl">The full chat-completions URL.</param>
    /// <param name="model">Model (or deployment) name.</param>
    /// <param name="sendModel">False for Azure, where the deployment in the URL selects the model.</param>
    public OpenAICompatibleChatClient(ProviderContext context, HttpClient http, Uri chatUrl, string model, bool sendModel)
        : base(context, http, chatUrl, model) => _sendModel = sendModel;

    private OaiRequest BuildRequest(IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        var request = new OaiRequest
        {
            Model = _sendModel ? options?.ModelId ?? Model : null,
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
        foreach (var m in messages)
            AddMessage(request.Messages, m);

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
        var calls = m.Contents.OfType<FunctionCallContent>().ToList();
        var results = m.Contents.OfType<FunctionResultContent>().ToList();
        if (calls.Count > 0 || text.Length > 0 || results.Count == 0)
        {
            target.Add(new OaiMessage
            {
                Role = role,
                Content = text.Length > 0 || calls.Count == 0 ? text : null,
                ToolCalls = calls.Count == 0 ? null : calls.Select(c => new OaiToolCall
                {
                    Id = c.CallId,
                    Type = "function",
                    Function = new OaiFunctionCall { Name = c.Name, Arguments = ChatMapping.ArgumentsJson(c.Arguments) },
                }).ToList(),
            });
        }
        foreach (var r in results)
            target.Add(new OaiMessage { Role = "tool", ToolCallId = r.CallId, Content = ChatMapping.ResultText(r.Result) });
    }

    protected override async Task<ChatResponse> SendAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var response = await PostJsonAsync(Endpoint, BuildRequest(messages, options, stream: false), ProviderJson.Snake.OaiRequest,
            ProviderJson.Snake.OaiResponse, cancellationToken).ConfigureAwait(false);
        var choice = response.Choices?.FirstOrDefault()
                     ?? throw Context.Error(ProviderErrorKind.ServerError, $"{Context.DisplayName} returned no choices");
        var message = new ChatMessage(ChatRole.Assistant, []);
        if (!string.IsNullOrEmpty(choice.Message?.Content))
            message.Contents.Add(new TextContent(choice.Message.Content));
        foreach (var call in choice.Message?.ToolCalls ?? [])
            message.Contents.Add(new FunctionCallContent(call.Id ?? "", call.Function?.Name ?? "", ChatMapping.ParseArguments(call.Function?.Arguments)));
        return new ChatResponse(message)
        {
            ResponseId = response.Id,
            ModelId = response.Model ?? Model,
            FinishReason = ChatMapping.FinishReason(choice.FinishReason),
            Usage = ChatMapping.Usage(response.Usage?.PromptTokens, response.Usage?.CompletionTokens, response.Usage?.TotalTokens),
        };
    }

    protected override async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await PostForStreamAsync(Endpoint, BuildRequest(messages, options, stream: true), ProviderJson.Snake.OaiRequest,
            cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Args)>();
        var done = false;
        string? responseId = null;
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
            responseId ??= chunk.Id;
            var update = new ChatResponseUpdate(ChatRole.Assistant, []) { ResponseId = chunk.Id, ModelId = chunk.Model ?? Model };
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
            throw Context.Truncated("no [DONE] event");
    }
}
