using System.Runtime.CompilerServices;
using System.Text.Json;
using Axon.Runtime.Providers.Http;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Providers;

/// <summary>Our client for Ollama's native <c>POST /api/chat</c> (NDJSON streaming, <c>format</c> for JSON schema).</summary>
internal sealed class OllamaChatClient(ProviderContext context, ProviderTransport transport, Uri host, string model)
    : HttpChatClientBase(context, transport, new Uri(host, "api/chat"), model)
{
    private OllamaRequest BuildRequest(IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        var request = new OllamaRequest { Model = options?.ModelId ?? Model, Stream = stream };
        if (options is { Temperature: not null } or { TopP: not null } or { MaxOutputTokens: not null } or { StopSequences.Count: > 0 })
        {
            var (temperature, topP) = ChatMapping.Sampling(options, ModelCapabilities.For(Context.Provider, request.Model).Sampling, new RequestAdjustments());
            request.Options = new OllamaOptions
            {
                Temperature = temperature,
                TopP = topP,
                NumPredict = options.MaxOutputTokens,
                Stop = options.StopSequences?.ToList(),
            };
        }
        if (ChatMapping.JsonFormat(options) is { } format)
            request.Format = format.Schema ?? ChatMapping.Parse("\"json\"");

        if (!string.IsNullOrEmpty(options?.Instructions))
            request.Messages.Add(new OllamaMessage { Role = "system", Content = options.Instructions });
        foreach (var m in messages)
        {
            var calls = m.Contents.OfType<FunctionCallContent>().ToList();
            var results = m.Contents.OfType<FunctionResultContent>().ToList();
            var text = ChatMapping.Text(m);
            if (calls.Count > 0 || text.Length > 0 || results.Count == 0)
            {
                request.Messages.Add(new OllamaMessage
                {
                    Role = m.Role.Value,
                    Content = text,
                    ToolCalls = calls.Count == 0 ? null : calls.Select(c => new OllamaToolCall
                    {
                        Function = new OllamaFunctionCall { Name = c.Name, Arguments = ChatMapping.ArgumentsElement(c.Arguments) },
                    }).ToList(),
                });
            }
            foreach (var r in results)
                request.Messages.Add(new OllamaMessage
                {
                    Role = "tool", Content = ChatMapping.ResultText(r.Result), ToolName = ChatMapping.NameOfCall(messages, r.CallId),
                });
        }

        var functions = ChatMapping.Functions(options);
        if (functions.Count > 0 && options?.ToolMode is not NoneChatToolMode)
            request.Tools = functions.Select(f => new OaiTool
            {
                Function = new OaiFunctionDefinition { Name = f.Name, Description = f.Description, Parameters = f.JsonSchema },
            }).ToList();
        return request;
    }

    private static void AddCalls(IList<AIContent> contents, OllamaMessage? message)
    {
        var i = 0;
        foreach (var call in message?.ToolCalls ?? [])
        {
            // Ollama has no call ids; a stable synthetic one lets results be matched back.
            var args = call.Function.Arguments is { ValueKind: JsonValueKind.Object } a ? ChatMapping.FromElement(a) : [];
            contents.Add(new FunctionCallContent($"call_{i++}_{call.Function.Name}", call.Function.Name, args));
        }
    }

    protected override async Task<ChatResponse> SendAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var response = await PostJsonAsync(Endpoint, BuildRequest(messages, options, stream: false), ProviderJson.Snake.OllamaRequest,
            ProviderJson.Snake.OllamaResponse, cancellationToken).ConfigureAwait(false);
        if (response.Error is { } error)
            throw Context.Error(ProviderErrorKind.ServerError, $"{Context.DisplayName} API error: {error}");
        var message = new ChatMessage(ChatRole.Assistant, []);
        if (!string.IsNullOrEmpty(response.Message?.Content))
            message.Contents.Add(new TextContent(response.Message.Content));
        AddCalls(message.Contents, response.Message);
        return new ChatResponse(message)
        {
            ModelId = response.Model ?? Model,
            FinishReason = message.Contents.Any(c => c is FunctionCallContent) ? ChatFinishReason.ToolCalls : ChatMapping.FinishReason(response.DoneReason),
            Usage = ChatMapping.Usage(response.PromptEvalCount, response.EvalCount),
        };
    }

    protected override async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await PostForStreamAsync(Endpoint, BuildRequest(messages, options, stream: true), ProviderJson.Snake.OllamaRequest,
            cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var done = false;
        var calls = false;
        await foreach (var line in StreamReaders.ReadLinesAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            var chunk = JsonSerializer.Deserialize(line, ProviderJson.Snake.OllamaResponse);
            if (chunk is null)
                continue;
            if (chunk.Error is { } error)
                throw Context.Error(ProviderErrorKind.ServerError, $"{Context.DisplayName} API error: {error}");
            var update = new ChatResponseUpdate(ChatRole.Assistant, []) { ModelId = chunk.Model ?? Model };
            if (!string.IsNullOrEmpty(chunk.Message?.Content))
                update.Contents.Add(new TextContent(chunk.Message.Content));
            AddCalls(update.Contents, chunk.Message);
            calls |= update.Contents.Any(c => c is FunctionCallContent);
            if (chunk.Done)
            {
                done = true;
                // Ollama says "stop" even when the turn ended in tool calls.
                update.FinishReason = calls ? ChatFinishReason.ToolCalls : ChatMapping.FinishReason(chunk.DoneReason) ?? ChatFinishReason.Stop;
                if (ChatMapping.Usage(chunk.PromptEvalCount, chunk.EvalCount) is { } usage)
                    update.Contents.Add(new UsageContent(usage));
            }
            if (update.Contents.Count > 0 || update.FinishReason is not null)
                yield return update;
            if (done)
                break;
        }
        // The last NDJSON line carries "done": true; a stream without it was cut.
        if (!done)
            throw Context.Truncated("no final \"done\": true line");
    }

    protected override (Uri Uri, Func<JsonElement, IEnumerable<string>> Ids) ModelsRequest() =>
        (new Uri(Endpoint, "tags"), root => Ids(root, "models", "name"));
}
