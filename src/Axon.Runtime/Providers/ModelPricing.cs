namespace Axon.Runtime.Providers;

/// <summary>Price of a model in US dollars per one million tokens.</summary>
/// <param name="InputPerMillion">Price of one million input (prompt) tokens.</param>
/// <param name="OutputPerMillion">Price of one million output (completion) tokens.</param>
public readonly record struct ModelPrice(decimal InputPerMillion, decimal OutputPerMillion)
{
    /// <summary>Estimated cost of a call with the given token counts.</summary>
    public decimal Estimate(long inputTokens, long outputTokens) =>
        (inputTokens * InputPerMillion + outputTokens * OutputPerMillion) / 1_000_000m;
}

/// <summary>Looks up model prices for cost estimates and cost-optimized routing.</summary>
public interface IModelPriceTable
{
    /// <summary>Finds the price of <paramref name="model"/> on <paramref name="provider"/>.</summary>
    bool TryGetPrice(string provider, string model, out ModelPrice price);
}
