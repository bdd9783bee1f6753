using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Providers.Http;

/// <summary>
/// Common plumbing of our own HTTP clients: JSON posting with source-generated contracts, classified
/// failures, and the <see cref="IChatClient"/> surface.
/// </summary>
internal abstract class HttpChatClientBase : IChatClient, IAxonModelLister
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    private readonly ProviderTransport _transport;

    protected HttpChatClientBase(ProviderContext context, ProviderTransport transport, Uri endpoint, string model)
    {
        Context = context;
        _transport = transport;
        Endpoint = endpoint;
        Model = model;
        Metadata = new ChatClientMetadata(context.Provider, endpoint, model);
    }

    protected ProviderContext Context { get; }
    protected Uri Endpoint { get; }
    protected string Model { get; }
    public ChatClientMetadata Metadata { get; }

    protected abstract Task<ChatResponse> SendAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken);

    protected abstract IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            ProviderExchange.CallTimeout.Value = Context.WaitFor(options, Model);
            return await SendAsync(messages as IReadOnlyList<ChatMessage> ?? messages.ToList(), options, cancellationToken).ConfigureAwait(false);
        }
        catch (AxonProviderException e) when (AxonModels.IsModelNotFound(e))
        {
            throw await AxonModels.WithModelListAsync(e, options?.ModelId ?? Model, this, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not AxonProviderException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw Wrap(e, cancellationToken);
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        // Read by the first send below; the stream's reads keep the value they were created with.
        ProviderExchange.CallTimeout.Value = Context.WaitFor(options, Model);
        await using var e = StreamAsync(list, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await e.MoveNextAsync().ConfigureAwait(false))
                    yield break;
                update = e.Current;
            }
            catch (AxonProviderException ex) when (AxonModels.IsModelNotFound(ex))
            {
                throw await AxonModels.WithModelListAsync(ex, options?.ModelId ?? Model, this, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not AxonProviderException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw Wrap(ex, cancellationToken);
            }
            yield return update;
        }
    }

    private Exception Wrap(Exception e, CancellationToken cancellationToken) => e is JsonException
        ? Context.Error(ProviderErrorKind.ServerError, $"{Context.DisplayName} sent a response that is not the expected JSON ({e.Message})")
        : Context.Classify(e, Endpoint, cancellationToken);

    protected static ByteArrayContent JsonBody<T>(T body, JsonTypeInfo<T> typeInfo)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, typeInfo));
        content.Headers.ContentType = JsonMediaType;
        return content;
    }

    /// <summary>Posts a JSON body and reads a JSON answer; errors are classified by <see cref="ProviderExchange"/>.</summary>
    protected async Task<TResponse> PostJsonAsync<TRequest, TResponse>(Uri uri, TRequest body, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var request = new BufferedAnswerRequest(HttpMethod.Post, uri) { Content = JsonBody(body, requestType) };
        return await SendForJsonAsync(request, responseType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request and parses its JSON answer, which the handler underneath buffers and classifies.</summary>
    protected async Task<TResponse> SendForJsonAsync<TResponse>(BufferedAnswerRequest request, JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(request, Context, cancellationToken).ConfigureAwait(false);
        // Answers are small: buffering then parsing synchronously is cheaper than an async streaming parse.
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(bytes, responseType)
               ?? throw Context.Error(ProviderErrorKind.ServerError, $"{Context.DisplayName} sent an empty response");
    }

    /// <summary>True when a streaming request got one JSON body instead of an event stream.</summary>
    protected static bool IsWholeJson(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is "application/json";

    /// <summary>Reads and parses a whole JSON answer (also one that came back to a streaming request).</summary>
    protected async Task<TResponse> ReadJsonAsync<TResponse>(HttpResponseMessage response, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(bytes, responseType)
                   ?? throw Context.Error(ProviderErrorKind.ServerError, $"{Context.DisplayName} sent an empty response");
        }
        catch (JsonException e)
        {
            throw Context.Error(ProviderErrorKind.ServerError, $"{Context.DisplayName} sent a response that is not the expected JSON ({e.Message})");
        }
    }

    /// <summary>Posts a JSON body and returns the open response for streaming reads.</summary>
    protected async Task<HttpResponseMessage> PostForStreamAsync<TRequest>(Uri uri, TRequest body, JsonTypeInfo<TRequest> requestType,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonBody(body, requestType) };
        return await _transport.SendAsync(request, Context, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The list-models request of this provider (relative to <see cref="Endpoint"/>'s host) and how to read its ids.</summary>
    protected abstract (Uri Uri, Func<JsonElement, IEnumerable<string>> Ids) ModelsRequest();

    public async Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        var (uri, ids) = ModelsRequest();
        try
        {
            using var request = new BufferedAnswerRequest(HttpMethod.Get, uri);
            var root = await SendForJsonAsync(request, ProviderJson.Snake.JsonElement, cancellationToken).ConfigureAwait(false);
            return ids(root).Where(id => !string.IsNullOrEmpty(id)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is not AxonProviderException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw Wrap(e, cancellationToken);
        }
    }

    /// <summary>The string property <paramref name="name"/> of each object in the array property <paramref name="list"/>.</summary>
    protected static IEnumerable<string> Ids(JsonElement root, string list, string name)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(list, out var items) || items.ValueKind != JsonValueKind.Array)
            yield break;
        foreach (var item in items.EnumerateArray())
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var id) && id.ValueKind == JsonValueKind.String)
                yield return id.GetString()!;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose() => _transport.Dispose();
}
