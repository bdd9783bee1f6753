using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;

namespace Axon.Runtime.Providers;

/// <summary>
/// Static facts about a backend: its display name, the environment variables it reads, and its defaults.
/// </summary>
/// <param name="Name">The backend name used by <c>-b</c> and routing (anthropic, openai, …).</param>
/// <param name="DisplayName">How messages name the provider (<c>Could not connect to Ollama at …</c>).</param>
/// <param name="ApiKeyVariables">Key variables, first one preferred and named in the "not set" error.</param>
/// <param name="BaseUrlVariables">Base URL variables, first one preferred.</param>
/// <param name="DefaultBaseUrl">The default base URL (<c>{region}</c> is replaced for Bedrock), or null when one must be given.</param>
/// <param name="DefaultModel">The default model, or null when one must be given.</param>
/// <param name="RequiresApiKey">True when a call cannot succeed without a key.</param>
public sealed record AxonProviderDescriptor(
    string Name,
    string DisplayName,
    IReadOnlyList<string> ApiKeyVariables,
    IReadOnlyList<string> BaseUrlVariables,
    string? DefaultBaseUrl,
    string? DefaultModel,
    bool RequiresApiKey)
{
    /// <summary>Model override variables; <c>AXON_&lt;PROVIDER&gt;_MODEL</c> comes first.</summary>
    public IReadOnlyList<string> ModelVariables { get; init; } = [$"AXON_{Name.ToUpperInvariant().Replace('-', '_')}_MODEL"];

    /// <summary>Region variables (Bedrock).</summary>
    public IReadOnlyList<string> RegionVariables { get; init; } = [];

    /// <summary>API version variables (Azure OpenAI).</summary>
    public IReadOnlyList<string> ApiVersionVariables { get; init; } = [];

    /// <summary>Default region (Bedrock).</summary>
    public string? DefaultRegion { get; init; }

    /// <summary>Default API version (Azure OpenAI).</summary>
    public string? DefaultApiVersion { get; init; }

    /// <summary>True when a model (deployment) must be configured because there is no default (azure-openai, custom).</summary>
    public bool RequiresModel { get; init; }
}

/// <summary>
/// Creates <see cref="IChatClient"/>s by backend name. Holds the seven HTTP backends out of the box;
/// other backends (the offline <c>stub</c>, test doubles) are added with <see cref="Register(string, Func{AxonProviderOptions, IChatClient})"/>.
/// </summary>
/// <example>
/// <code>
/// var registry = AxonProviderRegistry.CreateDefault();
/// IChatClient fromEnv = registry.Create("anthropic");                      // ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, AXON_ANTHROPIC_MODEL
/// IChatClient fromCode = registry.Create("ollama", new AxonProviderOptions { BaseUrl = "http://127.0.0.1:11434" });
/// IChatClient fromConfig = registry.Create("gemini", configuration: config); // section Axon:Providers:gemini
/// </code>
/// </example>
public sealed class AxonProviderRegistry
{
    /// <summary>The configuration section holding one sub-section per backend.</summary>
    public const string ConfigurationSection = "Axon:Providers";

    private readonly ConcurrentDictionary<string, (AxonProviderDescriptor Descriptor, Func<AxonProviderOptions, IChatClient> Factory)> _entries =
        new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A registry with anthropic, openai, gemini, ollama, azure-openai, bedrock and custom.</summary>
    public static AxonProviderRegistry CreateDefault()
    {
        var registry = new AxonProviderRegistry();
        foreach (var (descriptor, factory) in BuiltInProviders.All)
            registry.Register(descriptor, factory);
        return registry;
    }

    /// <summary>
    /// Adds or replaces a backend that needs no key, endpoint or model (such as the offline <c>stub</c>).
    /// <c>AXON_&lt;NAME&gt;_MODEL</c> and the <c>Axon:Providers:&lt;name&gt;</c> section still apply.
    /// </summary>
    public void Register(string name, Func<AxonProviderOptions, IChatClient> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Register(new AxonProviderDescriptor(name, name, [], [], null, null, RequiresApiKey: false), factory);
    }

    /// <summary>Adds or replaces a backend. <paramref name="factory"/> receives fully resolved options.</summary>
    public void Register(AxonProviderDescriptor descriptor, Func<AxonProviderOptions, IChatClient> factory)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(factory);
        _entries[descriptor.Name] = (descriptor, factory);
    }

    /// <summary>The names of every registered backend, sorted.</summary>
    public IReadOnlyList<string> KnownBackends => _entries.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public bool IsKnown(string name) => _entries.ContainsKey(name);

    /// <summary>The descriptor of a backend; throws <c>Backend error: Unknown backend 'x'</c> when unknown.</summary>
    public AxonProviderDescriptor GetDescriptor(string name) => Lookup(name).Descriptor;

    /// <summary>
    /// Merges code options, configuration (<c>Axon:Providers:&lt;name&gt;</c>) and environment variables,
    /// in that order of precedence, and fills the provider's defaults.
    /// </summary>
    /// <param name="name">The backend name.</param>
    /// <param name="options">Options set in code (win over everything else).</param>
    /// <param name="configuration">Configuration root; may be null.</param>
    /// <param name="environment">Reads an environment variable; defaults to the process environment.</param>
    public AxonProviderOptions ResolveOptions(string name, AxonProviderOptions? options = null,
        IConfiguration? configuration = null, Func<string, string?>? environment = null)
    {
        var d = Lookup(name).Descriptor;
        environment ??= Environment.GetEnvironmentVariable;
        var section = configuration?.GetSection(ConfigurationSection).GetSection(d.Name);
        var resolved = options?.Clone() ?? new AxonProviderOptions();

        resolved.ApiKey = First(resolved.ApiKey, section?["ApiKey"], FromEnv(d.ApiKeyVariables, environment));
        resolved.Model = First(resolved.Model, section?["Model"], FromEnv(d.ModelVariables, environment), d.DefaultModel);
        resolved.Region = First(resolved.Region, section?["Region"], FromEnv(d.RegionVariables, environment), d.DefaultRegion);
        resolved.ApiVersion = First(resolved.ApiVersion, section?["ApiVersion"], FromEnv(d.ApiVersionVariables, environment), d.DefaultApiVersion);
        resolved.BaseUrl = First(resolved.BaseUrl, section?["BaseUrl"], FromEnv(d.BaseUrlVariables, environment),
            d.DefaultBaseUrl?.Replace("{region}", resolved.Region ?? "us-east-1", StringComparison.Ordinal));
        resolved.Timeout ??= ParseDuration(section?["Timeout"]) ?? ParseDuration(environment("AXON_TIMEOUT"));
        resolved.PromptCaching ??= section?["PromptCaching"] is { } pc && bool.TryParse(pc, out var caching) ? caching
            : environment("AXON_PROMPT_CACHING") is "0" or "false" ? false : null;
        resolved.ReasoningTimeout ??= ParseDuration(section?["ReasoningTimeout"]) ?? ParseDuration(environment("AXON_REASONING_TIMEOUT"));
        resolved.StreamTimeout ??= ParseDuration(section?["StreamTimeout"]) ?? ParseDuration(environment("AXON_STREAM_TIMEOUT"));
        if (resolved.DefaultMaxOutputTokens is null && int.TryParse(section?["MaxOutputTokens"], out var maxTokens))
            resolved.DefaultMaxOutputTokens = maxTokens;
        return resolved;
    }

    /// <summary>True when the backend has what it needs to be called (key, endpoint, model).</summary>
    public bool IsConfigured(string name, AxonProviderOptions? options = null, IConfiguration? configuration = null,
        Func<string, string?>? environment = null) =>
        MissingSetting(Lookup(name).Descriptor, ResolveOptions(name, options, configuration, environment)) is null;

    /// <summary>
    /// Creates the backend's client. Throws <see cref="AxonProviderException"/> of kind
    /// <see cref="ProviderErrorKind.Configuration"/> for an unknown backend or a missing key/endpoint/model.
    /// </summary>
    public IChatClient Create(string name, AxonProviderOptions? options = null, IConfiguration? configuration = null,
        Func<string, string?>? environment = null)
    {
        var (descriptor, factory) = Lookup(name);
        var resolved = ResolveOptions(name, options, configuration, environment);
        if (MissingSetting(descriptor, resolved) is { } missing)
            throw new AxonProviderException(descriptor.Name, ProviderErrorKind.Configuration, $"Backend error: {missing} not set");
        // Keys travel as raw header values; a line break in one would split the request's headers.
        if (resolved.ApiKey is { } key && key.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            throw new AxonProviderException(descriptor.Name, ProviderErrorKind.Configuration,
                $"Backend error: {(descriptor.ApiKeyVariables.Count > 0 ? descriptor.ApiKeyVariables[0] : "the API key")} contains a line break");
        return factory(resolved);
    }

    private static string? MissingSetting(AxonProviderDescriptor d, AxonProviderOptions o)
    {
        if (d.RequiresApiKey && string.IsNullOrEmpty(o.ApiKey) && d.ApiKeyVariables.Count > 0)
            return d.ApiKeyVariables[0];
        if (string.IsNullOrEmpty(o.BaseUrl) && d.BaseUrlVariables.Count > 0)
            return d.BaseUrlVariables[0];
        if (d.RequiresModel && string.IsNullOrEmpty(o.Model) && d.ModelVariables.Count > 0)
            return d.ModelVariables[0];
        return null;
    }

    private (AxonProviderDescriptor Descriptor, Func<AxonProviderOptions, IChatClient> Factory) Lookup(string name) =>
        name is not null && _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new AxonProviderException(name ?? "", ProviderErrorKind.Configuration, $"Backend error: Unknown backend '{name}'");

    /// <summary>
    /// Reads a duration as plain seconds (<c>30</c>, <c>2.5</c>), with a unit (<c>500ms</c>, <c>30s</c>, <c>2m</c>,
    /// <c>1h</c>) or as a <see cref="TimeSpan"/> (<c>00:00:30</c>); null when absent, malformed or not positive.
    /// </summary>
    public static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var t = text.Trim().ToLowerInvariant();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var (number, unit) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 0.001)
            : t.EndsWith('s') ? (t[..^1], 1.0)
            : t.EndsWith('m') ? (t[..^1], 60.0)
            : t.EndsWith('h') ? (t[..^1], 3600.0)
            : (t, 1.0);
        if (double.TryParse(number, System.Globalization.NumberStyles.Float, inv, out var value))
            return value > 0 && value * unit < TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromSeconds(value * unit) : null;
        return t.Contains(':') && TimeSpan.TryParse(t, inv, out var span) && span > TimeSpan.Zero ? span : null;
    }

    private static string? FromEnv(IReadOnlyList<string> variables, Func<string, string?> environment)
    {
        foreach (var v in variables)
            if (environment(v) is { Length: > 0 } value)
                return value;
        return null;
    }

    private static string? First(params string?[] values)
    {
        foreach (var v in values)
            if (!string.IsNullOrEmpty(v))
                return v;
        return null;
    }
}
