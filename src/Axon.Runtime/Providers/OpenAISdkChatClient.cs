using System.ClientModel;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Axon.Runtime.Providers.Http;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using ChatFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using MeaiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using MeaiResponseFormat = Microsoft.Extensions.AI.ChatResponseFormat;
using SdkChatMessage = OpenAI.Chat.ChatMessage;

namespace Axon.Runtime.Providers;

/// <summary>
/// Our <see cref="IChatClient"/> adapter over the official OpenAI SDK's <see cref="ChatClient"/>
/// (Microsoft.Extensions.AI.OpenAI is not available). The SDK runs on our HTTP handler, with its retry
/// policy off, so failures are classified like every other backend's.
/// </summary>
internal sealed class OpenAISdkChatClient(ProviderContext context, OpenAIClient sdk, Uri endpoint, string model, HttpClient http) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new(context.Provider, endpoint, model);
    private readonly ConcurrentDictionary<string, ChatClient> _clients = new(StringComparer.Ordinal);

    private static (List<SdkChatMessage> Messages, ChatCompletionOptions Options) Map(IEnumerable<MeaiChatMessage> messages, ChatOptions? options)
    {
        var list = new List<SdkChatMessage>();
        if (!string.IsNullOrEmpty(options?.Instructions))
            list.Add(new SystemChatMessage(options.Instructions));
        foreach (var m in messages)
        {
            var text = ChatMapping.Text(m);
            if (m.Role == ChatRole.System)
                list.Add(new SystemChatMessage(text));
            else if (m.Role == ChatRole.Assistant)
            {
                var calls = m.Contents.OfType<FunctionCallContent>()
                    .Select(c => ChatToolCall.CreateFunctionToolCall(c.CallId, c.Name, BinaryData.FromString(ChatMapping.ArgumentsJson(c.Arguments))))
                    .ToList();
                if (calls.Count > 0)
                {
                    var assistant = new AssistantChatMessage(calls);
                    if (text.Length > 0)
                        assistant.Content.Add(ChatMessageContentPart.CreateTextPart(text));
                    list.Add(assistant);
                }
                else
                    list.Add(new AssistantChatMessage(text));
            }
            else
            {
                if (text.Length > 0 || !m.Contents.OfType<FunctionResultContent>().Any())
                    list.Add(new UserChatMessage(text));
            }
            foreach (var r in m.Contents.OfType<FunctionResultContent>())
                list.Add(new ToolChatMessage(r.CallId, ChatMapping.ResultText(r.Result)));
        }

        var o = new ChatCompletionOptions
        {
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            MaxOutputTokenCount = options?.MaxOutputTokens,
        };
        foreach (var stop in options?.StopSequences ?? [])
            o.StopSequences.Add(stop);
        if (options?.ResponseFormat is ChatResponseFormatJson { Schema: { } schema } json)
            o.ResponseFormat = OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(json.SchemaName ?? "response",
                BinaryData.FromString(schema.GetRawText()), json.SchemaDescription, jsonSchemaIsStrict: true);
        else if (options?.ResponseFormat is ChatResponseFormatJson)
            o.ResponseFormat = OpenAI.Chat.ChatResponseFormat.CreateJsonObjectFormat();
        else if (options?.ResponseFormat == MeaiResponseFormat.Text)
            o.ResponseFormat = OpenAI.Chat.ChatResponseFormat.CreateTextFormat();

        foreach (var f in ChatMapping.Functions(options))
            o.Tools.Add(ChatTool.CreateFunctionTool(f.Name, f.Description, BinaryData.FromString(f.JsonSchema.GetRawText())));
        if (o.Tools.Count > 0)
            o.ToolChoice = options?.ToolMode switch
            {
                NoneChatToolMode => ChatToolChoice.CreateNoneChoice(),
                RequiredChatToolMode { RequiredFunctionName: { } name } => ChatToolChoice.CreateFunctionChoice(name),
                RequiredChatToolMode => ChatToolChoice.CreateRequiredChoice(),
                _ => null,
            };
        return (list, o);
    }

    // The SDK binds a ChatClient to one model; a per-request ChatOptions.ModelId gets its own (cached) one.
    private ChatClient ClientFor(ChatOptions? options) => _clients.GetOrAdd(options?.ModelId ?? model, sdk.GetChatClient);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<MeaiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (list, o) = Map(messages, options);
        ChatCompletion completion;
        try
        {
            completion = (await ClientFor(options).CompleteChatAsync(list, o, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception e) when (e is not AxonProviderException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw Classify(e, cancellationToken);
        }

        var message = new MeaiChatMessage(ChatRole.Assistant, []);
        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        if (text.Length > 0)
            message.Contents.Add(new TextContent(text));
        foreach (var call in completion.ToolCalls)
            message.Contents.Add(new FunctionCallContent(call.Id, call.FunctionName, ChatMapping.ParseArguments(call.FunctionArguments?.ToString())));
        return new ChatResponse(message)
        {
            ResponseId = completion.Id,
            ModelId = completion.Model ?? model,
            FinishReason = FinishReason(completion.FinishReason),
            Usage = completion.Usage is { } u ? ChatMapping.Usage(u.InputTokenCount, u.OutputTokenCount, u.TotalTokenCount) : null,
            RawRepresentation = completion,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<MeaiChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (list, o) = Map(messages, options);
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Args)>();
        var finished = false;
        IAsyncEnumerator<StreamingChatCompletionUpdate>? e = null;
        try
        {
            e = ClientFor(options).CompleteChatStreamingAsync(list, o, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                StreamingChatCompletionUpdate u;
                try
                {
                    if (!await e.MoveNextAsync().ConfigureAwait(false))
                        break;
                    u = e.Current;
                }
                catch (Exception ex) when (ex is not AxonProviderException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    throw Classify(ex, cancellationToken);
                }

                var update = new ChatResponseUpdate(ChatRole.Assistant, []) { ResponseId = u.CompletionId, ModelId = u.Model ?? model, RawRepresentation = u };
                foreach (var part in u.ContentUpdate)
                    if (part.Kind == ChatMessageContentPartKind.Text && !string.IsNullOrEmpty(part.Text))
                        update.Contents.Add(new TextContent(part.Text));
                foreach (var tc in u.ToolCallUpdates)
                {
                    if (!calls.TryGetValue(tc.Index, out var acc))
                        acc = (tc.ToolCallId, tc.FunctionName, new StringBuilder());
                    if (tc.FunctionArgumentsUpdate is { } args && !args.IsEmpty)
                        acc.Args.Append(args.ToString());
                    calls[tc.Index] = (acc.Id ?? tc.ToolCallId, acc.Name ?? tc.FunctionName, acc.Args);
                }
                if (u.FinishReason is { } reason)
                {
                    finished = true;
                    update.FinishReason = FinishReason(reason);
                    foreach (var (_, c) in calls)
                        update.Contents.Add(new FunctionCallContent(c.Id ?? "", c.Name ?? "", ChatMapping.ParseArguments(c.Args.ToString())));
                    calls.Clear();
                }
                if (u.Usage is { } usage)
                    update.Contents.Add(new UsageContent(ChatMapping.Usage(usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount)!));
                if (update.Contents.Count > 0 || update.FinishReason is not null)
                    yield return update;
            }
        }
        finally
        {
            if (e is not null)
                await e.DisposeAsync().ConfigureAwait(false);
        }
        // The SDK ends quietly when the connection closes early; a stream without a finish reason was cut.
        if (!finished)
            throw context.Truncated("no finish_reason");
    }

    private Exception Classify(Exception e, CancellationToken cancellationToken)
    {
        if (e is ClientResultException { Status: > 0 } cre)
        {
            var raw = cre.GetRawResponse();
            return context.StatusError(cre.Status, raw?.Content?.ToString(), null);
        }
        return context.Classify(e, endpoint, cancellationToken);
    }

    private static ChatFinishReason FinishReason(OpenAI.Chat.ChatFinishReason reason) => reason switch
    {
        OpenAI.Chat.ChatFinishReason.Length => ChatFinishReason.Length,
        OpenAI.Chat.ChatFinishReason.ToolCalls or OpenAI.Chat.ChatFinishReason.FunctionCall => ChatFinishReason.ToolCalls,
        OpenAI.Chat.ChatFinishReason.ContentFilter => ChatFinishReason.ContentFilter,
        _ => ChatFinishReason.Stop,
    };

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType == typeof(OpenAIClient) ? sdk
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose() => http.Dispose();
}
