using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Runtime.Providers.Http;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Providers;

/// <summary>
/// Our client for the Anthropic Messages API (<c>POST /v1/messages</c>, <c>x-api-key</c>,
/// <c>anthropic-version: 2023-06-01</c>, SSE streaming). Structured output is <c>output_config.format</c> on current
/// models and forced tool use (a required <c>structured_output</c> tool) on older ones, per <see cref="ModelCapabilities"/>.
/// </summary>
/// <remarks>
/// Why not the official SDK (Anthropic 13.12.0, whose base URL and retries can be set): its
/// <c>MessageCreateParams</c> has no <c>temperature</c> or <c>top_p</c>, so its <c>AsIChatClient</c>
/// silently drops <see cref="ChatOptions.Temperature"/>/<see cref="ChatOptions.TopP"/>, which epistemic
/// blocks must set; and it sends the key as <c>Authorization: Bearer</c> instead of the documented
/// <c>x-api-key</c>. Both were verified on the wire against the loopback emulator.
/// </remarks>
internal sealed class AnthropicChatClient(ProviderContext context, ProviderTransport transport, Uri host, string model, int defaultMaxTokens)
    : HttpChatClientBase(context, transport, new Uri(host, "v1/messages"), model)
{
    public const string ApiVersion = "2023-06-01";

    // String formats structured outputs accept (the SDK's schema helper keeps only these).
    private static readonly HashSet<string> StringFormats = ["date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"];

    private static readonly HashSet<string> Kept = ["type", "description", "title", "enum", "const", "anyOf", "allOf", "$ref", "$defs"];

    /// <summary>
    /// The schema as <c>output_config.format</c> takes it: every object closed (<c>additionalProperties: false</c>),
    /// constraints the API does not enforce (minimum, maxLength, most formats, minItems above 1, …) moved into the
    /// description so the model still reads them, as the SDK's own helper does.
    /// </summary>
    internal static JsonElement StrictSchema(JsonElement schema) => ChatMapping.Parse(Strict(JsonNode.Parse(schema.GetRawText()))?.ToJsonString() ?? "{}");

    private static JsonNode? Strict(JsonNode? node)
    {
        if (node is not JsonObject obj)
            return node?.DeepClone();
        var result = new JsonObject();
        var moved = new List<string>();
        var type = obj["type"];
        var isObject = type is JsonValue v && v.TryGetValue<string>(out var t) && t == "object"
                       || type is JsonArray a && a.Any(x => x?.GetValue<string>() == "object");
        foreach (var (key, value) in obj)
        {
            switch (key)
            {
                case "properties" when value is JsonObject props:
                    var p = new JsonObject();
                    foreach (var (name, sub) in props)
                        p[name] = Strict(sub);
                    result["properties"] = p;
                    break;
                case "required":
                    result["required"] = value?.DeepClone();
                    break;
                case "additionalProperties":
                    break;
                case "items":
                    result["items"] = Strict(value);
                    break;
                case "anyOf" or "allOf" or "oneOf" when value is JsonArray list:
                    result[key == "oneOf" ? "anyOf" : key] = new JsonArray(list.Select(Strict).ToArray());
                    break;
                case "$defs" when value is JsonObject defs:
                    var d = new JsonObject();
                    foreach (var (name, sub) in defs)
                        d[name] = Strict(sub);
                    result["$defs"] = d;
                    break;
                case "format" when value is JsonValue f && f.TryGetValue<string>(out var fmt) && StringFormats.Contains(fmt):
                case "minItems" when value is JsonValue m && m.TryGetValue<int>(out var min) && min is 0 or 1:
                    result[key] = value.DeepClone();
                    break;
                case "$schema":
                    break;
                default:
                    if (Kept.Contains(key))
                        result[key] = value?.DeepClone();
                    else
                        moved.Add($"{key}: {value?.ToJsonString()}");
                    break;
            }
        }
        if (isObject)
            result["additionalProperties"] = false;
        if (moved.Count > 0)
        {
            var description = result["description"]?.GetValue<string>();
            result["description"] = (description is { Length: > 0 } ? description + "\n\n" : "") + "{" + string.Join(", ", moved) + "}";
        }
        return result;
    }

    private AnthropicRequest BuildRequest(IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool stream, RequestAdjustments notes)
    {
        var model = options?.ModelId ?? Model;
        var profile = ModelCapabilities.For(Context.Provider, model);
        var format = ChatMapping.JsonFormat(options) is { Schema: not null } f ? f : null;
        var effort = ChatMapping.Effort(options);
        // Thinking cannot be combined with a forced tool choice; the answer's schema wins over the reasoning budget.
        var forcedTool = format is not null && profile.StructuredOutput == StructuredOutputMode.ForcedTool || options?.ToolMode is RequiredChatToolMode;
        var thinking = effort is not null && profile.Reasoning is ReasoningControl.AnthropicThinkingBudget or ReasoningControl.AnthropicEffort;
        if (thinking && forcedTool)
        {
            notes.Dropped("effort " + effort, "extended thinking cannot be combined with a forced tool choice");
            thinking = false;
        }
        var maxTokens = options?.MaxOutputTokens ?? defaultMaxTokens;
        var (temperature, topP) = ChatMapping.Sampling(options, profile.Sampling, notes, reasoningOn: thinking);
        var request = new AnthropicRequest
        {
            Model = model,
            MaxTokens = maxTokens,
            Temperature = temperature,
            TopP = topP,
            StopSequences = options?.StopSequences?.ToList(),
            Stream = stream ? true : null,
        };
        if (thinking && profile.Reasoning == ReasoningControl.AnthropicThinkingBudget)
        {
            var budget = ChatMapping.ThinkingBudget(effort!);
            // budget_tokens must be below max_tokens and is part of it: the answer keeps its own allowance.
            request.Thinking = new AnthropicThinking { BudgetTokens = budget };
            request.MaxTokens = maxTokens + budget;
        }
        else if (thinking)
        {
            request.Thinking = new AnthropicThinking { Type = "adaptive" };
            request.OutputConfig = new AnthropicOutputConfig { Effort = effort };
        }
        if (format is not null && profile.StructuredOutput == StructuredOutputMode.NativeSchema)
            (request.OutputConfig ??= new AnthropicOutputConfig()).Format = new AnthropicOutputFormat { Schema = StrictSchema(format.Schema!.Value) };

        var caching = Context.PromptCaching && profile.MinCacheTokens > 0;
        var prefixTokens = 0;
        if (ChatMapping.SystemText(messages, options) is { } system)
        {
            var block = new AnthropicBlock { Type = "text", Text = system };
            // The system prompt (persona, context, anchors) is the prefix every step of a run shares: a cache
            // breakpoint there makes later steps read it at the cached rate, once it is long enough to be cached.
            prefixTokens = ChatMapping.EstimateTokens(system);
            if (caching && prefixTokens >= profile.MinCacheTokens)
                block.CacheControl = new AnthropicCacheControl();
            request.System = [block];
        }
        foreach (var m in messages)
        {
            if (m.Role == ChatRole.System)
                continue;
            var message = new AnthropicMessage { Role = m.Role == ChatRole.Assistant ? "assistant" : "user" };
            foreach (var c in m.Contents)
            {
                switch (c)
                {
                    case TextContent t when t.Text.Length > 0:
                        // Consecutive text parts (a typed step's output contract and its prompt) form one block, as one
                        // prompt, unless a cache breakpoint ends the block before.
                        if (message.Content.Count > 0 && message.Content[^1] is { Type: "text", CacheControl: null } previous)
                            previous.Text += t.Text;
                        else
                            message.Content.Add(new AnthropicBlock { Type = "text", Text = t.Text });
                        prefixTokens += ChatMapping.EstimateTokens(t.Text);
                        // System prompt plus an output contract several steps state: a second breakpoint (of the four
                        // the API allows) lets those steps read the contract cached as well.
                        if (caching && ChatMapping.EndsSharedPrefix(t) && prefixTokens >= profile.MinCacheTokens)
                            message.Content[^1].CacheControl = new AnthropicCacheControl();
                        break;
                    case FunctionCallContent fc:
                        message.Content.Add(new AnthropicBlock { Type = "tool_use", Id = fc.CallId, Name = fc.Name, Input = ChatMapping.ArgumentsElement(fc.Arguments) });
                        break;
                    case FunctionResultContent fr:
                        message.Role = "user";
                        message.Content.Add(new AnthropicBlock
                        {
                            Type = "tool_result", ToolUseId = fr.CallId, Content = ChatMapping.ResultText(fr.Result), IsError = fr.Exception is null ? null : true,
                        });
                        break;
                }
            }
            // Consecutive same-role turns are merged: the API requires alternating roles.
            if (message.Content.Count == 0)
                continue;
            if (request.Messages.Count > 0 && request.Messages[^1].Role == message.Role)
                request.Messages[^1].Content.AddRange(message.Content);
            else
                request.Messages.Add(message);
        }

        var tools = ChatMapping.Functions(options)
            .Select(f => new AnthropicTool { Name = f.Name, Description = f.Description, InputSchema = f.JsonSchema }).ToList();
        request.ToolChoice = options?.ToolMode switch
        {
            NoneChatToolMode when tools.Count > 0 => new AnthropicToolChoice { Type = "none" },
            RequiredChatToolMode { RequiredFunctionName: { } name } => new AnthropicToolChoice { Type = "tool", Name = name },
            RequiredChatToolMode when tools.Count > 0 => new AnthropicToolChoice { Type = "any" },
            _ => null,
        };
        if (format is { Schema: { } schema } && profile.StructuredOutput == StructuredOutputMode.ForcedTool)
        {
            tools.Add(new AnthropicTool
            {
                Name = ChatMapping.StructuredOutputTool,
                Description = format.SchemaDescription ?? "Return the answer as this tool's input.",
                InputSchema = schema,
            });
            request.ToolChoice = new AnthropicToolChoice { Type = "tool", Name = ChatMapping.StructuredOutputTool };
        }
        if (tools.Count > 0)
            request.Tools = tools;
        return request;
    }

    protected override async Task<ChatResponse> SendAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var notes = new RequestAdjustments();
        var body = await PostJsonAsync(Endpoint, BuildRequest(messages, options, stream: false, notes), ProviderJson.Snake.AnthropicRequest,
            ProviderJson.Snake.AnthropicResponse, cancellationToken).ConfigureAwait(false);
        return ToResponse(body, notes);
    }

    private ChatResponse ToResponse(AnthropicResponse body, RequestAdjustments notes)
    {
        if (body.StopReason == "refusal")
            throw Refused(body.Model);
        var message = new ChatMessage(ChatRole.Assistant, []);
        foreach (var block in body.Content ?? [])
        {
            if (block.Type == "text" && !string.IsNullOrEmpty(block.Text))
                message.Contents.Add(new TextContent(block.Text));
            else if (block.Type == "tool_use")
                message.Contents.Add(new FunctionCallContent(block.Id ?? "", block.Name ?? "",
                    block.Input is { } input ? ChatMapping.FromElement(input) : []));
        }
        ChatMapping.UnwrapStructuredOutput(message);
        var response = new ChatResponse(message)
        {
            ResponseId = body.Id,
            ModelId = body.Model ?? Model,
            FinishReason = FinishReason(body.StopReason, message.Contents.Any(c => c is FunctionCallContent)),
            Usage = Usage(body.Usage, null),
        };
        ChatMapping.Attach(response, notes);
        return response;
    }

    private AxonProviderException Refused(string? model) =>
        Context.Error(ProviderErrorKind.ContentFiltered, $"{Context.DisplayName} {model ?? Model} refused the request (stop_reason refusal)");

    // input_tokens counts only what was neither read from nor written to the cache; the input is their sum.
    private static UsageDetails? Usage(AnthropicUsage? start, AnthropicUsage? end)
    {
        var u = start ?? end;
        if (u is null)
            return null;
        var read = start?.CacheReadInputTokens ?? end?.CacheReadInputTokens ?? 0;
        var written = start?.CacheCreationInputTokens ?? end?.CacheCreationInputTokens ?? 0;
        var input = (start?.InputTokens ?? end?.InputTokens ?? 0) + read + written;
        var output = end?.OutputTokens ?? start?.OutputTokens;
        return ChatMapping.Usage(input, output, cached: read, reasoning: (end ?? start)?.OutputTokensDetails?.ThinkingTokens, cacheWrite: written);
    }

    // A forced structured_output call is the answer, not a tool call: report it as a normal stop.
    private static ChatFinishReason? FinishReason(string? stopReason, bool hasCalls) =>
        stopReason == "tool_use" && !hasCalls ? ChatFinishReason.Stop : ChatMapping.FinishReason(stopReason);

    protected override async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var notes = new RequestAdjustments();
        using var response = await PostForStreamAsync(Endpoint, BuildRequest(messages, options, stream: true, notes), ProviderJson.Snake.AnthropicRequest,
            cancellationToken).ConfigureAwait(false);
        if (IsWholeJson(response))
        {
            // An answer to "stream": true that is one JSON message is read as that message.
            var whole = await ReadJsonAsync(response, ProviderJson.Snake.AnthropicResponse, cancellationToken).ConfigureAwait(false);
            foreach (var u in ToResponse(whole, notes).ToChatResponseUpdates())
                yield return u;
            yield break;
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var tools = new Dictionary<int, (string Id, string Name, StringBuilder Input)>();
        AnthropicUsage? startUsage = null;
        string? responseId = null;
        var model = Model;
        var first = true;
        var stopped = false;
        var calls = false;
        await foreach (var sse in StreamReaders.ReadSseAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            var e = JsonSerializer.Deserialize(sse.Data, ProviderJson.Snake.AnthropicResponse);
            if (e is null)
                continue;
            var update = new ChatResponseUpdate(ChatRole.Assistant, []) { ResponseId = responseId, ModelId = model };
            switch (e.Type)
            {
                case "message_start":
                    responseId = e.Message?.Id;
                    // The model that answers, as the response names it (an alias resolves to a dated version).
                    model = e.Message?.Model ?? model;
                    startUsage = e.Message?.Usage;
                    break;
                case "content_block_start" when e.ContentBlock is { Type: "tool_use" } block:
                    tools[e.Index ?? 0] = (block.Id ?? "", block.Name ?? "", new StringBuilder());
                    break;
                case "content_block_delta" when e.Delta is { } delta:
                    if (delta.Type == "text_delta" && !string.IsNullOrEmpty(delta.Text))
                        update.Contents.Add(new TextContent(delta.Text));
                    else if (delta.Type == "input_json_delta" && tools.TryGetValue(e.Index ?? 0, out var acc))
                        acc.Input.Append(delta.PartialJson);
                    break;
                case "content_block_stop" when tools.Remove(e.Index ?? 0, out var done):
                    if (done.Name == ChatMapping.StructuredOutputTool)
                        update.Contents.Add(new TextContent(ChatMapping.StructuredText(done.Input.ToString())));
                    else
                    {
                        calls = true;
                        update.Contents.Add(ChatMapping.Call(done.Id, done.Name, done.Input.ToString()));
                    }
                    break;
                case "message_delta":
                    if (e.Delta?.StopReason == "refusal")
                        throw Refused(model);
                    update.FinishReason = FinishReason(e.Delta?.StopReason, calls);
                    if (Usage(startUsage, e.Usage) is { } usage)
                        update.Contents.Add(new UsageContent(usage));
                    break;
                case "message_stop":
                    stopped = true;
                    break;
                case "error":
                    var kind = e.Error?.Type switch
                    {
                        "overloaded_error" or "api_error" => ProviderErrorKind.ServerError,
                        "rate_limit_error" => ProviderErrorKind.RateLimited,
                        "invalid_request_error" => ProviderErrorKind.BadRequest,
                        _ => ProviderErrorKind.ServerError,
                    };
                    throw Context.Error(kind, $"{Context.DisplayName} stream error ({e.Error?.Type}): {e.Error?.Message}");
            }
            if (update.Contents.Count > 0 || update.FinishReason is not null)
            {
                if (first)
                    ChatMapping.Attach(update, notes);
                first = false;
                yield return update;
            }
            if (stopped)
                break;
        }
        if (!stopped)
            throw Context.Truncated("no message_stop event");
    }

    protected override (Uri Uri, Func<JsonElement, IEnumerable<string>> Ids) ModelsRequest() =>
        (new Uri(Endpoint, "models?limit=1000"), root => Ids(root, "data", "id"));
}
