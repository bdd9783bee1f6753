using System.Runtime.CompilerServices;
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
internal sealed class OpenAICompatibleChatClient(ProviderContext context, ProviderTransport transport, Uri chatUrl, string model, bool sendModel)
    : HttpChatClientBase(context, transport, chatUrl, model)
{
    private string? BodyModel => sendModel ? Model : null;

    protected override async Task<ChatResponse> SendAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var response = await PostJsonAsync(Endpoint, OpenAIWire.BuildRequest(messages, options, BodyModel, stream: false), ProviderJson.Snake.OaiRequest,
            ProviderJson.Snake.OaiResponse, cancellationToken).ConfigureAwait(false);
        return OpenAIWire.ToResponse(response, Model, Context);
    }

    protected override async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await PostForStreamAsync(Endpoint, OpenAIWire.BuildRequest(messages, options, BodyModel, stream: true), ProviderJson.Snake.OaiRequest,
            cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var update in OpenAIWire.ReadStreamAsync(stream, Model, Context, cancellationToken).ConfigureAwait(false))
            yield return update;
    }
}
