using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Axon.Runtime.Providers.Http;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using MeaiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Axon.Runtime.Providers;

/// <summary>
/// Our <see cref="IChatClient"/> adapter over the official OpenAI SDK (Microsoft.Extensions.AI.OpenAI is not
/// available). The SDK owns the endpoint, authentication and its pipeline, on top of our HTTP handler with
/// retries off, so failures are classified like every other backend's.
/// </summary>
/// <remarks>
/// Requests go through the SDK's protocol method (<see cref="ChatClient.CompleteChatAsync(BinaryContent, RequestOptions)"/>)
/// with the same wire mapping as our OpenAI-compatible client (<see cref="OpenAIWire"/>). The SDK's typed
/// convenience layer re-maps every message into its own model, clones the options and parses the answer
/// through a document tree: that alone cost three times a raw HTTP POST on loopback, and it would be a
/// second mapping of the same wire format to keep in step with the first.
/// <see cref="ChatResponse.RawRepresentation"/> is therefore our wire type, not the SDK's <c>ChatCompletion</c>.
/// </remarks>
internal sealed class OpenAISdkChatClient(ProviderContext context, OpenAIClient sdk, Uri endpoint, string model, HttpClient http) : IChatClient, IAxonModelLister
{
    private readonly ChatClientMetadata _metadata = new(context.Provider, endpoint, model);

    // The body names the model (ChatOptions.ModelId or ours), so one SDK chat client serves every request.
    private readonly ChatClient _chat = sdk.GetChatClient(model);

    private BinaryContent Body(IReadOnlyList<MeaiChatMessage> messages, ChatOptions? options, bool stream, RequestAdjustments notes) =>
        BinaryContent.Create(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(
            OpenAIWire.BuildRequest(messages, options, model, stream, context.Provider, model, notes), ProviderJson.Snake.OaiRequest)));

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<MeaiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<MeaiChatMessage> ?? messages.ToList();
        try
        {
            var notes = new RequestAdjustments();
            ProviderExchange.CallTimeout.Value = context.WaitFor(options, model);
            var result = await _chat.CompleteChatAsync(Body(list, options, stream: false, notes), new RequestOptions { CancellationToken = cancellationToken })
                .ConfigureAwait(false);
            using var response = result.GetRawResponse();
            return OpenAIWire.ToResponse(OpenAIWire.Parse(response.Content.ToMemory().Span, context), model, context, notes);
        }
        catch (AxonProviderException e) when (AxonModels.IsModelNotFound(e))
        {
            throw await AxonModels.WithModelListAsync(e, options?.ModelId ?? model, this, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not AxonProviderException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw Classify(e, cancellationToken);
        }
    }

    /// <summary>GET /v1/models through the SDK's pipeline (same key, endpoint and failure classification).</summary>
    public async Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await sdk.GetOpenAIModelClient().GetModelsAsync(new RequestOptions { CancellationToken = cancellationToken }).ConfigureAwait(false);
            using var response = result.GetRawResponse();
            using var doc = JsonDocument.Parse(response.Content.ToMemory());
            var ids = new List<string>();
            if (doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
                foreach (var m in data.EnumerateArray())
                    if (m.TryGetProperty("id", out var id) && id.GetString() is { Length: > 0 } s)
                        ids.Add(s);
            return ids.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is not AxonProviderException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw Classify(e, cancellationToken);
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<MeaiChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<MeaiChatMessage> ?? messages.ToList();
        PipelineResponse response;
        var notes = new RequestAdjustments();
        try
        {
            ProviderExchange.CallTimeout.Value = context.WaitFor(options, model);
            var result = await _chat.CompleteChatAsync(Body(list, options, stream: true, notes),
                new RequestOptions { CancellationToken = cancellationToken, BufferResponse = false }).ConfigureAwait(false);
            response = result.GetRawResponse();
        }
        catch (AxonProviderException e) when (AxonModels.IsModelNotFound(e))
        {
            throw await AxonModels.WithModelListAsync(e, options?.ModelId ?? model, this, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not AxonProviderException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw Classify(e, cancellationToken);
        }

        using (response)
        {
            if (response.Headers.TryGetValue("Content-Type", out var contentType) && contentType is not null
                && contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            {
                // A server that ignores "stream": true answers with one JSON body: read it as that answer.
                ChatResponse whole;
                try
                {
                    var data = await response.BufferContentAsync(cancellationToken).ConfigureAwait(false);
                    whole = OpenAIWire.ToResponse(OpenAIWire.Parse(data.ToMemory().Span, context), model, context, notes);
                }
                catch (Exception ex) when (ex is not AxonProviderException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    throw Classify(ex, cancellationToken);
                }
                foreach (var update in whole.ToChatResponseUpdates())
                    yield return update;
                yield break;
            }
            var stream = response.ContentStream ?? throw context.Truncated("no response body");
            await using var e = OpenAIWire.ReadStreamAsync(stream, model, context, cancellationToken, notes).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await e.MoveNextAsync().ConfigureAwait(false))
                        yield break;
                    update = e.Current;
                }
                catch (Exception ex) when (ex is not AxonProviderException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    throw Classify(ex, cancellationToken);
                }
                yield return update;
            }
        }
    }

    private Exception Classify(Exception e, CancellationToken cancellationToken)
    {
        if (e is ClientResultException { Status: > 0 } cre)
            return context.StatusError(cre.Status, cre.GetRawResponse()?.Content?.ToString(), null);
        if (e is JsonException)
            return context.Error(ProviderErrorKind.ServerError, $"{context.DisplayName} sent a response that is not the expected JSON ({e.Message})");
        return context.Classify(e, endpoint, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType == typeof(OpenAIClient) ? sdk
        : serviceType == typeof(IAxonModelLister) ? this
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose() => http.Dispose();
}
