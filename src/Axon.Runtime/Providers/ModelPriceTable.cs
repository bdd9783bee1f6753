using System.Collections.Concurrent;

namespace Axon.Runtime.Providers;

/// <summary>
/// List prices (USD per one million tokens) of the seed's default models and a few current ones,
/// for cost estimates and cost-optimized routing. Entries can be added or replaced with <see cref="Set"/>.
/// Lookup order: exact provider and model, then the provider's <c>*</c> entry (e.g. Ollama is free),
/// then the same model on any provider (Azure deployments and custom endpoints often reuse OpenAI names).
/// </summary>
public sealed class ModelPriceTable : IModelPriceTable
{
    /// <summary>Stands for every model of a provider.</summary>
    public const string AnyModel = "*";

    private readonly ConcurrentDictionary<(string Provider, string Model), ModelPrice> _prices = new();

    /// <summary>Creates a table holding the built-in prices.</summary>
    public ModelPriceTable() : this(includeDefaults: true)
    {
    }

    /// <summary>Creates a table, with or without the built-in prices.</summary>
    public ModelPriceTable(bool includeDefaults)
    {
        if (!includeDefaults)
            return;
        foreach (var (provider, model, input, output) in Defaults)
            Set(provider, model, new ModelPrice(input, output));
    }

    // Public list prices at the time of writing (standard tier, shortest context band).
    private static readonly (string, string, decimal, decimal)[] Defaults =
    [
        ("anthropic", "claude-3-5-sonnet-20241022", 3m, 15m),
        ("anthropic", "claude-sonnet-4-20250514", 3m, 15m),
        ("anthropic", "claude-3-5-haiku-20241022", 0.80m, 4m),
        ("anthropic", "claude-3-opus-20240229", 15m, 75m),
        ("openai", "gpt-4-turbo-preview", 10m, 30m),
        ("openai", "gpt-4-turbo", 10m, 30m),
        ("openai", "gpt-4o", 2.50m, 10m),
        ("openai", "gpt-4o-mini", 0.15m, 0.60m),
        ("openai", "gpt-4.1", 2m, 8m),
        ("openai", "gpt-4.1-mini", 0.40m, 1.60m),
        ("gemini", "gemini-1.5-pro", 1.25m, 5m),
        ("gemini", "gemini-1.5-flash", 0.075m, 0.30m),
        ("gemini", "gemini-2.0-flash", 0.10m, 0.40m),
        ("gemini", "gemini-2.5-pro", 1.25m, 10m),
        ("gemini", "gemini-2.5-flash", 0.30m, 2.50m),
        ("bedrock", "anthropic.claude-3-5-sonnet-20241022-v2:0", 3m, 15m),
        ("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0", 0.80m, 4m),
        ("ollama", AnyModel, 0m, 0m),
        ("stub", AnyModel, 0m, 0m),
    ];

    /// <summary>Adds or replaces the price of <paramref name="model"/> (or <see cref="AnyModel"/>) on <paramref name="provider"/>.</summary>
    public void Set(string provider, string model, ModelPrice price)
    {
        ArgumentException.ThrowIfNullOrEmpty(provider);
        ArgumentException.ThrowIfNullOrEmpty(model);
        _prices[(provider.ToLowerInvariant(), model.ToLowerInvariant())] = price;
    }

    /// <inheritdoc />
    public bool TryGetPrice(string provider, string model, out ModelPrice price)
    {
        var p = (provider ?? "").ToLowerInvariant();
        var m = (model ?? "").ToLowerInvariant();
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
        price = default;
        return false;
    }
}
