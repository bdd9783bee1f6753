using Axon.Runtime.Routing;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests.Routing;

public class ConfigurationTests
{
    private static readonly string[] Three = ["openai", "anthropic", "gemini"];

    [Fact]
    public void Environment_variables_bind_with_the_seed_names()
    {
        var o = Routers.Env(("LLM_ROUTING_STRATEGY", "Cost_Optimized"), ("PROVIDER_WEIGHTS", " openai:50, anthropic:30 ,gemini:20 "),
            ("DEFAULT_LLM_PROVIDER", "anthropic"), ("LLM_PROVIDERS", "openai,anthropic"), ("PROVIDER_COSTS", "ollama:0,openai:0.03"),
            ("LLM_FAILOVER_MAX_HOPS", "2"));
        Assert.Equal(RoutingStrategyKind.CostOptimized, o.Strategy);
        Assert.Equal(50m, o.Weights["OpenAI"]);
        Assert.Equal(20m, o.Weights["gemini"]);
        Assert.Equal("anthropic", o.DefaultProvider);
        Assert.Equal(["openai", "anthropic"], o.AllowedProviders!);
        Assert.Equal(0.03m, o.Costs["openai"]);
        Assert.Equal(2, o.MaxFailoverHops);
        Assert.Equal(RoutingStrategyKind.Weighted, Routers.Env().Strategy); // the seed's default
    }

    [Theory]
    [InlineData("LLM_ROUTING_STRATEGY", "fastest", "unknown routing strategy 'fastest'")]
    [InlineData("PROVIDER_WEIGHTS", "openai=50", "expected 'provider:weight' pairs")]
    [InlineData("PROVIDER_WEIGHTS", "openai:fifty", "must be a non-negative number")]
    [InlineData("PROVIDER_WEIGHTS", "openai:-1", "must be a non-negative number")]
    [InlineData("PROVIDER_WEIGHTS", "openai:1,openai:2", "listed twice")]
    [InlineData("PROVIDER_COSTS", "ollama", "expected 'provider:cost per 1K tokens' pairs")]
    [InlineData("LLM_FAILOVER_MAX_HOPS", "-3", "expected an integer")]
    public void Invalid_environment_values_name_the_variable(string variable, string value, string detail)
    {
        var error = Assert.Throws<RoutingConfigurationException>(() => Routers.Env((variable, value)));
        Assert.Equal(variable, error.Setting);
        Assert.StartsWith($"Routing configuration error: {variable}: ", error.Message);
        Assert.Contains(detail, error.Message);
    }

    [Theory]
    [InlineData("LLM_PROVIDERS", "openai,mistral")]
    [InlineData("PROVIDER_WEIGHTS", "openai:50,mistral:50")]
    [InlineData("DEFAULT_LLM_PROVIDER", "mistral")]
    [InlineData("PROVIDER_COSTS", "mistral:0.1")]
    public void Unknown_providers_name_the_setting_and_the_configured_ones(string variable, string value)
    {
        var error = Assert.Throws<RoutingConfigurationException>(() => Routers.Create(Routers.Env((variable, value)), Three));
        Assert.Equal(variable, error.Setting);
        Assert.Contains("unknown provider 'mistral' (configured: openai, anthropic, gemini)", error.Message);
    }

    [Fact]
    public void Cross_setting_errors_are_reported()
    {
        var primary = Assert.Throws<RoutingConfigurationException>(() =>
            Routers.Create(Routers.Env(("LLM_PROVIDERS", "openai"), ("DEFAULT_LLM_PROVIDER", "gemini")), Three));
        Assert.Equal("DEFAULT_LLM_PROVIDER", primary.Setting);
        Assert.Contains("not enabled by LLM_PROVIDERS", primary.Message);
        var zero = Assert.Throws<RoutingConfigurationException>(() =>
            Routers.Create(Routers.Env(("PROVIDER_WEIGHTS", "openai:0,anthropic:0")), Three));
        Assert.Equal("PROVIDER_WEIGHTS", zero.Setting);
    }

    [Fact]
    public void Configuration_section_binds_strings_and_child_keys()
    {
        var config = new MemoryConfiguration(new()
        {
            ["Axon:Routing:Strategy"] = "round_robin",
            ["Axon:Routing:ProviderWeights:openai"] = "5",
            ["Axon:Routing:ProviderWeights:gemini"] = "1",
            ["Axon:Routing:Providers:0"] = "openai",
            ["Axon:Routing:Providers:1"] = "gemini",
            ["Axon:Routing:ProviderCosts"] = "openai:0.03",
            ["Axon:Routing:BreakerOpenSeconds"] = "12.5",
            ["Axon:Routing:BreakerFailureThreshold"] = "3",
        });
        var o = RoutingOptions.FromConfiguration(config);
        Assert.Equal(RoutingStrategyKind.RoundRobin, o.Strategy);
        Assert.Equal(5m, o.Weights["openai"]);
        Assert.Equal(["openai", "gemini"], o.AllowedProviders!);
        Assert.Equal(0.03m, o.Costs["openai"]);
        Assert.Equal(TimeSpan.FromSeconds(12.5), o.BreakerOpenDuration);
        Assert.Equal(3, o.BreakerFailureThreshold);
    }

    [Fact]
    public void Configuration_and_code_errors_use_their_own_names()
    {
        var config = new MemoryConfiguration(new() { ["Axon:Routing:ProviderWeights"] = "openai;50" });
        var fromConfig = Assert.Throws<RoutingConfigurationException>(() => RoutingOptions.FromConfiguration(config));
        Assert.Equal("Axon:Routing:ProviderWeights", fromConfig.Setting);

        var unknown = new MemoryConfiguration(new() { ["Axon:Routing:Providers"] = "nope" });
        var e2 = Assert.Throws<RoutingConfigurationException>(() => Routers.Create(RoutingOptions.FromConfiguration(unknown), Three));
        Assert.Equal("Axon:Routing:Providers", e2.Setting);

        var code = new RoutingOptions { DefaultProvider = "nope" };
        Assert.Equal("RoutingOptions.DefaultProvider", Assert.Throws<RoutingConfigurationException>(() => Routers.Create(code, Three)).Setting);
        var hops = new RoutingOptions { MaxFailoverHops = -1 };
        Assert.Equal("RoutingOptions.MaxFailoverHops", Assert.Throws<RoutingConfigurationException>(() => Routers.Create(hops, Three)).Setting);
    }

    [Fact]
    public void Provider_list_itself_is_checked()
    {
        var fake = new FakeProvider("x");
        Assert.Throws<ArgumentException>(() => new ProviderRoutingChatClient([]));
        Assert.Throws<ArgumentException>(() => new ProviderRoutingChatClient(
            [new KeyValuePair<string, IChatClient>("a", fake), new KeyValuePair<string, IChatClient>("A", fake)]));
        var many = Enumerable.Range(0, 65).Select(i => new KeyValuePair<string, IChatClient>("p" + i, fake));
        Assert.Throws<ArgumentException>(() => new ProviderRoutingChatClient(many));
    }

    [Fact]
    public void Hints_of_the_wrong_type_are_rejected()
    {
        var bad = new ChatOptions { AdditionalProperties = new() { [RoutingHints.StrictProviderKey] = 3 } };
        Assert.Throws<ArgumentException>(() => RoutingHints.From(bad));
        var json = new ChatOptions
        {
            AdditionalProperties = new()
            {
                [RoutingHints.ProviderKey] = System.Text.Json.JsonDocument.Parse("\"gemini\"").RootElement,
                [RoutingHints.StrictProviderKey] = System.Text.Json.JsonDocument.Parse("true").RootElement,
            },
        };
        Assert.Equal(new RoutingHints("gemini", null, true), RoutingHints.From(json));
    }
}
