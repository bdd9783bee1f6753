using System.Net.Sockets;
using Axon.Language;
using Axon.Runtime.Providers;
using Axon.Runtime.Routing;
using Axon.Runtime.Stub;
using Microsoft.Extensions.AI;

namespace Axon.Cli.Running;

/// <summary>A backend (or routed set of backends) ready to run, and how to describe it to the user.</summary>
/// <param name="Backend">The name the runtime uses for prompt wording and prices (<c>routed</c> when routing).</param>
/// <param name="Client">The chat client.</param>
/// <param name="Description">One line saying what runs the program (and why, for <c>auto</c>).</param>
/// <param name="Synthetic">True when outputs are the offline stub's synthetic ones.</param>
/// <param name="RoutedProviders">The providers calls are routed across (empty when not routing).</param>
internal sealed record BackendChoice(string Backend, IChatClient Client, string Description, bool Synthetic, IReadOnlyList<string> RoutedProviders)
{
    /// <summary>The routing strategy name when routing.</summary>
    public string? Strategy { get; init; }
}

/// <summary>A backend that cannot be used, with the seed's message and the exit code.</summary>
internal sealed class BackendException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// Turns <c>-b</c> (or its absence) into a chat client: an explicit backend is a strict pin; <c>auto</c>
/// picks the first provider with a key, then a reachable Ollama, then the stub; no <c>-b</c> with routing
/// settings in the environment routes every call across the configured providers.
/// </summary>
internal static class BackendResolver
{
    /// <summary>The name accepted by <c>-b</c> besides the backends of product.md §6.</summary>
    public const string Auto = "auto";

    /// <summary>Backends tried by <c>auto</c> (and enumerated for routing) before Ollama and the stub.</summary>
    private static readonly string[] KeyedBackends =
        [AxonBackends.Anthropic, AxonBackends.OpenAI, AxonBackends.Gemini, AxonBackends.AzureOpenAI, AxonBackends.Bedrock, AxonBackends.Custom];

    /// <summary>How long <c>auto</c> and <c>-b ollama</c> wait for Ollama's port to accept a connection.</summary>
    public static TimeSpan OllamaProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(1500);

    public static bool IsAccepted(string name) => name == Auto || Backends.IsKnown(name);

    /// <summary>True when routing settings are present (<c>LLM_ROUTING_STRATEGY</c> or <c>LLM_PROVIDERS</c>).</summary>
    public static bool RoutingRequested(Func<string, string?> env) =>
        !string.IsNullOrWhiteSpace(env("LLM_ROUTING_STRATEGY")) || !string.IsNullOrWhiteSpace(env("LLM_PROVIDERS"));

    /// <summary>The values of every provider key variable that is set, so traces and messages can redact them.</summary>
    public static IEnumerable<string> Secrets(AxonProviderRegistry registry, Func<string, string?> env)
    {
        foreach (var name in registry.KnownBackends)
            foreach (var variable in registry.GetDescriptor(name).ApiKeyVariables)
                if (env(variable) is { Length: >= 4 } value)
                    yield return value;
    }

    public static async Task<BackendChoice> ResolveAsync(string? requested, AxonProviderRegistry registry, Func<string, string?> env,
        IModelPriceTable prices, IRoutingDecisionSink sink, CancellationToken ct)
    {
        if (requested is null && RoutingRequested(env)) return Routed(registry, env, prices, sink);
        var name = requested ?? Backends.Default;
        if (name == Auto) return await AutoAsync(registry, env, ct).ConfigureAwait(false);
        if (!Backends.IsKnown(name)) throw new BackendException(Backends.UnknownMessage(name), ExitCodes.Usage);
        if (name == AxonBackends.Stub)
            return new BackendChoice(name, new StubChatClient(), "stub (offline: outputs are synthetic, no model is called)", true, []);
        var client = Create(registry, name, env);
        if (name == AxonBackends.Ollama)
        {
            var uri = OllamaUri(registry, env);
            if (!await ReachableAsync(uri, ct).ConfigureAwait(false))
                throw new BackendException($"Backend error: Could not connect to Ollama at {uri.Host}:{uri.Port}", ExitCodes.Errors);
        }
        return new BackendChoice(name, client, Describe(registry, name, env), false, []);
    }

    private static async Task<BackendChoice> AutoAsync(AxonProviderRegistry registry, Func<string, string?> env, CancellationToken ct)
    {
        foreach (var name in KeyedBackends)
        {
            if (!registry.IsConfigured(name, environment: env)) continue;
            var d = registry.GetDescriptor(name);
            var why = d.ApiKeyVariables.FirstOrDefault(v => !string.IsNullOrEmpty(env(v))) ?? d.BaseUrlVariables.FirstOrDefault(v => !string.IsNullOrEmpty(env(v)));
            return new BackendChoice(name, Create(registry, name, env), $"{Describe(registry, name, env)} (auto: {why} is set)", false, []);
        }
        var uri = OllamaUri(registry, env);
        if (await ReachableAsync(uri, ct).ConfigureAwait(false))
            return new BackendChoice(AxonBackends.Ollama, Create(registry, AxonBackends.Ollama, env),
                $"{Describe(registry, AxonBackends.Ollama, env)} (auto: no provider key is set; Ollama answers at {uri.Host}:{uri.Port})", false, []);
        return new BackendChoice(AxonBackends.Stub, new StubChatClient(),
            $"stub (auto: no provider key is set and no Ollama at {uri.Host}:{uri.Port}; offline, outputs are synthetic)", true, []);
    }

    private static BackendChoice Routed(AxonProviderRegistry registry, Func<string, string?> env, IModelPriceTable prices, IRoutingDecisionSink sink)
    {
        RoutingOptions options;
        try
        {
            options = RoutingOptions.FromEnvironment(env);
        }
        catch (RoutingConfigurationException ex)
        {
            throw new BackendException("Routing configuration error: " + ex.Message, ExitCodes.Usage);
        }
        ProviderRoutingChatClient router;
        try
        {
            router = RoutedClientFactory.Create(registry, options, environment: env, priceTable: prices, decisionSink: sink);
        }
        catch (RoutingConfigurationException ex)
        {
            throw new BackendException("Routing configuration error: " + ex.Message, ExitCodes.Usage);
        }
        catch (RoutedClientException ex)
        {
            throw new BackendException(ex.Message, ex.Problem == RoutedClientProblem.UnknownProvider ? ExitCodes.Usage : ExitCodes.Errors);
        }
        catch (AxonProviderException ex)
        {
            throw new BackendException(ex.Message, ExitCodes.Errors);
        }
        var strategy = RoutingOptions.StrategyName(options.Strategy);
        var providers = router.Providers.ToArray();
        var synthetic = providers.All(p => p == AxonBackends.Stub);
        return new BackendChoice("routed", router, $"routed ({strategy}) across {string.Join(", ", providers)}", synthetic, providers) { Strategy = strategy };
    }

    private static IChatClient Create(AxonProviderRegistry registry, string name, Func<string, string?> env)
    {
        try
        {
            return registry.Create(name, environment: env);
        }
        catch (AxonProviderException ex)
        {
            throw new BackendException(ex.Message, ExitCodes.Errors);
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException or FormatException)
        {
            // A malformed base URL or setting: say which backend, never echo the key.
            throw new BackendException($"Backend error: {name} is misconfigured: {ex.Message}", ExitCodes.Errors);
        }
    }

    private static string Describe(AxonProviderRegistry registry, string name, Func<string, string?> env)
    {
        var o = registry.ResolveOptions(name, environment: env);
        return o.Model is { Length: > 0 } model ? $"{name} (model {model})" : name;
    }

    private static Uri OllamaUri(AxonProviderRegistry registry, Func<string, string?> env)
    {
        var url = registry.ResolveOptions(AxonBackends.Ollama, environment: env).BaseUrl ?? "http://localhost:11434";
        if (!url.Contains("://", StringComparison.Ordinal)) url = "http://" + url;
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : new Uri("http://localhost:11434");
    }

    /// <summary>Does the host accept a TCP connection within the probe timeout? Only the configured Ollama host is probed.</summary>
    private static async Task<bool> ReachableAsync(Uri uri, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(OllamaProbeTimeout);
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(uri.Host, uri.Port, cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
        {
            return false;
        }
    }
}
