using Axon.Runtime.Providers;
using Axon.Runtime.Stub;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;

namespace Axon.Runtime.Routing;

/// <summary>Why <see cref="RoutedClientFactory.Create"/> could not build a router.</summary>
public enum RoutedClientProblem
{
    /// <summary>The allow-list names a backend the registry does not know.</summary>
    UnknownProvider,
    /// <summary>Routing is on but no provider is configured.</summary>
    NoProvider,
    /// <summary>A provider's settings are malformed (a base URL that is not a URL, …).</summary>
    MisconfiguredProvider,
}

/// <summary>
/// The routed client could not be built. <see cref="Exception.Message"/> is the user-facing text (the seed's
/// <c>Backend error: …</c> wording); <see cref="Setting"/> names the setting to fix, as the user wrote it.
/// A provider whose key is missing throws <see cref="AxonProviderException"/> instead, as when it is used alone.
/// </summary>
public sealed class RoutedClientException : Exception
{
    /// <summary>Creates the error.</summary>
    public RoutedClientException(RoutedClientProblem problem, string setting, string? provider, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Problem = problem;
        Setting = setting;
        Provider = provider;
    }

    /// <summary>What went wrong.</summary>
    public RoutedClientProblem Problem { get; }

    /// <summary>The setting to fix (<c>LLM_PROVIDERS</c>, <c>Axon:Routing:Providers</c>, <c>Axon:Providers:openai</c>, …).</summary>
    public string Setting { get; }

    /// <summary>The provider concerned, when there is one.</summary>
    public string? Provider { get; }
}

/// <summary>
/// Builds the router over the providers that routing names, or over every configured one when the allow-list is
/// unset. The CLI (environment) and hosting (configuration) share it, so both pick the same providers in the same
/// order and fail with the same messages.
/// </summary>
public static class RoutedClientFactory
{
    /// <summary>The offline stub, accepted in an allow-list although no registry creates it.</summary>
    public const string Stub = "stub";

    // The order backends are listed to users (and enumerated for routing); registered extras follow alphabetically.
    private static readonly string[] ListedOrder =
        [AxonBackends.Anthropic, AxonBackends.OpenAI, AxonBackends.Gemini, AxonBackends.Ollama, AxonBackends.AzureOpenAI, AxonBackends.Bedrock, AxonBackends.Custom];

    /// <summary>
    /// Creates the router. Providers come from <see cref="RoutingOptions.AllowedProviders"/> (trimmed, first spelling
    /// wins), else every backend <paramref name="registry"/> considers configured; Ollama needs no key, so without an
    /// allow-list it counts only when its base URL is set (configuration or environment), and comes last.
    /// </summary>
    /// <param name="registry">Creates each provider's client.</param>
    /// <param name="routing">Strategy, weights, allow-list, …; <see cref="RoutingOptions.Source"/> decides how settings are named in errors.</param>
    /// <param name="configuration">Provider settings (<c>Axon:Providers:&lt;name&gt;</c>); null for none.</param>
    /// <param name="environment">Reads environment variables; null reads the process environment.</param>
    /// <param name="priceTable">Model prices for cost routing; null uses the router's default.</param>
    /// <param name="decisionSink">Receives each routing decision (traces); null for none.</param>
    /// <exception cref="RoutedClientException">An unknown or malformed provider, or none configured.</exception>
    /// <exception cref="AxonProviderException">A listed provider's key or endpoint is missing.</exception>
    /// <exception cref="RoutingConfigurationException">The routing options are inconsistent with the providers (weights for an unlisted one, …).</exception>
    public static ProviderRoutingChatClient Create(AxonProviderRegistry registry, RoutingOptions routing, IConfiguration? configuration = null,
        Func<string, string?>? environment = null, IModelPriceTable? priceTable = null, IRoutingDecisionSink? decisionSink = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(routing);
        environment ??= Environment.GetEnvironmentVariable;
        var listed = Listed(registry);
        var names = routing.AllowedProviders is { Count: > 0 } allowed
            ? allowed.Select(n => n.Trim())
            : listed.Where(n => n != AxonBackends.Ollama && registry.IsConfigured(n, configuration: configuration, environment: environment))
                .Concat(registry.IsKnown(AxonBackends.Ollama) && HasBaseUrl(registry, AxonBackends.Ollama, configuration, environment) ? [AxonBackends.Ollama] : []);
        var clients = new List<KeyValuePair<string, IChatClient>>();
        try
        {
            foreach (var name in names)
            {
                if (clients.Any(c => string.Equals(c.Key, name, StringComparison.OrdinalIgnoreCase))) continue;
                if (name == Stub) { clients.Add(new(Stub, new StubChatClient())); continue; }
                if (!registry.IsKnown(name))
                    throw new RoutedClientException(RoutedClientProblem.UnknownProvider, routing.SettingName(nameof(RoutingOptions.AllowedProviders)), name,
                        $"Backend error: Unknown backend '{name}'. Available: {string.Join(", ", listed.Append(Stub))}");
                clients.Add(new(name, CreateOne(registry, name, routing, configuration, environment)));
            }
            if (clients.Count == 0)
                throw new RoutedClientException(RoutedClientProblem.NoProvider, routing.SettingName(nameof(RoutingOptions.AllowedProviders)), null,
                    routing.Source == RoutingSettingSource.Environment
                        ? "Backend error: routing is on (LLM_ROUTING_STRATEGY/LLM_PROVIDERS) but no provider is configured; set a provider key or LLM_PROVIDERS"
                        : $"Backend error: routing is on but no provider is configured; set a provider key or {routing.SettingName(nameof(RoutingOptions.AllowedProviders))}");
            return new ProviderRoutingChatClient(clients, routing, priceTable: priceTable, decisionSink: decisionSink);
        }
        catch
        {
            // The router owns the clients only once it exists; before that they are ours to release.
            foreach (var c in clients) c.Value.Dispose();
            throw;
        }
    }

    private static IChatClient CreateOne(AxonProviderRegistry registry, string name, RoutingOptions routing, IConfiguration? configuration,
        Func<string, string?> environment)
    {
        try
        {
            return registry.Create(name, configuration: configuration, environment: environment);
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException or FormatException)
        {
            // A malformed base URL or setting: say which backend, never echo the key.
            var setting = routing.Source == RoutingSettingSource.Configuration ? $"{AxonProviderRegistry.ConfigurationSection}:{name}" : name;
            throw new RoutedClientException(RoutedClientProblem.MisconfiguredProvider, setting, name, $"Backend error: {name} is misconfigured: {ex.Message}", ex);
        }
    }

    private static string[] Listed(AxonProviderRegistry registry)
    {
        var known = registry.KnownBackends;
        return ListedOrder.Where(registry.IsKnown).Concat(known.Where(n => Array.IndexOf(ListedOrder, n) < 0)).ToArray();
    }

    private static bool HasBaseUrl(AxonProviderRegistry registry, string name, IConfiguration? configuration, Func<string, string?> environment) =>
        !string.IsNullOrEmpty(configuration?.GetSection(AxonProviderRegistry.ConfigurationSection).GetSection(name)["BaseUrl"])
        || registry.GetDescriptor(name).BaseUrlVariables.Any(v => !string.IsNullOrEmpty(environment(v)));
}
