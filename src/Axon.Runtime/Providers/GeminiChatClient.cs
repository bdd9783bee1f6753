using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Runtime.Providers.Http;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Providers;

/// <summary>
/// Our client for Gemini's <c>/v1beta/models/{model}:generateContent</c> and
/// <c>:streamGenerateContent?alt=sse</c>. The key goes in the <c>x-goog-api-key</c> header, not the
/// <c>?key=</c> query, so it can never leak through a URL in a log or message.
/// </summary>
internal sealed class GeminiChatClient(ProviderContext context, ProviderTransport transport, Uri host, string model)
    : HttpChatClientBase(context, transport, host, model)
{
    private Uri MethodUri(ChatOptions? options, string method) =>
        new(Endpoint, $"v1beta/models/{Uri.EscapeDataString(options?.ModelId ?? Model)}:{method}");

    private GeminiRequest BuildRequest(IReadOnlyList<ChatMessage> messages, ChatOptions? options, RequestAdjustments notes)
    {
        var profile = ModelCapabilities.For(Context.Provider, options?.ModelId ?? Model);
        var request = new GeminiRequest();
        if (ChatMapping.SystemText(messages, options) is { } system)
            request.SystemInstruction = new GeminiContent { Parts = [new GeminiPart { Text = system }] };

        foreach (var m in messages)
        {
            if (m.Role == ChatRole.System)
                continue;
            var content = new GeminiContent { Role = m.Role == ChatRole.Assistant ? "model" : "user" };
            foreach (var c in m.Contents)
            {
                switch (c)
                {
                    case TextContent t when t.Text.Length > 0:
                        // Consecutive text parts (a typed step's prompt and its output contract) form one part, as one prompt.
                        if (content.Parts.Count > 0 && content.Parts[^1] is { Text: not null, FunctionCall: null, FunctionResponse: null } previous)
                            previous.Text += t.Text;
                        else
                            content.Parts.Add(new GeminiPart { Text = t.Text });
                        break;
                    case FunctionCallContent fc:
                        content.Parts.Add(new GeminiPart
                        {
                            FunctionCall = new GeminiFunctionCall { Name = fc.Name, Args = ChatMapping.ArgumentsElement(fc.Arguments) },
                        });
                        break;
                    case FunctionResultContent fr:
                        content.Role = "user";
                        content.Parts.Add(new GeminiPart
                        {
                            FunctionResponse = new GeminiFunctionResponse
                            {
                                Name = ChatMapping.NameOfCall(messages, fr.CallId),
                                Response = WrapResult(ChatMapping.ResultElement(fr.Result)),
                            },
                        });
                        break;
                }
            }
            if (content.Parts.Count > 0)
                request.Contents.Add(content);
        }

        var (temperature, topP) = ChatMapping.Sampling(options, profile.Sampling, notes);
        var config = new GeminiGenerationConfig
        {
            Temperature = temperature,
            TopP = topP,
            MaxOutputTokens = options?.MaxOutputTokens,
            StopSequences = options?.StopSequences?.ToList(),
        };
        if (ChatMapping.Effort(options) is { } effort)
        {
            config.ThinkingConfig = profile.Reasoning switch
            {
                ReasoningControl.GeminiThinkingBudget => new GeminiThinkingConfig { ThinkingBudget = ChatMapping.ThinkingBudget(effort) },
                // The proto's ThinkingLevel enum: LOW, MEDIUM, HIGH (max has no level above HIGH).
                ReasoningControl.GeminiThinkingLevel => new GeminiThinkingConfig { ThinkingLevel = effort is "max" ? "HIGH" : effort.ToUpperInvariant() },
                _ => null,
            };
        }
        if (ChatMapping.JsonFormat(options) is { } format)
        {
            config.ResponseMimeType = "application/json";
            if (format.Schema is { } schema)
                config.ResponseSchema = ToGeminiSchema(schema);
        }
        if (config is not { Temperature: null, TopP: null, MaxOutputTokens: null, StopSequences: null, ResponseMimeType: null, ThinkingConfig: null })
            request.GenerationConfig = config;

        var functions = ChatMapping.Functions(options);
        if (functions.Count > 0)
        {
            request.Tools =
            [
                new GeminiTool
                {
                    FunctionDeclarations = functions.Select(f => new GeminiFunctionDeclaration
                    {
                        Name = f.Name,
                        Description = f.Description,
                        Parameters = ToGeminiSchema(f.JsonSchema),
                    }).ToList(),
                },
            ];
            request.ToolConfig = options?.ToolMode switch
            {
                NoneChatToolMode => new GeminiToolConfig { FunctionCallingConfig = { Mode = "NONE" } },
                RequiredChatToolMode r => new GeminiToolConfig
                {
                    FunctionCallingConfig = { Mode = "ANY", AllowedFunctionNames = r.RequiredFunctionName is { } n ? [n] : null },
                },
                _ => null,
            };
        }
        return request;
    }

    // functionResponse.response must be an object.
    private static JsonElement WrapResult(JsonElement result) =>
        result.ValueKind == JsonValueKind.Object
            ? result
            : ChatMapping.Parse(new JsonObject { ["result"] = JsonNode.Parse(result.GetRawText()) }.ToJsonString());

    private static readonly HashSet<string> GeminiFormats = ["float", "double", "int32", "int64", "enum", "date-time"];

    private static readonly HashSet<string> SchemaKeys =
    [
        "type", "format", "description", "nullable", "enum", "properties", "required", "items", "minItems", "maxItems",
        "minimum", "maximum", "anyOf", "propertyOrdering", "title", "minLength", "maxLength", "pattern", "minProperties", "maxProperties",
    ];

    /// <summary>
    /// Gemini's <c>responseSchema</c> is an OpenAPI subset: no <c>$schema</c>, <c>additionalProperties</c>
    /// or type arrays. Unsupported keywords are dropped and <c>["T","null"]</c> becomes <c>T</c> + <c>nullable</c>.
    /// M.E.AI's <see cref="AIJsonUtilities.TransformSchema"/> walks every subschema (properties, items, anyOf, …)
    /// and writes the <c>nullable</c> keyword; the node callback does what is Gemini's own: the keyword allow-list,
    /// the proto's uppercase type names and its few formats.
    /// </summary>
    internal static JsonElement ToGeminiSchema(JsonElement schema) => AIJsonUtilities.TransformSchema(schema, GeminiSchemaOptions);

    private static readonly AIJsonSchemaTransformOptions GeminiSchemaOptions = new()
    {
        UseNullableKeyword = true,
        TransformSchemaNode = static (_, node) => node is JsonObject obj ? ToGeminiNode(obj) : node,
    };

    private static JsonObject ToGeminiNode(JsonObject obj)
    {
        foreach (var key in obj.Select(p => p.Key).ToArray())
        {
            var value = obj[key];
            if (!SchemaKeys.Contains(key))
            {
                obj.Remove(key);
                continue;
            }
            switch (key)
            {
                case "type" when value is JsonValue single && single.TryGetValue<string>(out var name):
                    obj["type"] = TypeName(name);
                    break;
                // A union UseNullableKeyword leaves (["string","number"]): Gemini takes one type, the first; a null member makes it nullable.
                case "type" when value is JsonArray types:
                    var nonNull = types.Select(t => t?.GetValue<string>()).Where(t => t is not null and not "null").ToList();
                    obj.Remove("type");
                    if (nonNull.Count > 0) obj["type"] = TypeName(nonNull[0]!);
                    if (nonNull.Count < types.Count) obj["nullable"] = true;
                    break;
                // Schema.format takes only these (proto comment): others would be rejected, so they are left out.
                case "format" when value is not JsonValue f || !f.TryGetValue<string>(out var fmt) || !GeminiFormats.Contains(fmt):
                    obj.Remove(key);
                    break;
            }
        }
        return obj;
    }

    // The proto's Type enum: STRING, NUMBER, INTEGER, BOOLEAN, ARRAY, OBJECT, NULL (JSON Schema spells them lowercase).
    private static string TypeName(string jsonSchemaType) => jsonSchemaType.ToUpperInvariant();

    /// <summary>A blocked prompt (no candidates) or a candidate stopped for safety: a typed, permanent failure.</summary>
    private void ThrowIfBlocked(GeminiResponse response)
    {
        if (response.PromptFeedback?.BlockReason is { Length: > 0 } block && block != "BLOCK_REASON_UNSPECIFIED")
            throw Context.Error(ProviderErrorKind.ContentFiltered, $"{Context.DisplayName} blocked the prompt (promptFeedback.blockReason {block})");
        if (response.Candidates?.FirstOrDefault() is { FinishReason: { } reason } candidate
            && reason is "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY")
            throw Context.Error(ProviderErrorKind.ContentFiltered,
                $"{Context.DisplayName} stopped the answer (finishReason {reason}){(candidate.FinishMessage is { Length: > 0 } m ? ": " + m : "")}");
    }

    // promptTokenCount includes the cached part; thoughts are billed as output but counted apart from the candidates.
    private static UsageDetails? Usage(GeminiUsage? u) => u is null ? null
        : ChatMapping.Usage(u.PromptTokenCount, (u.CandidatesTokenCount ?? 0) + (u.ThoughtsTokenCount ?? 0), u.TotalTokenCount,
            u.CachedContentTokenCount, u.ThoughtsTokenCount);

    private ChatMessage ToMessage(GeminiCandidate? candidate)
    {
        var message = new ChatMessage(ChatRole.Assistant, []);
        var i = 0;
        foreach (var part in candidate?.Content?.Parts ?? [])
        {
            if (part.Thought == true)
                continue; // a thought summary, not the answer
            if (!string.IsNullOrEmpty(part.Text))
                message.Contents.Add(new TextContent(part.Text));
            if (part.FunctionCall is { } fc)
            {
                var args = fc.Args is { ValueKind: JsonValueKind.Object } a ? ChatMapping.FromElement(a) : [];
                // Older Gemini models send no call id; a synthetic one lets results be matched back.
                message.Contents.Add(new FunctionCallContent(fc.Id ?? $"call_{i}_{fc.Name}", fc.Name, args));
                i++;
            }
        }
        return message;
    }

    protected override async Task<ChatResponse> SendAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var notes = new RequestAdjustments();
        var response = await PostJsonAsync(MethodUri(options, "generateContent"), BuildRequest(messages, options, notes),
            ProviderJson.Camel.GeminiRequest, ProviderJson.Camel.GeminiResponse, cancellationToken).ConfigureAwait(false);
        return ToResponse(response, notes);
    }

    private ChatResponse ToResponse(GeminiResponse response, RequestAdjustments notes)
    {
        ThrowIfBlocked(response);
        var candidate = response.Candidates?.FirstOrDefault();
        var message = ToMessage(candidate);
        var result = new ChatResponse(message)
        {
            ResponseId = response.ResponseId,
            ModelId = response.ModelVersion ?? Model,
            FinishReason = message.Contents.Any(c => c is FunctionCallContent) ? ChatFinishReason.ToolCalls : ChatMapping.FinishReason(candidate?.FinishReason),
            Usage = Usage(response.UsageMetadata),
        };
        ChatMapping.Attach(result, notes);
        return result;
    }

    protected override async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var notes = new RequestAdjustments();
        var uri = new Uri(MethodUri(options, "streamGenerateContent") + "?alt=sse");
        using var response = await PostForStreamAsync(uri, BuildRequest(messages, options, notes), ProviderJson.Camel.GeminiRequest, cancellationToken)
            .ConfigureAwait(false);
        if (IsWholeJson(response))
        {
            // Without alt=sse honoured, the answer is one JSON value (or an array of chunks): read it whole.
            var whole = await ReadJsonAsync(response, ProviderJson.Camel.GeminiResponse, cancellationToken).ConfigureAwait(false);
            foreach (var u in ToResponse(whole, notes).ToChatResponseUpdates())
                yield return u;
            yield break;
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var finished = false;
        var first = true;
        UsageDetails? usage = null;
        await foreach (var sse in StreamReaders.ReadSseAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            var chunk = JsonSerializer.Deserialize(sse.Data, ProviderJson.Camel.GeminiResponse);
            if (chunk is null)
                continue;
            // A blocked prompt arrives as a chunk with promptFeedback and no candidates: not a cut stream.
            ThrowIfBlocked(chunk);
            var candidate = chunk.Candidates?.FirstOrDefault();
            var update = new ChatResponseUpdate(ChatRole.Assistant, ToMessage(candidate).Contents)
            {
                ResponseId = chunk.ResponseId,
                ModelId = chunk.ModelVersion ?? Model,
            };
            // Gemini repeats cumulative usage on chunks; only the last one counts.
            if (chunk.UsageMetadata is { } u)
                usage = Usage(u);
            if (candidate?.FinishReason is { } reason)
            {
                finished = true;
                update.FinishReason = update.Contents.Any(c => c is FunctionCallContent) ? ChatFinishReason.ToolCalls : ChatMapping.FinishReason(reason);
                if (usage is not null)
                    update.Contents.Add(new UsageContent(usage));
            }
            if (update.Contents.Count > 0 || update.FinishReason is not null)
            {
                if (first)
                    ChatMapping.Attach(update, notes);
                first = false;
                yield return update;
            }
        }
        // The last chunk of a complete answer carries finishReason.
        if (!finished)
            throw Context.Truncated("no chunk with finishReason");
    }

    // Names come as models/<id>; only models that can generateContent are of use here.
    protected override (Uri Uri, Func<JsonElement, IEnumerable<string>> Ids) ModelsRequest() =>
        (new Uri(Endpoint, "v1beta/models?pageSize=1000"), root => GenerativeModels(root));

    private static IEnumerable<string> GenerativeModels(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
            yield break;
        foreach (var m in models.EnumerateArray())
        {
            if (!m.TryGetProperty("name", out var name) || name.GetString() is not { } id)
                continue;
            if (m.TryGetProperty("supportedGenerationMethods", out var methods) && methods.ValueKind == JsonValueKind.Array
                && !methods.EnumerateArray().Any(x => x.GetString() == "generateContent"))
                continue;
            yield return id.StartsWith("models/", StringComparison.Ordinal) ? id["models/".Length..] : id;
        }
    }
}
