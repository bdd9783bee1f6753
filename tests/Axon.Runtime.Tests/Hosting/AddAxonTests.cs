using Axon.Runtime.Execution;
using Axon.Runtime.Hosting;
using Axon.Runtime.Model;
using Axon.Runtime.Routing;
using Axon.Runtime.Tests.Support;
using Axon.Runtime.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Axon.Runtime.Tests.Hosting;

/// <summary><c>AddAxon(configuration)</c>: one <c>Axon</c> section, validated when the host starts.</summary>
public sealed class AddAxonTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static IHost Host(IConfiguration config, string defaultBackend = "stub", Action<IServiceCollection>? more = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(config);
        more?.Invoke(builder.Services);
        AxonHosting.AddAxonHosting(builder.Services, null, defaultBackend, null);
        return builder.Build();
    }

    [Fact]
    public void Every_documented_key_binds()
    {
        var options = new AxonOptions().BindFrom(Config(
            ("Axon:Backend", "openai"),
            ("Axon:Model", "gpt-test"),
            ("Axon:ChatClientKey", "fast"),
            ("Axon:UseChatClientFromServices", "false"),
            ("Axon:OutputDirectory", "out"),
            ("Axon:ToolMode", "real"),
            ("Axon:Tracing:EnableSensitiveData", "true"),
            ("Axon:Routing:Strategy", "failover"),
            ("Axon:Routing:ProviderWeights", "openai:60,anthropic:40"),
            ("Axon:Routing:DefaultProvider", "anthropic"),
            ("Axon:State:Provider", "file"),
            ("Axon:State:Path", "state-dir")));
        Assert.Equal("openai", options.Backend);
        Assert.Equal("gpt-test", options.Model);
        Assert.Equal("fast", options.ChatClientKey);
        Assert.False(options.UseChatClientFromServices);
        Assert.Equal("out", options.OutputDirectory);
        Assert.Equal(ToolMode.Real, options.ToolMode);
        Assert.True(options.EnableSensitiveTelemetry);
        Assert.NotNull(options.Routing);
        Assert.Equal(RoutingStrategyKind.Failover, options.Routing!.Strategy);
        Assert.Equal(60m, options.Routing.Weights["openai"]);
        Assert.Equal("anthropic", options.Routing.DefaultProvider);
        Assert.Equal(Axon.Runtime.State.AxonStateProvider.File, options.State.Provider);
        Assert.Equal("state-dir", options.State.Path);
    }

    [Fact]
    public void The_state_section_chooses_the_runtimes_stores()
    {
        using var dir = new TempDirectory();
        var services = new ServiceCollection();
        AxonHosting.AddAxonHosting(services, Config(("Axon:State:Provider", "file"), ("Axon:State:Path", dir.Path)), "stub", null);
        using var sp = services.BuildServiceProvider();
        var run = sp.GetRequiredService<AxonRunOptions>();
        Assert.IsType<Axon.Runtime.State.FileSystemExecutionStateStore>(run.StateStore);
        var bad = Assert.Throws<AxonConfigurationException>(() => new AxonOptions().BindFrom(Config(("Axon:State:Provider", "floppy"))));
        Assert.Contains("Axon:State:Provider", bad.Message);
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("axon-hosting-").FullName;
        public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
    }

    [Fact]
    public void Provider_settings_in_the_section_build_the_backends_client()
    {
        using var host = Host(Config(("Axon:Backend", "ollama"), ("Axon:Providers:ollama:BaseUrl", "http://127.0.0.1:1"),
            ("Axon:Providers:ollama:Model", "llama-test")));
        var run = host.Services.GetRequiredService<AxonRunOptions>();
        Assert.Equal("ollama", run.Backend);
        var meta = run.ChatClient!.GetService<ChatClientMetadata>();
        Assert.Equal("llama-test", meta!.DefaultModelId);
        Assert.Equal("http://127.0.0.1:1/", meta.ProviderUri!.GetLeftPart(UriPartial.Authority) + "/");
    }

    [Theory]
    [InlineData("toolmode", "Axon:ToolMode")]
    [InlineData("tracing", "Axon:Tracing:EnableSensitiveData")]
    [InlineData("weights", "ProviderWeights")]
    public void A_bad_value_names_its_setting(string which, string setting)
    {
        var config = which switch
        {
            "toolmode" => Config(("Axon:ToolMode", "sometimes")),
            "tracing" => Config(("Axon:Tracing:EnableSensitiveData", "maybe")),
            _ => Config(("Axon:Routing:ProviderWeights", "openai:lots")),
        };
        var ex = Assert.Throws<AxonConfigurationException>(() => new AxonOptions().BindFrom(config));
        Assert.Contains(setting, ex.Message);
    }

    [Fact]
    public async Task A_missing_key_fails_the_host_at_start_with_the_seeds_message()
    {
        using var host = Host(Config(("Axon:Backend", "azure-openai"), ("Axon:Providers:azure-openai:BaseUrl", "https://example.invalid")));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("Backend error: AZURE_OPENAI_API_KEY not set", ex.Message);
        Assert.Contains("Axon:Providers:azure-openai:ApiKey", ex.Message);
    }

    [Fact]
    public async Task An_unknown_backend_fails_the_host_at_start()
    {
        using var host = Host(Config(("Axon:Backend", "antropic")));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("Axon:Backend: Backend error: Unknown backend 'antropic'", ex.Message);
    }

    [Fact]
    public async Task Bad_routing_weights_fail_the_host_at_start()
    {
        // Binding happens when the options are first built, i.e. during start-up validation.
        using var host = Host(Config(("Axon:Routing:ProviderWeights", "openai:-5")));
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(Ct));
        Assert.Contains("Axon:Routing:ProviderWeights", ex.Message);
    }

    [Fact]
    public async Task A_registered_chat_client_is_used_and_needs_no_key()
    {
        var client = new ScriptedChatClient(_ => "from the container");
        using var host = Host(Config(("Axon:Backend", "anthropic")), "anthropic", s => s.AddSingleton<IChatClient>(client));
        await host.StartAsync(Ct);
        var runtime = host.Services.GetRequiredService<AxonRuntime>();
        var r = await runtime.RunAsync(new FlowDefinition("F", [new StepNode("A") { Ask = "a" }]), new Dictionary<string, object?>(), Ct);
        Assert.Equal("from the container", r.Output);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task A_keyed_chat_client_is_used_when_the_section_names_its_key()
    {
        var plain = new ScriptedChatClient(_ => "plain");
        var keyed = new ScriptedChatClient(_ => "keyed");
        using var host = Host(Config(("Axon:ChatClientKey", "fast")), more: s =>
        {
            s.AddSingleton<IChatClient>(plain);
            s.AddKeyedSingleton<IChatClient>("fast", keyed);
        });
        await host.StartAsync(Ct);
        var r = await host.Services.GetRequiredService<AxonRuntime>()
            .RunAsync(new FlowDefinition("F", [new StepNode("A") { Ask = "a" }]), new Dictionary<string, object?>(), Ct);
        Assert.Equal("keyed", r.Output);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task A_missing_keyed_client_fails_at_start()
    {
        using var host = Host(Config(("Axon:ChatClientKey", "nope"), ("Axon:Backend", "stub")));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("Axon:ChatClientKey", ex.Message);
    }

    [Fact]
    public async Task Routing_in_configuration_routes_across_the_listed_providers()
    {
        using var host = Host(Config(("Axon:Routing:Strategy", "round_robin"), ("Axon:Routing:Providers", "stub")));
        await host.StartAsync(Ct);
        var run = host.Services.GetRequiredService<AxonRunOptions>();
        Assert.Equal("routed", run.Backend);
        Assert.IsType<ProviderRoutingChatClient>(run.ChatClient);
        await host.StopAsync(Ct);
    }

    [Fact]
    public void Code_settings_win_over_configuration()
    {
        var services = new ServiceCollection();
        AxonHosting.AddAxonHosting(services, Config(("Axon:Backend", "openai"), ("Axon:OutputDirectory", "cfg")), "anthropic",
            o => { o.Backend = "stub"; o.OutputDirectory = "code"; });
        using var sp = services.BuildServiceProvider();
        var run = sp.GetRequiredService<AxonRunOptions>();
        Assert.Equal("stub", run.Backend);
        Assert.Equal("code", run.OutputDirectory);
    }
}
