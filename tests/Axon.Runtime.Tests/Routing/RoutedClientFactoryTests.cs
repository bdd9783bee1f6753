using Axon.Runtime.Providers;
using Axon.Runtime.Routing;
using Microsoft.Extensions.Configuration;

namespace Axon.Runtime.Tests.Routing;

/// <summary>One construction of the routed client for the CLI (environment) and hosting (configuration).</summary>
public sealed class RoutedClientFactoryTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Name, v => (string?)v.Value);
        return name => map.GetValueOrDefault(name);
    }

    [Fact]
    public void Without_an_allow_list_every_configured_provider_is_routed_in_listed_order_and_ollama_only_with_its_url_last()
    {
        var registry = AxonProviderRegistry.CreateDefault();
        var env = Env(("OPENAI_API_KEY", "sk-test-0123456789"), ("ANTHROPIC_API_KEY", "sk-ant-0123456789"), ("LLM_ROUTING_STRATEGY", "round_robin"));
        using (var router = RoutedClientFactory.Create(registry, RoutingOptions.FromEnvironment(env), environment: env))
            Assert.Equal(["anthropic", "openai"], router.Providers);

        var withOllama = Env(("OPENAI_API_KEY", "sk-test-0123456789"), ("OLLAMA_HOST", "http://127.0.0.1:1"));
        using (var router = RoutedClientFactory.Create(registry, RoutingOptions.FromEnvironment(withOllama), environment: withOllama))
            Assert.Equal(["openai", "ollama"], router.Providers);
    }

    [Fact]
    public void An_allow_list_routes_exactly_its_providers_and_accepts_the_stub()
    {
        // OpenAI has a key but is not listed: it is not routed.
        var env = Env(("LLM_PROVIDERS", "stub, ollama"), ("OPENAI_API_KEY", "sk-test-0123456789"));
        using var router = RoutedClientFactory.Create(AxonProviderRegistry.CreateDefault(), RoutingOptions.FromEnvironment(env), environment: env);
        Assert.Equal(["stub", "ollama"], router.Providers);
    }

    [Fact]
    public void Errors_name_the_setting_where_the_user_wrote_it()
    {
        var registry = AxonProviderRegistry.CreateDefault();
        var none = Env(("LLM_ROUTING_STRATEGY", "failover"));
        var empty = Assert.Throws<RoutedClientException>(() => RoutedClientFactory.Create(registry, RoutingOptions.FromEnvironment(none), environment: none));
        Assert.Equal(RoutedClientProblem.NoProvider, empty.Problem);
        Assert.Contains("LLM_ROUTING_STRATEGY/LLM_PROVIDERS", empty.Message);

        var unknown = Env(("LLM_PROVIDERS", "openai,mistral"), ("OPENAI_API_KEY", "sk-test-0123456789"));
        var ex = Assert.Throws<RoutedClientException>(() => RoutedClientFactory.Create(registry, RoutingOptions.FromEnvironment(unknown), environment: unknown));
        Assert.Equal((RoutedClientProblem.UnknownProvider, "LLM_PROVIDERS", "mistral"), (ex.Problem, ex.Setting, ex.Provider));
        Assert.StartsWith("Backend error: Unknown backend 'mistral'. Available: anthropic, openai, gemini, ollama,", ex.Message);

        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Axon:Routing:Strategy"] = "failover" }).Build();
        var fromConfig = Assert.Throws<RoutedClientException>(() =>
            RoutedClientFactory.Create(registry, RoutingOptions.FromConfiguration(config), config, environment: Env()));
        Assert.Equal("Axon:Routing:Providers", fromConfig.Setting);
        Assert.EndsWith("set a provider key or Axon:Routing:Providers", fromConfig.Message);
    }

    [Fact]
    public void A_missing_key_in_the_allow_list_is_the_providers_own_error()
    {
        var env = Env(("LLM_PROVIDERS", "anthropic"));
        var ex = Assert.Throws<AxonProviderException>(() =>
            RoutedClientFactory.Create(AxonProviderRegistry.CreateDefault(), RoutingOptions.FromEnvironment(env), environment: env));
        Assert.Contains("ANTHROPIC_API_KEY not set", ex.Message);
    }
}
