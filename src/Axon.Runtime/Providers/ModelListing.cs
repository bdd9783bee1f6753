using Microsoft.Extensions.AI;

namespace Axon.Runtime.Providers;

/// <summary>A provider client that can list the models its key may use (each provider's list-models endpoint).</summary>
public interface IAxonModelLister
{
    /// <summary>
    /// The model ids the key can use: Anthropic and OpenAI <c>GET /v1/models</c>, Gemini <c>GET /v1beta/models</c>,
    /// Ollama <c>GET /api/tags</c>, Bedrock <c>GET /foundation-models</c> (ListFoundationModels, where the key allows),
    /// Azure <c>GET /openai/models</c>, custom <c>GET {base}/models</c>. Failures are <see cref="AxonProviderException"/>s.
    /// </summary>
    Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default);
}

/// <summary>Lists models through any client the registry created.</summary>
public static class AxonModels
{
    /// <summary>The models <paramref name="client"/>'s key can use; throws when the client cannot list them.</summary>
    public static Task<IReadOnlyList<string>> ListAsync(IChatClient client, CancellationToken cancellationToken = default) =>
        client.GetService(typeof(IAxonModelLister)) is IAxonModelLister lister
            ? lister.ListModelsAsync(cancellationToken)
            : throw new AxonProviderException(client.GetService<ChatClientMetadata>()?.ProviderName ?? "", ProviderErrorKind.Configuration,
                "Backend error: this backend has no list-models endpoint");

    /// <summary>True when a failure says the requested model does not exist (or is not available to the key).</summary>
    public static bool IsModelNotFound(AxonProviderException e) =>
        e.Kind == ProviderErrorKind.NotFound
        || e.Kind == ProviderErrorKind.BadRequest && e.Message.Contains("model", StringComparison.OrdinalIgnoreCase)
           && (e.Message.Contains("not found", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
               || e.Message.Contains("identifier is invalid", StringComparison.OrdinalIgnoreCase));

    internal const int MaxListed = 40;

    /// <summary>
    /// The same failure, its message naming the model and listing the models the key can use (when the
    /// provider's list answers within a few seconds; otherwise the original failure).
    /// </summary>
    internal static async Task<AxonProviderException> WithModelListAsync(AxonProviderException e, string model, IAxonModelLister lister,
        CancellationToken cancellationToken)
    {
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(TimeSpan.FromSeconds(10));
            var models = await lister.ListModelsAsync(cts.Token).ConfigureAwait(false);
            var shown = models.Count > MaxListed ? string.Join(", ", models.Take(MaxListed)) + $", … ({models.Count} in all)" : string.Join(", ", models);
            var list = models.Count == 0 ? "the key can use no models" : "models this key can use: " + shown;
            return new AxonProviderException(e.Provider, ProviderErrorKind.NotFound,
                $"{e.Message} — model '{model}' was not found; {list} (axon models -b {e.Provider})", e.StatusCode, e.RetryAfter, e);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return new AxonProviderException(e.Provider, ProviderErrorKind.NotFound, $"{e.Message} — model '{model}' was not found", e.StatusCode, e.RetryAfter, e);
        }
    }
}
