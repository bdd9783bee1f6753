using Axon.Runtime.Execution;
using Axon.Runtime.Routing;
using Axon.Runtime.State;
using Axon.Runtime.Tools;
using Microsoft.Extensions.Configuration;

namespace Axon.Runtime.Hosting;

/// <summary>
/// The <c>Axon</c> configuration section, as <c>services.AddAxon(configuration)</c> binds it:
/// <code>
/// "Axon": {
///   "Backend": "anthropic",                 // or openai, gemini, ollama, azure-openai, bedrock, custom, stub
///   "Model": "…",                           // overrides the backend's default model
///   "ChatClientKey": "…",                   // use the keyed IChatClient registered under this key
///   "OutputDirectory": "out",               // base of output_to paths
///   "ToolMode": "hybrid",                   // stub | real | hybrid
///   "Providers": { "anthropic": { "ApiKey": "…", "BaseUrl": "…", "Model": "…", "Timeout": "00:00:30" } },
///   "Routing": { "Strategy": "failover", "ProviderWeights": "openai:50,anthropic:50", "Providers": "openai,anthropic" },
///   "Tracing": { "EnableSensitiveData": false }
/// }
/// </code>
/// Values set in code (the <c>configure</c> callback) win over configuration; provider keys also come from the
/// environment variables the CLI reads (<c>ANTHROPIC_API_KEY</c>, …).
/// </summary>
public sealed class AxonOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Axon";

    /// <summary>The backend calls go to unless routing is configured or an <c>IChatClient</c> is registered.</summary>
    public string? Backend { get; set; }

    /// <summary>The model for the backend (its default when null).</summary>
    public string? Model { get; set; }

    /// <summary>The key of a keyed <c>IChatClient</c> service to use; null uses an unkeyed one when registered.</summary>
    public string? ChatClientKey { get; set; }

    /// <summary>When false, an <c>IChatClient</c> registered in the container is ignored and the backend is built.</summary>
    public bool UseChatClientFromServices { get; set; } = true;

    /// <summary>The base directory of relative <c>output_to</c> paths (the process's working directory when null).</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>How <c>use</c> steps run tools.</summary>
    public ToolMode ToolMode { get; set; } = ToolMode.Hybrid;

    /// <summary>Routing across providers; set when the <c>Axon:Routing</c> section is present (or in code).</summary>
    public RoutingOptions? Routing { get; set; }

    /// <summary>Where hibernated runs and memories are kept (<c>Axon:State</c>; SQLite at <c>.axon/state.db</c> by default).</summary>
    public AxonStateOptions State { get; set; } = new();

    /// <summary>When true, prompts and outputs go onto the <c>chat</c> spans (off by default: they may hold personal data).</summary>
    public bool EnableSensitiveTelemetry { get; set; }

    /// <summary>The configuration these options were bound from; provider settings (<c>Axon:Providers</c>) are read from it too.</summary>
    public IConfiguration? Configuration { get; set; }

    /// <summary>Adjusts the runtime options built from these settings (tools, memory, stores, escalation hooks).</summary>
    public Action<AxonRunOptions>? ConfigureRun { get; set; }

    /// <summary>
    /// Reads the <c>Axon</c> section of <paramref name="configuration"/> into these options (keys that are absent
    /// leave the current values). Written out key by key rather than with the reflection binder, so it is trim- and
    /// AOT-safe. Errors name the setting (<c>Axon:ToolMode</c>, <c>Axon:Routing:…</c>).
    /// </summary>
    /// <exception cref="AxonConfigurationException">A value cannot be parsed.</exception>
    public AxonOptions BindFrom(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        Backend = NonEmpty(section["Backend"]) ?? Backend;
        Model = NonEmpty(section["Model"]) ?? Model;
        ChatClientKey = NonEmpty(section["ChatClientKey"]) ?? ChatClientKey;
        OutputDirectory = section["OutputDirectory"] ?? OutputDirectory;
        if (NonEmpty(section["UseChatClientFromServices"]) is { } useServices)
            UseChatClientFromServices = bool.TryParse(useServices, out var b) ? b
                : throw new AxonConfigurationException("Axon:UseChatClientFromServices", $"expected true or false, got '{useServices}'");
        if (NonEmpty(section["ToolMode"]) is { } mode)
            ToolMode = mode.Trim().ToLowerInvariant() switch
            {
                "stub" => ToolMode.Stub,
                "real" => ToolMode.Real,
                "hybrid" => ToolMode.Hybrid,
                _ => throw new AxonConfigurationException("Axon:ToolMode", $"expected stub, real or hybrid, got '{mode}'"),
            };
        if (NonEmpty(section.GetSection("Tracing")["EnableSensitiveData"]) is { } sensitive)
            EnableSensitiveTelemetry = bool.TryParse(sensitive, out var s) ? s
                : throw new AxonConfigurationException("Axon:Tracing:EnableSensitiveData", $"expected true or false, got '{sensitive}'");
        if (section.GetSection("State").GetChildren().Any())
        {
            try
            {
                State = AxonStateOptions.FromConfiguration(configuration);
            }
            catch (AxonStateStoreException ex)
            {
                throw new AxonConfigurationException(ex.Setting, ex.Message);
            }
        }
        if (section.GetSection("Routing").GetChildren().Any())
        {
            try
            {
                Routing = RoutingOptions.FromConfiguration(configuration);
            }
            catch (RoutingConfigurationException ex)
            {
                throw new AxonConfigurationException(ex.Setting, ex.Message);
            }
        }
        return this;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>An <c>Axon</c> setting that cannot be used; the message names the setting.</summary>
public sealed class AxonConfigurationException : Exception
{
    /// <summary>Creates the error for <paramref name="setting"/>.</summary>
    public AxonConfigurationException(string setting, string message)
        : base(message.Contains(setting, StringComparison.Ordinal) ? message : $"{setting}: {message}") => Setting = setting;

    /// <summary>The setting's configuration key (<c>Axon:Backend</c>, …).</summary>
    public string Setting { get; }
}
