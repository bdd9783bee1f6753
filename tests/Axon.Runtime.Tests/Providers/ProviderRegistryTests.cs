using Axon.Runtime.Providers;
using Axon.Runtime.Tests.Providers.Emulators;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Axon.Runtime.Tests.Providers;

public sealed class ProviderRegistryTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars)
    {
        var d = vars.ToDictionary(v => v.Name, v => v.Value);
        return name => d.GetValueOrDefault(name);
    }

    private static readonly Func<string, string?> NoEnv = _ => null;

    [Fact]
    public void Known_backends_are_the_seven_http_backends()
    {
        var registry = AxonProviderRegistry.CreateDefault();
        Assert.Equal(["anthropic", "azure-openai", "bedrock", "custom", "gemini", "ollama", "openai"], registry.KnownBackends);
    }

    [Fact]
    public void An_unknown_backend_is_a_configuration_error_with_the_seed_text()
    {
        var e = Assert.Throws<AxonProviderException>(() => AxonProviderRegistry.CreateDefault().Create("x", environment: NoEnv));
        Assert.Equal("Backend error: Unknown backend 'x'", e.Message);
        Assert.Equal(ProviderErrorKind.Configuration, e.Kind);
        Assert.False(e.IsTransient);
    }

    [Theory]
    [InlineData("anthropic", "ANTHROPIC_API_KEY")]
    [InlineData("openai", "OPENAI_API_KEY")]
    [InlineData("custom", "AXON_CUSTOM_API_KEY")]
    public void A_key_with_a_line_break_is_refused_without_quoting_it(string backend, string variable)
    {
        // Keys are sent as raw header values; a line break would let them inject headers.
        var options = new AxonProviderOptions { ApiKey = "sk-secret-0123456789\r\nX-Injected: 1", BaseUrl = "http://127.0.0.1:9/v1", Model = "m" };
        var e = Assert.Throws<AxonProviderException>(() => AxonProviderRegistry.CreateDefault().Create(backend, options, environment: NoEnv));
        Assert.Equal(ProviderErrorKind.Configuration, e.Kind);
        Assert.Equal($"Backend error: {variable} contains a line break", e.Message);
        Assert.DoesNotContain("sk-secret", e.ToString());
    }

    [Theory]
    [InlineData("anthropic", "ANTHROPIC_API_KEY")]
    [InlineData("openai", "OPENAI_API_KEY")]
    [InlineData("gemini", "API_KEY_GEMINI")]
    [InlineData("azure-openai", "AZURE_OPENAI_API_KEY")]
    [InlineData("bedrock", "AWS_BEARER_TOKEN_BEDROCK")]
    public void A_missing_key_names_its_variable(string backend, string variable)
    {
        var registry = AxonProviderRegistry.CreateDefault();
        var e = Assert.Throws<AxonProviderException>(() => registry.Create(backend, environment: NoEnv));
        Assert.Equal($"Backend error: {variable} not set", e.Message);
        Assert.Equal(ProviderErrorKind.Configuration, e.Kind);
        Assert.False(registry.IsConfigured(backend, environment: NoEnv));
    }

    [Fact]
    public void Missing_endpoints_and_models_are_named_too()
    {
        var registry = AxonProviderRegistry.CreateDefault();
        Assert.Equal("Backend error: AZURE_OPENAI_ENDPOINT not set",
            Assert.Throws<AxonProviderException>(() => registry.Create("azure-openai", environment: Env(("AZURE_OPENAI_API_KEY", "k")))).Message);
        Assert.Equal("Backend error: AXON_AZURE_OPENAI_MODEL not set",
            Assert.Throws<AxonProviderException>(() => registry.Create("azure-openai",
                environment: Env(("AZURE_OPENAI_API_KEY", "k"), ("AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com")))).Message);
        Assert.Equal("Backend error: AXON_CUSTOM_BASE_URL not set",
            Assert.Throws<AxonProviderException>(() => registry.Create("custom", environment: NoEnv)).Message);
        Assert.Equal("Backend error: AXON_CUSTOM_MODEL not set",
            Assert.Throws<AxonProviderException>(() => registry.Create("custom", environment: Env(("AXON_CUSTOM_BASE_URL", "http://127.0.0.1:1/v1")))).Message);
    }

    [Fact]
    public void Ollama_needs_no_key_and_defaults_to_localhost()
    {
        var registry = AxonProviderRegistry.CreateDefault();
        var o = registry.ResolveOptions("ollama", environment: NoEnv);
        Assert.Equal("http://localhost:11434", o.BaseUrl);
        Assert.Equal("llama3.1", o.Model);
        Assert.True(registry.IsConfigured("ollama", environment: NoEnv));
        using var client = registry.Create("ollama", environment: NoEnv);
        Assert.Equal("ollama", client.GetService<ChatClientMetadata>()?.ProviderName);
        Assert.Equal(new Uri("http://localhost:11434/api/chat"), client.GetService<ChatClientMetadata>()?.ProviderUri);
    }

    [Theory]
    [InlineData("anthropic", "claude-sonnet-4-6", "https://api.anthropic.com")]
    [InlineData("openai", "gpt-5.4", "https://api.openai.com/v1")]
    [InlineData("gemini", "gemini-3.5-flash", "https://generativelanguage.googleapis.com")]
    [InlineData("bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "https://bedrock-runtime.us-east-1.amazonaws.com")]
    public void Defaults_follow_the_seed_table(string backend, string model, string baseUrl)
    {
        var o = AxonProviderRegistry.CreateDefault().ResolveOptions(backend, environment: NoEnv);
        Assert.Equal(model, o.Model);
        Assert.Equal(baseUrl, o.BaseUrl);
    }

    [Fact]
    public void Environment_overrides_model_base_url_and_region()
    {
        var registry = AxonProviderRegistry.CreateDefault();
        var env = Env(("AXON_OPENAI_MODEL", "gpt-4o"), ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"), ("GEMINI_API_KEY", "g-key"),
            ("AWS_REGION", "eu-west-3"), ("AXON_AZURE_OPENAI_MODEL", "dep1"), ("AZURE_OPENAI_API_VERSION", "2025-01-01-preview"));
        Assert.Equal("gpt-4o", registry.ResolveOptions("openai", environment: env).Model);
        Assert.Equal("http://127.0.0.1:9/v1", registry.ResolveOptions("openai", environment: env).BaseUrl);
        Assert.Equal("g-key", registry.ResolveOptions("gemini", environment: env).ApiKey); // GEMINI_API_KEY is accepted too
        Assert.Equal("https://bedrock-runtime.eu-west-3.amazonaws.com", registry.ResolveOptions("bedrock", environment: env).BaseUrl);
        Assert.Equal("dep1", registry.ResolveOptions("azure-openai", environment: env).Model);
        Assert.Equal("2025-01-01-preview", registry.ResolveOptions("azure-openai", environment: env).ApiVersion);
    }

    [Fact]
    public void Code_beats_configuration_beats_environment()
    {
        var registry = AxonProviderRegistry.CreateDefault();
        var config = new DictionaryConfiguration(new()
        {
            ["Axon:Providers:anthropic:Model"] = "from-config",
            ["Axon:Providers:anthropic:ApiKey"] = "config-key",
            ["Axon:Providers:anthropic:BaseUrl"] = "http://127.0.0.1:7",
            ["Axon:Providers:anthropic:Timeout"] = "00:00:05",
        });
        var env = Env(("AXON_ANTHROPIC_MODEL", "from-env"), ("ANTHROPIC_API_KEY", "env-key"));

        var fromConfig = registry.ResolveOptions("anthropic", configuration: config, environment: env);
        Assert.Equal("from-config", fromConfig.Model);
        Assert.Equal("config-key", fromConfig.ApiKey);
        Assert.Equal("http://127.0.0.1:7", fromConfig.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(5), fromConfig.Timeout);

        var fromCode = registry.ResolveOptions("anthropic", new AxonProviderOptions { Model = "from-code" }, config, env);
        Assert.Equal("from-code", fromCode.Model);
        Assert.Equal("config-key", fromCode.ApiKey);

        var fromEnv = registry.ResolveOptions("anthropic", environment: env);
        Assert.Equal("from-env", fromEnv.Model);
        Assert.Equal("env-key", fromEnv.ApiKey);
    }

    [Fact]
    public async Task The_model_override_reaches_the_wire()
    {
        await using var emulator = new OllamaEmulator();
        var env = emulator.Environment();
        env["AXON_OLLAMA_MODEL"] = "qwen2.5";
        using var client = AxonProviderRegistry.CreateDefault().Create("ollama", environment: env.GetValueOrDefault);

        // The emulator insists on llama3.1, so the overridden model is refused with its reason.
        var e = await Assert.ThrowsAsync<AxonProviderException>(() =>
            client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), TestContext.Current.CancellationToken));
        Assert.Contains("model llama3.1", e.Message);
        Assert.Equal("qwen2.5", Assert.Single(emulator.Server.Requests).Json().GetProperty("model").GetString());
    }

    [Fact]
    public async Task Another_backend_can_be_registered_by_name()
    {
        var registry = AxonProviderRegistry.CreateDefault();
        AxonProviderOptions? seen = null;
        registry.Register("stub", o =>
        {
            seen = o;
            return new EchoClient();
        });

        Assert.Contains("stub", registry.KnownBackends);
        Assert.True(registry.IsConfigured("stub", environment: NoEnv));
        using var client = registry.Create("stub", environment: NoEnv);
        var response = await client.GetResponseAsync("ping", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("echo: ping", response.Text);
        Assert.Null(seen?.Model);

        using var withModel = registry.Create("stub", environment: Env(("AXON_STUB_MODEL", "echo-1")));
        Assert.Equal("echo-1", seen?.Model);
    }

    private sealed class EchoClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "echo: " + messages.Last().Text)));

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>A minimal dictionary-backed <see cref="IConfiguration"/> (keys separated by ':').</summary>
    internal sealed class DictionaryConfiguration(Dictionary<string, string?> values, string prefix = "") : IConfigurationSection
    {
        public string? this[string key]
        {
            get => values.GetValueOrDefault(Combine(key));
            set => values[Combine(key)] = value;
        }

        private string Combine(string key) => prefix.Length == 0 ? key : prefix + ":" + key;

        public IConfigurationSection GetSection(string key) => new DictionaryConfiguration(values, Combine(key));

        public IEnumerable<IConfigurationSection> GetChildren() =>
            values.Keys.Where(k => prefix.Length == 0 || k.StartsWith(prefix + ":", StringComparison.OrdinalIgnoreCase))
                .Select(k => (prefix.Length == 0 ? k : k[(prefix.Length + 1)..]).Split(':')[0])
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(GetSection);

        public IChangeToken GetReloadToken() => new CancellationChangeToken(CancellationToken.None);

        public string Key => prefix.Split(':')[^1];
        public string Path => prefix;
        public string? Value { get => values.GetValueOrDefault(prefix); set => values[prefix] = value; }
    }
}
