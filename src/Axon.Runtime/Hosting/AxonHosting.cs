using Axon.Runtime.Execution;
using Axon.Runtime.Providers;
using Axon.Runtime.Routing;
using Axon.Runtime.Stub;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Axon.Runtime.Hosting;

/// <summary>
/// Turns <see cref="AxonOptions"/> into the runtime's chat client and options: the keyed or unkeyed
/// <see cref="IChatClient"/> from the container when there is one, else a router over the configured providers
/// when routing is set, else the backend's provider client (the offline stub for <c>stub</c>).
/// </summary>
public static class AxonHosting
{
    /// <summary>The backend names accepted besides the registry's (the offline stub).</summary>
    private const string Stub = "stub";

    /// <summary>
    /// Registers <see cref="AxonOptions"/> (bound from <paramref name="configuration"/>, or from the container's
    /// <see cref="IConfiguration"/> when null), validated when the host starts, and the runtime built from them.
    /// Generated <c>AddAxon</c> methods call this with the project's <c>&lt;AxonBackend&gt;</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration holding the <c>Axon</c> section; null reads the container's.</param>
    /// <param name="defaultBackend">The backend when configuration names none.</param>
    /// <param name="configure">Settings in code; they win over configuration.</param>
    public static IServiceCollection AddAxonHosting(IServiceCollection services, IConfiguration? configuration, string defaultBackend,
        Action<AxonOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AxonOptions>()
            .Configure<IServiceProvider>((o, sp) =>
            {
                o.Backend ??= defaultBackend;
                o.Configuration = configuration ?? sp.GetService<IConfiguration>();
                if (o.Configuration is { } config) o.BindFrom(config);
                configure?.Invoke(o);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AxonOptions>, AxonOptionsValidator>());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AxonOptions>>().Value;
            return CreateRunOptions(sp, options, options.Configuration);
        });
        services.TryAddSingleton(sp => new AxonRuntime(sp.GetRequiredService<AxonRunOptions>()));
        return services;
    }

    /// <summary>Builds the runtime options for <paramref name="options"/> (the chat client included).</summary>
    public static AxonRunOptions CreateRunOptions(IServiceProvider services, AxonOptions options, IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var registry = AxonProviderRegistry.CreateDefault();
        var run = new AxonRunOptions
        {
            Backend = options.Backend ?? Stub,
            Model = options.Model,
            ToolMode = options.ToolMode,
            OutputDirectory = options.OutputDirectory,
            LoggerFactory = services.GetService<ILoggerFactory>(),
        };
        var fromServices = options.UseChatClientFromServices ? ServiceClient(services, options.ChatClientKey) : null;
        if (fromServices is not null)
        {
            run.ChatClient = fromServices;
        }
        else if (options.Routing is { } routing)
        {
            run.Backend = "routed";
            run.ChatClient = CreateRouter(registry, routing, configuration);
        }
        else if (!string.Equals(run.Backend, Stub, StringComparison.OrdinalIgnoreCase))
        {
            run.ChatClient = registry.Create(run.Backend, new AxonProviderOptions { Model = options.Model }, configuration);
        }
        // Opening creates nothing yet: the SQLite file, directory or tables appear when a flow first hibernates or remembers.
        var stores = options.State.Open();
        run.StateStore = stores.State;
        run.MemoryStore = stores.Memory;
        foreach (var secret in KeysOf(registry, configuration)) run.Secrets.Add(secret);
        options.ConfigureRun?.Invoke(run);
        if (options.EnableSensitiveTelemetry && run.ChatClient is { } inner && inner.GetService(typeof(OpenTelemetryChatClient)) is null)
            run.ChatClient = inner.AsBuilder().UseOpenTelemetry(run.LoggerFactory, Tracing.AxonTelemetry.Name, c => c.EnableSensitiveData = true).Build();
        return run;
    }

    /// <summary>A router over the providers routing names (or every configured one); see <see cref="RoutedClientFactory.Create"/>.</summary>
    /// <exception cref="AxonConfigurationException">No provider is configured, or one is unknown or malformed.</exception>
    public static IChatClient CreateRouter(AxonProviderRegistry registry, RoutingOptions routing, IConfiguration? configuration,
        IRoutingDecisionSink? sink = null)
    {
        try
        {
            return RoutedClientFactory.Create(registry, routing, configuration, decisionSink: sink);
        }
        catch (RoutedClientException ex)
        {
            throw new AxonConfigurationException(ex.Setting, ex.Message);
        }
    }

    internal static IChatClient? ServiceClient(IServiceProvider services, string? key) =>
        key is null ? services.GetService<IChatClient>() : services.GetKeyedService<IChatClient>(key);

    internal static bool HasServiceClient(IServiceProvider services, string? key)
    {
        if (services.GetService<IServiceProviderIsService>() is IServiceProviderIsKeyedService keyed && key is not null)
            return keyed.IsKeyedService(typeof(IChatClient), key);
        if (services.GetService<IServiceProviderIsService>() is { } isService && key is null)
            return isService.IsService(typeof(IChatClient));
        return ServiceClient(services, key) is not null;
    }

    private static IEnumerable<string> KeysOf(AxonProviderRegistry registry, IConfiguration? configuration)
    {
        foreach (var name in registry.KnownBackends)
        {
            var key = registry.ResolveOptions(name, configuration: configuration).ApiKey;
            if (key is { Length: >= 4 }) yield return key;
        }
    }
}

/// <summary>
/// Checks <see cref="AxonOptions"/> when the host starts (<c>ValidateOnStart</c>), so a missing key or an unknown
/// backend stops the app at start with the seed's message and the setting's name, not at the first request.
/// </summary>
internal sealed class AxonOptionsValidator(IServiceProvider services) : IValidateOptions<AxonOptions>
{
    public ValidateOptionsResult Validate(string? name, AxonOptions options)
    {
        var configuration = options.Configuration;
        if (options.UseChatClientFromServices && AxonHosting.HasServiceClient(services, options.ChatClientKey))
            return ValidateOptionsResult.Success;
        if (options.ChatClientKey is { } key && options.UseChatClientFromServices)
            return ValidateOptionsResult.Fail($"Axon:ChatClientKey: no IChatClient is registered under the key '{key}'");
        var registry = AxonProviderRegistry.CreateDefault();
        try
        {
            if (options.Routing is { } routing)
            {
                AxonHosting.CreateRouter(registry, routing, configuration).Dispose();
                return ValidateOptionsResult.Success;
            }
            var backend = options.Backend ?? "stub";
            if (string.Equals(backend, "stub", StringComparison.OrdinalIgnoreCase)) return ValidateOptionsResult.Success;
            if (!registry.IsKnown(backend))
                return ValidateOptionsResult.Fail($"Axon:Backend: Backend error: Unknown backend '{backend}'. Available: {string.Join(", ", registry.KnownBackends.Append("stub").Order(StringComparer.Ordinal))}");
            registry.Create(backend, new AxonProviderOptions { Model = options.Model }, configuration).Dispose();
            return ValidateOptionsResult.Success;
        }
        catch (AxonProviderException ex)
        {
            return ValidateOptionsResult.Fail($"{SettingOf(ex.Message, ex.Provider)}{ex.Message}");
        }
        catch (Exception ex) when (ex is AxonConfigurationException or RoutingConfigurationException)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }

    // "Backend error: ANTHROPIC_API_KEY not set" is the seed's text; the configuration key that also sets it goes in front.
    private static string SettingOf(string message, string provider) =>
        message.Contains("_KEY", StringComparison.Ordinal) || message.Contains("TOKEN", StringComparison.Ordinal) ? $"Axon:Providers:{provider}:ApiKey: "
        : message.Contains("_URL", StringComparison.Ordinal) || message.Contains("ENDPOINT", StringComparison.Ordinal) || message.Contains("HOST", StringComparison.Ordinal) ? $"Axon:Providers:{provider}:BaseUrl: "
        : message.Contains("_MODEL", StringComparison.Ordinal) ? $"Axon:Providers:{provider}:Model: "
        : "";
}
