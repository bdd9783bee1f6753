using Microsoft.Extensions.AI;

namespace Axon.Runtime.Providers;

/// <summary>Price of a model in US dollars per one million tokens.</summary>
/// <param name="InputPerMillion">Price of one million input (prompt) tokens.</param>
/// <param name="OutputPerMillion">Price of one million output (completion) tokens, reasoning tokens included unless <see cref="ReasoningPerMillion"/> says otherwise.</param>
public readonly record struct ModelPrice(decimal InputPerMillion, decimal OutputPerMillion)
{
    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key of input tokens written to a prompt cache.</summary>
    public const string CacheWriteCountKey = "cache_write_input_tokens";

    /// <summary>Price of one million input tokens read from the provider's prompt cache (null = the input price).</summary>
    public decimal? CachedInputPerMillion { get; init; }

    /// <summary>Price of one million input tokens written to the prompt cache (Anthropic, Bedrock; null = the input price).</summary>
    public decimal? CacheWritePerMillion { get; init; }

    /// <summary>Price of one million reasoning tokens (null = the output price, as every provider bills them today).</summary>
    public decimal? ReasoningPerMillion { get; init; }

    /// <summary>Estimated cost of a call with the given token counts.</summary>
    public decimal Estimate(long inputTokens, long outputTokens) =>
        (inputTokens * InputPerMillion + outputTokens * OutputPerMillion) / 1_000_000m;

    /// <summary>
    /// Estimated cost of a call from its usage: cached input at the cached rate, cache writes at the write rate,
    /// reasoning tokens (part of the output count) at the reasoning rate.
    /// </summary>
    public decimal Estimate(UsageDetails? usage)
    {
        if (usage is null)
            return 0m;
        var input = usage.InputTokenCount ?? 0;
        var cached = Math.Min(usage.CachedInputTokenCount ?? 0, input);
        var written = usage.AdditionalCounts?.TryGetValue(CacheWriteCountKey, out var w) == true ? Math.Min(w, input - cached) : 0;
        var output = usage.OutputTokenCount ?? 0;
        var reasoning = Math.Min(usage.ReasoningTokenCount ?? 0, output);
        return ((input - cached - written) * InputPerMillion
                + cached * (CachedInputPerMillion ?? InputPerMillion)
                + written * (CacheWritePerMillion ?? InputPerMillion)
                + (output - reasoning) * OutputPerMillion
                + reasoning * (ReasoningPerMillion ?? OutputPerMillion)) / 1_000_000m;
    }
}

/// <summary>Looks up model prices for cost estimates and cost-optimized routing.</summary>
public interface IModelPriceTable
{
    /// <summary>Finds the price of <paramref name="model"/> on <paramref name="provider"/>.</summary>
    bool TryGetPrice(string provider, string model, out ModelPrice price);
}
