using System.Collections.Concurrent;

namespace Axon.Runtime.Providers;

/// <summary>
/// List prices (USD per one million tokens: input, cached input, cache write, output) of the default models and
/// their neighbours, taken on <see cref="PricesTakenOn"/>,
/// for cost estimates and cost-optimized routing. Entries can be added or replaced with <see cref="Set"/>.
/// Lookup order: exact provider and model, then the provider's <c>*</c> entry (e.g. Ollama is free),
/// then the same model on any provider (Azure deployments and custom endpoints often reuse OpenAI names).
/// </summary>
public sealed class ModelPriceTable : IModelPriceTable
{
    /// <summary>Stands for every model of a provider.</summary>
    public const string AnyModel = "*";

    private readonly ConcurrentDictionary<(string Provider, string Model), ModelPrice> _prices = new();

    // Lookups as asked (provider and model exactly as given), including misses: every model call prices its response,
    // and the fallback scans (two enumerations of the table, lower-casing) cost ~0.3 KB and a few µs per call.
    // Bounded, since model names come from responses; Set clears it.
    private readonly ConcurrentDictionary<(string Provider, string Model), ModelPrice?> _resolved = new();
    private const int MaxResolved = 1024;

    /// <summary>Creates a table holding the built-in prices.</summary>
    public ModelPriceTable() : this(includeDefaults: true)
    {
    }

    /// <summary>Creates a table, with or without the built-in prices.</summary>
    public ModelPriceTable(bool includeDefaults)
    {
        if (!includeDefaults)
            return;
        foreach (var (provider, model, input, cached, write, output) in Defaults)
            Set(provider, model, new ModelPrice(input, output) { CachedInputPerMillion = cached, CacheWritePerMillion = write });
    }

    /// <summary>The day the built-in prices were taken from the providers' published price lists.</summary>
    public const string PricesTakenOn = "2026-12-01";

    // USD per 1M tokens: input, cached input (cache read), cache write, output (reasoning tokens bill as output
    // everywhere). Standard tier, shortest context band, taken on PricesTakenOn from the published price lists
    // (OpenAI pricing page, Anthropic pricing page, Gemini API pricing page, Amazon Bedrock pricing).
    private static readonly (string, string, decimal, decimal?, decimal?, decimal)[] Defaults =
    [
        ("anthropic", "claude-sonnet-4-6", 3m, 0.30m, 3.75m, 15m),
        ("anthropic", "claude-sonnet-4-5", 3m, 0.30m, 3.75m, 15m),
        ("anthropic", "claude-haiku-4-5", 1m, 0.10m, 1.25m, 5m),
        ("anthropic", "claude-opus-4-6", 5m, 0.50m, 6.25m, 25m),
        ("anthropic", "claude-opus-4-5", 5m, 0.50m, 6.25m, 25m),
        ("anthropic", "claude-opus-4-1", 15m, 1.50m, 18.75m, 75m),
        ("anthropic", "claude-sonnet-4-20250514", 3m, 0.30m, 3.75m, 15m),
        ("anthropic", "claude-3-5-sonnet-20241022", 3m, 0.30m, 3.75m, 15m),
        ("anthropic", "claude-3-5-haiku-20241022", 0.80m, 0.08m, 1m, 4m),
        ("anthropic", "claude-3-opus-20240229", 15m, 1.50m, 18.75m, 75m),
        ("openai", "gpt-5.5", 5m, 0.50m, null, 30m),
        ("openai", "gpt-5.4", 2.50m, 0.25m, null, 15m),
        ("openai", "gpt-5.4-mini", 0.75m, 0.075m, null, 4.50m),
        ("openai", "gpt-5.4-nano", 0.20m, 0.02m, null, 1.25m),
        ("openai", "gpt-5.2", 1.75m, 0.175m, null, 14m),
        ("openai", "gpt-5.1", 1.25m, 0.125m, null, 10m),
        ("openai", "gpt-5", 1.25m, 0.125m, null, 10m),
        ("openai", "gpt-5-mini", 0.25m, 0.025m, null, 2m),
        ("openai", "gpt-4.1", 2m, 0.50m, null, 8m),
        ("openai", "gpt-4.1-mini", 0.40m, 0.10m, null, 1.60m),
        ("openai", "gpt-4o", 2.50m, 1.25m, null, 10m),
        ("openai", "gpt-4o-mini", 0.15m, 0.075m, null, 0.60m),
        ("openai", "gpt-4-turbo-preview", 10m, null, null, 30m),
        ("openai", "gpt-4-turbo", 10m, null, null, 30m),
        ("gemini", "gemini-3.5-flash", 1.50m, 0.15m, null, 9m),
        ("gemini", "gemini-3.1-pro", 2m, 0.20m, null, 12m),
        ("gemini", "gemini-3-flash", 0.50m, 0.05m, null, 3m),
        ("gemini", "gemini-2.5-pro", 1.25m, 0.125m, null, 10m),
        ("gemini", "gemini-2.5-flash", 0.30m, 0.03m, null, 2.50m),
        ("gemini", "gemini-1.5-pro", 1.25m, null, null, 5m),
        ("bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0", 3m, 0.30m, 3.75m, 15m),
        ("bedrock", "anthropic.claude-haiku-4-5-20251001-v1:0", 1m, 0.10m, 1.25m, 5m),
        ("bedrock", "anthropic.claude-3-5-sonnet-20241022-v2:0", 3m, 0.30m, 3.75m, 15m),
        ("bedrock", "amazon.nova-pro-v1:0", 0.80m, 0.20m, null, 3.20m),
        ("ollama", AnyModel, 0m, null, null, 0m),
        ("stub", AnyModel, 0m, null, null, 0m),
    ];

    // Declared after Defaults: static fields initialise in order.
    /// <summary>The built-in prices, shared (used when a run sets no table of its own).</summary>
    public static ModelPriceTable Default { get; } = new();

    /// <summary>Adds or replaces the price of <paramref name="model"/> (or <see cref="AnyModel"/>) on <paramref name="provider"/>.</summary>
    public void Set(string provider, string model, ModelPrice price)
    {
        ArgumentException.ThrowIfNullOrEmpty(provider);
        ArgumentException.ThrowIfNullOrEmpty(model);
        _prices[(provider.ToLowerInvariant(), model.ToLowerInvariant())] = price;
        _resolved.Clear();
    }

    /// <inheritdoc />
    public bool TryGetPrice(string provider, string model, out ModelPrice price)
    {
        var key = (provider ?? "", model ?? "");
        if (_resolved.TryGetValue(key, out var known))
        {
            price = known.GetValueOrDefault();
            return known.HasValue;
        }
        var found = Resolve(key.Item1, key.Item2, out price);
        if (_resolved.Count < MaxResolved) _resolved[key] = found ? price : null;
        return found;
    }

    private bool Resolve(string provider, string model, out ModelPrice price)
    {
        var p = provider.ToLowerInvariant();
        var m = model.ToLowerInvariant();
        if (_prices.TryGetValue((p, m), out price) || _prices.TryGetValue((p, AnyModel), out price))
            return true;
        foreach (var ((_, knownModel), knownPrice) in _prices)
        {
            if (knownModel == m)
            {
                price = knownPrice;
                return true;
            }
        }
        // Responses name dated versions (gpt-5.4-2026-03-05, claude-sonnet-4-6-20260217) and Bedrock inference
        // profiles prefix a geography (us.anthropic.…): the longest known name the model starts with prices it.
        var bare = p == "bedrock" && m.IndexOf('.') is > 0 and var dot && m.IndexOf('.', dot + 1) > 0 ? m[(dot + 1)..] : m;
        var bestLength = 0;
        foreach (var ((knownProvider, knownModel), knownPrice) in _prices)
        {
            if (knownProvider == p && knownModel.Length > bestLength && (bare == knownModel
                    || bare.StartsWith(knownModel, StringComparison.Ordinal) && bare[knownModel.Length] is '-' or '@' or ':'))
            {
                bestLength = knownModel.Length;
                price = knownPrice;
            }
        }
        if (bestLength > 0)
            return true;
        price = default;
        return false;
    }
}
