using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Axon.Runtime.Routing;

/// <summary>How the router picks a provider for a call.</summary>
public enum RoutingStrategyKind
{
    /// <summary>Smooth weighted round robin over healthy providers (<c>weighted</c>, the default).</summary>
    Weighted = 0,
    /// <summary>Even rotation over healthy providers (<c>round_robin</c>).</summary>
    RoundRobin,
    /// <summary><c>DEFAULT_LLM_PROVIDER</c> first, then the others by weight (<c>failover</c>).</summary>
    Failover,
    /// <summary>Cheapest healthy provider for the estimated tokens (<c>cost_optimized</c>).</summary>
    CostOptimized,
    /// <summary>Power of two choices over EWMA latency × in-flight calls (<c>latency</c>, an AXON extension).</summary>
    LatencyAware,
}

/// <summary>Where a <see cref="RoutingOptions"/> instance came from; decides how settings are named in errors.</summary>
public enum RoutingSettingSource
{
    /// <summary>Built in code; settings are named <c>RoutingOptions.Property</c>.</summary>
    Code = 0,
    /// <summary>Read from environment variables; settings are named by their variable (<c>PROVIDER_WEIGHTS</c>).</summary>
    Environment,
    /// <summary>Read from <see cref="IConfiguration"/>; settings are named by their key (<c>Axon:Routing:ProviderWeights</c>).</summary>
    Configuration,
}

/// <summary>
/// Routing settings. Build them in code, or read them with <see cref="FromEnvironment"/> (seed names:
/// <c>LLM_ROUTING_STRATEGY</c>, <c>PROVIDER_WEIGHTS</c>, <c>DEFAULT_LLM_PROVIDER</c>, <c>LLM_PROVIDERS</c>,
/// <c>PROVIDER_COSTS</c>, plus <c>LLM_FAILOVER_MAX_HOPS</c>) or <see cref="FromConfiguration"/>
/// (section <c>Axon:Routing</c>). Provider names are case-insensitive.
/// </summary>
public sealed class RoutingOptions
{
    /// <summary>The configuration section the settings bind from.</summary>
    public const string ConfigurationSection = "Axon:Routing";

    /// <summary>The strategy; <see cref="RoutingStrategyKind.Weighted"/> by default.</summary>
    public RoutingStrategyKind Strategy { get; set; }

    /// <summary>
    /// Relative weights (<c>PROVIDER_WEIGHTS=openai:50,anthropic:30,gemini:20</c>); only their ratios matter.
    /// Empty: every provider weighs 1. A provider missing from a non-empty map weighs 0: it only gets calls
    /// when no weighted provider can take them.
    /// </summary>
    public Dictionary<string, decimal> Weights { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The failover primary (<c>DEFAULT_LLM_PROVIDER</c>).</summary>
    public string? DefaultProvider { get; set; }

    /// <summary>The allow-list (<c>LLM_PROVIDERS</c>); null or empty means every configured provider.</summary>
    public List<string>? AllowedProviders { get; set; }

    /// <summary>
    /// US dollars per 1 000 tokens, input and output alike (<c>PROVIDER_COSTS=ollama:0,openai:0.03</c>).
    /// Takes precedence over an <c>IModelPriceTable</c> for cost-optimized routing.
    /// </summary>
    public Dictionary<string, decimal> Costs { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many other providers a failed call may move on to (<c>LLM_FAILOVER_MAX_HOPS</c>); 3 by default.</summary>
    public int MaxFailoverHops { get; set; } = 3;

    /// <summary>Consecutive failures that open a provider's breaker; 5 by default.</summary>
    public int BreakerFailureThreshold { get; set; } = 5;

    /// <summary>How long an open breaker stays open before one probe is let through; 30 s by default.</summary>
    public TimeSpan BreakerOpenDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Cooldown after a 429 without <c>Retry-After</c>; 5 s by default.</summary>
    public TimeSpan DefaultRateLimitCooldown { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a call may wait, in total, for a provider to leave a rate-limit cooldown when every usable
    /// provider is cooling down (<c>Axon:Routing:MaxRateLimitWaitSeconds</c>); 5 s by default, zero = never wait.
    /// A cooldown ending later than this fails the call at once with <see cref="NoProviderAvailableException"/>.
    /// </summary>
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Output tokens assumed by cost-optimized routing when the call sets no <c>MaxOutputTokens</c>; 512 by default.</summary>
    public int EstimatedOutputTokens { get; set; } = 512;

    /// <summary>
    /// When true, a stream that ends without any update carrying a finish reason is reported as a cut
    /// stream (<c>TruncatedStream</c>) instead of a success. Off by default because not every client sets one.
    /// </summary>
    public bool RequireStreamFinishReason { get; set; }

    /// <summary>Where these settings came from; decides how errors name them.</summary>
    public RoutingSettingSource Source { get; set; }

    /// <summary>Reads the seed's environment variables (unset variables keep the defaults).</summary>
    /// <param name="getVariable">Reads one variable; <see cref="System.Environment.GetEnvironmentVariable(string)"/> when null.</param>
    /// <exception cref="RoutingConfigurationException">A value cannot be parsed; the message names the variable.</exception>
    public static RoutingOptions FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= System.Environment.GetEnvironmentVariable;
        var options = new RoutingOptions { Source = RoutingSettingSource.Environment };
        options.Apply(
            getVariable(EnvStrategy), getVariable(EnvWeights), getVariable(EnvDefault), getVariable(EnvProviders),
            getVariable(EnvCosts), getVariable(EnvMaxHops));
        return options;
    }

    /// <summary>Reads the <c>Axon:Routing</c> section (keys <c>Strategy</c>, <c>ProviderWeights</c>, <c>DefaultProvider</c>,
    /// <c>Providers</c>, <c>ProviderCosts</c>, <c>MaxFailoverHops</c>, <c>BreakerFailureThreshold</c>,
    /// <c>BreakerOpenSeconds</c>, <c>RateLimitCooldownSeconds</c>, <c>MaxRateLimitWaitSeconds</c>, <c>EstimatedOutputTokens</c>,
    /// <c>RequireStreamFinishReason</c>). Maps and lists may be written as the seed's strings
    /// (<c>"openai:50,anthropic:30"</c>) or as child keys / arrays.</summary>
    /// <exception cref="RoutingConfigurationException">A value cannot be parsed; the message names the key.</exception>
    public static RoutingOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ConfigurationSection);
        var options = new RoutingOptions { Source = RoutingSettingSource.Configuration };
        options.Apply(
            section["Strategy"],
            Flatten(section.GetSection("ProviderWeights"), pairs: true),
            section["DefaultProvider"],
            Flatten(section.GetSection("Providers"), pairs: false),
            Flatten(section.GetSection("ProviderCosts"), pairs: true),
            section["MaxFailoverHops"]);
        options.BreakerFailureThreshold = ParseInt(section["BreakerFailureThreshold"], options.BreakerFailureThreshold,
            options.SettingName(nameof(BreakerFailureThreshold)), min: 1);
        var open = section["BreakerOpenSeconds"];
        if (!string.IsNullOrWhiteSpace(open))
            options.BreakerOpenDuration = TimeSpan.FromSeconds((double)ParseDecimal(open, options.SettingName(nameof(BreakerOpenDuration)), positive: true));
        var cooldown = section["RateLimitCooldownSeconds"];
        if (!string.IsNullOrWhiteSpace(cooldown))
            options.DefaultRateLimitCooldown = TimeSpan.FromSeconds((double)ParseDecimal(cooldown, options.SettingName(nameof(DefaultRateLimitCooldown)), positive: true));
        var maxWait = section["MaxRateLimitWaitSeconds"];
        if (!string.IsNullOrWhiteSpace(maxWait))
            options.MaxRateLimitWait = TimeSpan.FromSeconds((double)ParseDecimal(maxWait, options.SettingName(nameof(MaxRateLimitWait)), positive: false));
        options.EstimatedOutputTokens = ParseInt(section["EstimatedOutputTokens"], options.EstimatedOutputTokens,
            options.SettingName(nameof(EstimatedOutputTokens)), min: 0);
        var requireFinish = section["RequireStreamFinishReason"];
        if (!string.IsNullOrWhiteSpace(requireFinish))
        {
            if (!bool.TryParse(requireFinish.Trim(), out var b))
                throw new RoutingConfigurationException(options.SettingName(nameof(RequireStreamFinishReason)), $"expected true or false, got '{requireFinish}'");
            options.RequireStreamFinishReason = b;
        }
        return options;
    }

    /// <summary>Parses a strategy name: <c>weighted</c>, <c>round_robin</c>, <c>failover</c>, <c>cost_optimized</c>
    /// or <c>latency</c> (case-insensitive; <c>-</c> and <c>_</c> are interchangeable).</summary>
    public static bool TryParseStrategy(string? value, out RoutingStrategyKind strategy)
    {
        strategy = RoutingStrategyKind.Weighted;
        if (value is null) return false;
        switch (value.Trim().Replace('-', '_').ToLowerInvariant())
        {
            case "weighted": strategy = RoutingStrategyKind.Weighted; return true;
            case "round_robin": case "roundrobin": strategy = RoutingStrategyKind.RoundRobin; return true;
            case "failover": strategy = RoutingStrategyKind.Failover; return true;
            case "cost_optimized": case "cost": strategy = RoutingStrategyKind.CostOptimized; return true;
            case "latency": case "latency_aware": strategy = RoutingStrategyKind.LatencyAware; return true;
            default: return false;
        }
    }

    /// <summary>The seed's name of a strategy (<c>round_robin</c>, …), as recorded in routing decisions.</summary>
    public static string StrategyName(RoutingStrategyKind strategy) => strategy switch
    {
        RoutingStrategyKind.Weighted => "weighted",
        RoutingStrategyKind.RoundRobin => "round_robin",
        RoutingStrategyKind.Failover => "failover",
        RoutingStrategyKind.CostOptimized => "cost_optimized",
        RoutingStrategyKind.LatencyAware => "latency",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
    };

    internal const string EnvStrategy = "LLM_ROUTING_STRATEGY";
    internal const string EnvWeights = "PROVIDER_WEIGHTS";
    internal const string EnvDefault = "DEFAULT_LLM_PROVIDER";
    internal const string EnvProviders = "LLM_PROVIDERS";
    internal const string EnvCosts = "PROVIDER_COSTS";
    internal const string EnvMaxHops = "LLM_FAILOVER_MAX_HOPS";

    /// <summary>The user-facing name of a setting, given where the options came from.</summary>
    internal string SettingName(string property) => Source switch
    {
        RoutingSettingSource.Environment => property switch
        {
            nameof(Strategy) => EnvStrategy,
            nameof(Weights) => EnvWeights,
            nameof(DefaultProvider) => EnvDefault,
            nameof(AllowedProviders) => EnvProviders,
            nameof(Costs) => EnvCosts,
            nameof(MaxFailoverHops) => EnvMaxHops,
            _ => "RoutingOptions." + property,
        },
        RoutingSettingSource.Configuration => ConfigurationSection + ":" + property switch
        {
            nameof(Weights) => "ProviderWeights",
            nameof(AllowedProviders) => "Providers",
            nameof(Costs) => "ProviderCosts",
            nameof(BreakerOpenDuration) => "BreakerOpenSeconds",
            nameof(DefaultRateLimitCooldown) => "RateLimitCooldownSeconds",
            nameof(MaxRateLimitWait) => "MaxRateLimitWaitSeconds",
            _ => property,
        },
        _ => "RoutingOptions." + property,
    };

    private void Apply(string? strategy, string? weights, string? defaultProvider, string? providers, string? costs, string? maxHops)
    {
        if (!string.IsNullOrWhiteSpace(strategy))
        {
            if (!TryParseStrategy(strategy, out var kind))
                throw new RoutingConfigurationException(SettingName(nameof(Strategy)),
                    $"unknown routing strategy '{strategy.Trim()}' (expected weighted, round_robin, failover, cost_optimized or latency)");
            Strategy = kind;
        }
        if (!string.IsNullOrWhiteSpace(weights))
            ParsePairs(weights, Weights, SettingName(nameof(Weights)), "weight", "openai:50,anthropic:30,gemini:20");
        if (!string.IsNullOrWhiteSpace(defaultProvider))
            DefaultProvider = defaultProvider.Trim();
        if (!string.IsNullOrWhiteSpace(providers))
        {
            var list = new List<string>();
            foreach (var raw in providers.Split(','))
            {
                var name = raw.Trim();
                if (name.Length == 0) continue;
                if (list.Contains(name, StringComparer.OrdinalIgnoreCase))
                    throw new RoutingConfigurationException(SettingName(nameof(AllowedProviders)), $"provider '{name}' is listed twice");
                list.Add(name);
            }
            AllowedProviders = list;
        }
        if (!string.IsNullOrWhiteSpace(costs))
            ParsePairs(costs, Costs, SettingName(nameof(Costs)), "cost per 1K tokens", "ollama:0,anthropic:0.025,openai:0.03");
        MaxFailoverHops = ParseInt(maxHops, MaxFailoverHops, SettingName(nameof(MaxFailoverHops)), min: 0);
    }

    private static void ParsePairs(string value, Dictionary<string, decimal> into, string setting, string what, string example)
    {
        foreach (var raw in value.Split(','))
        {
            var entry = raw.Trim();
            if (entry.Length == 0) continue;
            var colon = entry.IndexOf(':');
            if (colon <= 0 || colon == entry.Length - 1)
                throw new RoutingConfigurationException(setting, $"expected 'provider:{what}' pairs such as '{example}', got '{entry}'");
            var name = entry[..colon].Trim();
            var number = entry[(colon + 1)..].Trim();
            if (!decimal.TryParse(number, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) || parsed < 0)
                throw new RoutingConfigurationException(setting, $"the {what} of '{name}' must be a non-negative number, got '{number}'");
            if (!into.TryAdd(name, parsed))
                throw new RoutingConfigurationException(setting, $"provider '{name}' is listed twice");
        }
    }

    private static int ParseInt(string? value, int fallback, string setting, int min)
    {
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        if (!int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) || parsed < min)
            throw new RoutingConfigurationException(setting, $"expected an integer ≥ {min}, got '{value}'");
        return parsed;
    }

    private static decimal ParseDecimal(string value, string setting, bool positive)
    {
        if (!decimal.TryParse(value.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) || (positive ? parsed <= 0 : parsed < 0))
            throw new RoutingConfigurationException(setting, $"expected a {(positive ? "positive" : "non-negative")} number, got '{value}'");
        return parsed;
    }

    // A map or list written as children (ProviderWeights:openai = 50, Providers:0 = openai) becomes the
    // seed's string form, so both spellings share one parser and one set of error messages.
    private static string? Flatten(IConfigurationSection section, bool pairs)
    {
        if (section.Value is not null) return section.Value;
        var parts = new List<string>();
        foreach (var child in section.GetChildren())
            parts.Add(pairs ? child.Key + ":" + child.Value : child.Value ?? "");
        return parts.Count == 0 ? null : string.Join(",", parts);
    }
}
