using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Axon.Runtime.Providers.Http;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Providers;

/// <summary>
/// Our client for the Bedrock Converse API (<c>POST /model/{modelId}/converse</c> and
/// <c>/converse-stream</c>) with a Bedrock API key sent as <c>Authorization: Bearer</c>, which needs
/// no SigV4 signing. Structured output is done by forcing a tool whose input schema is the answer's.
/// </summary>
internal sealed class BedrockChatClient(ProviderContext context, ProviderTransport transport, Uri endpoint, string model, int defaultMaxTokens)
    : HttpChatClientBase(context, transport, endpoint, model)
{
    private Uri ModelUri(ChatOptions? options, string action) =>
        new(Endpoint, $"model/{Uri.EscapeDataString(options?.ModelId ?? Model)}/{action}");

    private BedrockRequest BuildRequest(IReadOnlyList<ChatMessage> messages, ChatOptions? options, RequestAdjustments notes)
    {
        var profile = ModelCapabilities.For(Context.Provider, options?.ModelId ?? Model);
        var (temperature, topP) = ChatMapping.Sampling(options, profile.Sampling, notes);
        var request = new BedrockRequest
        {
            InferenceConfig = new BedrockInferenceConfig
            {
                MaxTokens = options?.MaxOutputTokens ?? defaultMaxTokens,
                Temperature = temperature,
                TopP = topP,
                StopSequences = options?.StopSequences?.ToList(),
            },
        };
        var caching = Context.PromptCaching && profile.MinCacheTokens > 0;
        var prefixTokens = 0;
        if (ChatMapping.SystemText(messages, options) is { } system)
        {
            request.System = [new BedrockSystem { Text = system }];
            // The prefix every step of a run shares ends here; a cache point lets later steps read it cached.
            prefixTokens = ChatMapping.EstimateTokens(system);
            if (caching && prefixTokens >= profile.MinCacheTokens)
                request.System.Add(new BedrockSystem { CachePoint = new BedrockCachePoint() });
        }
        if (ChatMapping.Effort(options) is { } effort)
            notes.Note($"effort {effort} sent as a prompt hint (no reasoning control on this Converse model)");

        foreach (var m in messages)
        {
            if (m.Role == ChatRole.System)
                continue;
            var message = new BedrockMessage { Role = m.Role == ChatRole.Assistant ? "assistant" : "user" };
            foreach (var c in m.Contents)
            {
                switch (c)
                {
                    case TextContent t when t.Text.Length > 0:
                        // Consecutive text parts (a typed step's output contract and its prompt) form one block, as one prompt.
                        if (message.Content.Count > 0 && message.Content[^1] is { Text: not null, ToolUse: null, ToolResult: null } previous)
                            previous.Text += t.Text;
                        else
                            message.Content.Add(new BedrockContent { Text = t.Text });
                        prefixTokens += ChatMapping.EstimateTokens(t.Text);
                        // An output contract several steps state extends the shared prefix: a cache point after it.
                        if (caching && ChatMapping.EndsSharedPrefix(t) && prefixTokens >= profile.MinCacheTokens)
                            message.Content.Add(new BedrockContent { CachePoint = new BedrockCachePoint() });
                        break;
                    case FunctionCallContent fc:
                        message.Content.Add(new BedrockContent
                        {
                            ToolUse = new BedrockToolUse { ToolUseId = fc.CallId, Name = fc.Name, Input = ChatMapping.ArgumentsElement(fc.Arguments) },
                        });
                        break;
                    case FunctionResultContent fr:
                        message.Role = "user";
                        var result = ChatMapping.ResultElement(fr.Result);
                        message.Content.Add(new BedrockContent
                        {
                            ToolResult = new BedrockToolResult
                            {
                                ToolUseId = fr.CallId,
                                Content = [result.ValueKind == JsonValueKind.Object ? new BedrockToolResultContent { Json = result } : new BedrockToolResultContent { Text = ChatMapping.ResultText(fr.Result) }],
                            },
                        });
                        break;
                }
            }
            if (message.Content.Count > 0)
                request.Messages.Add(message);
        }

        var tools = ChatMapping.Functions(options).Select(f => new BedrockTool
        {
            ToolSpec = new BedrockToolSpec { Name = f.Name, Description = f.Description, InputSchema = new BedrockInputSchema { Json = f.JsonSchema } },
        }).ToList();
        BedrockToolChoice? choice = options?.ToolMode switch
        {
            RequiredChatToolMode { RequiredFunctionName: { } name } => new BedrockToolChoice { Tool = new BedrockToolName { Name = name } },
            RequiredChatToolMode => new BedrockToolChoice { Any = new BedrockEmpty() },
            _ => null,
        };
        if (ChatMapping.JsonFormat(options) is { Schema: not null } && profile.StructuredOutput != StructuredOutputMode.ForcedTool)
            notes.Note("toolChoice.tool not supported by the model: schema in the prompt only");
        if (ChatMapping.JsonFormat(options) is { Schema: { } schema } format && profile.StructuredOutput == StructuredOutputMode.ForcedTool)
        {
            tools.Add(new BedrockTool
            {
                ToolSpec = new BedrockToolSpec
                {
                    Name = ChatMapping.StructuredOutputTool,
                    Description = format.SchemaDescription ?? "Return the answer as this tool's input.",
                    InputSchema = new BedrockInputSchema { Json = schema },
                },
            });
            choice = new BedrockToolChoice { Tool = new BedrockToolName { Name = ChatMapping.StructuredOutputTool } };
        }
        if (tools.Count > 0 && options?.ToolMode is not NoneChatToolMode)
            request.ToolConfig = new BedrockToolConfig { Tools = tools, ToolChoice = choice };
        return request;
    }

    protected override async Task<ChatResponse> SendAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var notes = new RequestAdjustments();
        var response = await PostJsonAsync(ModelUri(options, "converse"), BuildRequest(messages, options, notes), ProviderJson.Camel.BedrockRequest,
            ProviderJson.Camel.BedrockResponse, cancellationToken).ConfigureAwait(false);
        return ToResponse(response, options, notes);
    }

    private ChatResponse ToResponse(BedrockResponse response, ChatOptions? options, RequestAdjustments notes)
    {
        ThrowIfFiltered(response.StopReason);
        var message = new ChatMessage(ChatRole.Assistant, []);
        foreach (var block in response.Output?.Message?.Content ?? [])
        {
            if (!string.IsNullOrEmpty(block.Text))
                message.Contents.Add(new TextContent(block.Text));
            if (block.ToolUse is { } tu)
                message.Contents.Add(new FunctionCallContent(tu.ToolUseId, tu.Name, ChatMapping.FromElement(tu.Input)));
        }
        ChatMapping.UnwrapStructuredOutput(message);
        var result = new ChatResponse(message)
        {
            ModelId = options?.ModelId ?? Model,
            FinishReason = FinishReason(response.StopReason, message),
            Usage = Usage(response.Usage),
        };
        ChatMapping.Attach(result, notes);
        return result;
    }

    private void ThrowIfFiltered(string? stopReason)
    {
        if (stopReason is "content_filtered" or "guardrail_intervened")
            throw Context.Error(ProviderErrorKind.ContentFiltered, $"{Context.DisplayName} stopped the answer (stopReason {stopReason})");
    }

    // inputTokens leaves out what was read from or written to the prompt cache; the input is their sum.
    private static UsageDetails? Usage(BedrockUsage? u) => u is null ? null
        : ChatMapping.Usage((u.InputTokens ?? 0) + (u.CacheReadInputTokens ?? 0) + (u.CacheWriteInputTokens ?? 0), u.OutputTokens,
            u.TotalTokens, u.CacheReadInputTokens, cacheWrite: u.CacheWriteInputTokens);

    private static ChatFinishReason? FinishReason(string? stopReason, ChatMessage message) =>
        stopReason == "tool_use" && !message.Contents.Any(c => c is FunctionCallContent) ? ChatFinishReason.Stop : ChatMapping.FinishReason(stopReason);

    protected override async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var notes = new RequestAdjustments();
        using var response = await PostForStreamAsync(ModelUri(options, "converse-stream"), BuildRequest(messages, options, notes),
            ProviderJson.Camel.BedrockRequest, cancellationToken).ConfigureAwait(false);
        if (IsWholeJson(response))
        {
            var whole = await ReadJsonAsync(response, ProviderJson.Camel.BedrockResponse, cancellationToken).ConfigureAwait(false);
            foreach (var u in ToResponse(whole, options, notes).ToChatResponseUpdates())
                yield return u;
            yield break;
        }
        var first = true;
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var tools = new Dictionary<int, (string Id, string Name, StringBuilder Input)>();
        var stopped = false;
        await foreach (var frame in ReadFramesAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            if (frame.MessageType is "exception" or "error")
            {
                var type = frame.ExceptionType ?? frame.Headers.GetValueOrDefault(":error-code") ?? "exception";
                var detail = Context.RedactThenCut(ProviderContext.ApiMessage(Encoding.UTF8.GetString(frame.Payload.Span)));
                throw Context.Error(StreamExceptionKind(type), $"{Context.DisplayName} stream error ({type}): {detail}");
            }
            var e = JsonSerializer.Deserialize(frame.Payload.Span, ProviderJson.Camel.BedrockStreamEvent);
            if (e is null)
                continue;
            var update = new ChatResponseUpdate(ChatRole.Assistant, []) { ModelId = options?.ModelId ?? Model };
            switch (frame.EventType)
            {
                case "contentBlockStart" when e.Start?.ToolUse is { } start:
                    tools[e.ContentBlockIndex ?? 0] = (start.ToolUseId, start.Name, new StringBuilder());
                    break;
                case "contentBlockDelta" when e.Delta is { } delta:
                    if (!string.IsNullOrEmpty(delta.Text))
                        update.Contents.Add(new TextContent(delta.Text));
                    if (delta.ToolUse?.Input is { } part && tools.TryGetValue(e.ContentBlockIndex ?? 0, out var acc))
                        acc.Input.Append(part);
                    break;
                case "contentBlockStop" when tools.Remove(e.ContentBlockIndex ?? 0, out var done):
                    update.Contents.Add(done.Name == ChatMapping.StructuredOutputTool
                        ? new TextContent(ChatMapping.StructuredText(done.Input.ToString()))
                        : ChatMapping.Call(done.Id, done.Name, done.Input.ToString()));
                    break;
                case "messageStop":
                    ThrowIfFiltered(e.StopReason);
                    stopped = true;
                    update.FinishReason = ChatMapping.FinishReason(e.StopReason);
                    break;
                case "metadata" when e.Usage is { } u:
                    if (Usage(u) is { } usage)
                        update.Contents.Add(new UsageContent(usage));
                    break;
            }
            if (update.Contents.Count > 0 || update.FinishReason is not null)
            {
                if (first)
                    ChatMapping.Attach(update, notes);
                first = false;
                yield return update;
            }
        }
        if (!stopped)
            throw Context.Truncated("no messageStop event");
    }

    private async IAsyncEnumerable<AwsEventMessage> ReadFramesAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var e = AwsEventStream.ReadAsync(stream, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await e.MoveNextAsync().ConfigureAwait(false))
                    yield break;
            }
            catch (InvalidDataException ex)
            {
                throw Context.Truncated(ex.Message);
            }
            yield return e.Current;
        }
    }

    private static ProviderErrorKind StreamExceptionKind(string type) => type.ToLowerInvariant() switch
    {
        "throttlingexception" => ProviderErrorKind.RateLimited,
        "validationexception" => ProviderErrorKind.BadRequest,
        "accessdeniedexception" => ProviderErrorKind.Authentication,
        "resourcenotfoundexception" => ProviderErrorKind.NotFound,
        _ => ProviderErrorKind.ServerError,
    };

    // ListFoundationModels lives on the control-plane host (bedrock.<region>), not bedrock-runtime.
    protected override (Uri Uri, Func<JsonElement, IEnumerable<string>> Ids) ModelsRequest()
    {
        var b = new UriBuilder(Endpoint);
        if (b.Host.StartsWith("bedrock-runtime.", StringComparison.OrdinalIgnoreCase))
            b.Host = "bedrock." + b.Host["bedrock-runtime.".Length..];
        return (new Uri(b.Uri, "foundation-models?byOutputModality=TEXT"), root => Ids(root, "modelSummaries", "modelId"));
    }
}
