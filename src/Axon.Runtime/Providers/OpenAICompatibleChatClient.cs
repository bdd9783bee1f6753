using System.Runtime.CompilerServices;
using System.Text.Json;
using Axon.Runtime.Providers.Http;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Providers;

/// <summary>
/// Our own client for the OpenAI chat-completions wire format, used for Azure OpenAI (deployment URL,
/// <c>api-key</c> header) and for any OpenAI-compatible endpoint (<c>custom</c>, bearer key).
/// </summary>
/// <param name="context">Failure wording and classification.</param>
/// <param name="transport">The network path; its fixed headers already carry the auth header.</param>
/// <param name="chatUrl">The full chat-completions URL.</param>
/// <param name="model">Model (or deployment) name.</param>
/// <param name="sendModel">False for Azure, where the deployment in the URL selects the model.</param>
/// <param name="apiSupportsLaterFields">False for an Azure api-version without <c>stream_options</c> and <c>reasoning_effort</c>.</param>
internal sealed class OpenAICompatibleChatClient(ProviderContext context, ProviderTransport transport, Uri chatUrl, string model, bool sendModel,
    bool apiSupportsLaterFields = true)
    : HttpChatClientBase(context, transport, chatUrl, model)
{
    private string? BodyModel => sendModel ? Model : null;

    private OaiRequest Build(IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool stream, RequestAdjustments notes) =>
        OpenAIWire.BuildRequest(messages, options, BodyModel, stream, Context.Provider, Model, notes, apiSupportsLaterFields);

    protected override async Task<ChatResponse> SendAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var notes = new RequestAdjustments();
        var response = await PostJsonAsync(Endpoint, Build(messages, options, stream: false, notes), ProviderJson.Snake.OaiRequest,
            ProviderJson.Snake.OaiResponse, cancellationToken).ConfigureAwait(false);
        return OpenAIWire.ToResponse(response, Model, Context, notes);
    }

    protected override async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var notes = new RequestAdjustments();
        using var response = await PostForStreamAsync(Endpoint, Build(messages, options, stream: true, notes), ProviderJson.Snake.OaiRequest,
            cancellationToken).ConfigureAwait(false);
        if (IsWholeJson(response))
        {
            // A server that ignores "stream": true answers with one JSON body: read it as that answer.
            var whole = await ReadJsonAsync(response, ProviderJson.Snake.OaiResponse, cancellationToken).ConfigureAwait(false);
            foreach (var update in OpenAIWire.ToResponse(whole, Model, Context, notes).ToChatResponseUpdates())
                yield return update;
            yield break;
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var update in OpenAIWire.ReadStreamAsync(stream, Model, Context, cancellationToken, notes).ConfigureAwait(false))
            yield return update;
    }

    // Azure: GET {endpoint}/openai/models?api-version=…; compatible servers: GET {base}/models.
    protected override (Uri Uri, Func<JsonElement, IEnumerable<string>> Ids) ModelsRequest() =>
        (sendModel ? new Uri(Endpoint, "../models") : new Uri(Endpoint, "../../../models" + Endpoint.Query), root => Ids(root, "data", "id"));
}
