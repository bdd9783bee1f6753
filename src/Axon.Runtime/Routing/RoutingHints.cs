using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Routing;

/// <summary>
/// Per-call routing hints. Put them in <see cref="ChatOptions.AdditionalProperties"/> under the keys below
/// (or as one <see cref="RoutingHints"/> under <see cref="HintsKey"/>; <see cref="RoutingHintsExtensions.WithRoutingHints"/>
/// does that). The router removes every <c>axon.*</c> key before the options reach a provider.
/// </summary>
/// <param name="Provider">Preferred provider: tried first when it is enabled and healthy; otherwise the strategy decides.</param>
/// <param name="Model">Preferred model: used on <paramref name="Provider"/> (or, without one, on the providers the price table
/// lists for it, which are then preferred); other providers get their default model.</param>
/// <param name="StrictProvider">Pin: the call goes to <paramref name="Provider"/> or fails with
/// <see cref="ProviderPinnedException"/>; it is never sent anywhere else, not even after a failure.</param>
public sealed record RoutingHints(string? Provider = null, string? Model = null, bool StrictProvider = false)
{
    /// <summary>Key of a <see cref="RoutingHints"/> value.</summary>
    public const string HintsKey = "axon.routing";

    /// <summary>Key of the preferred provider (string).</summary>
    public const string ProviderKey = "axon.provider";

    /// <summary>Key of the preferred model (string).</summary>
    public const string ModelKey = "axon.model";

    /// <summary>Key of the pin flag (bool, or the strings <c>true</c>/<c>false</c>).</summary>
    public const string StrictProviderKey = "axon.strict_provider";

    /// <summary>Reads the hints of a call; separate keys override a <see cref="HintsKey"/> value.</summary>
    /// <exception cref="ArgumentException">A hint has the wrong type.</exception>
    public static RoutingHints? From(ChatOptions? options)
    {
        var props = options?.AdditionalProperties;
        if (props is null || props.Count == 0) return null;
        var hints = props.TryGetValue(HintsKey, out var whole) ? whole as RoutingHints
            ?? throw new ArgumentException($"ChatOptions.AdditionalProperties['{HintsKey}'] must be a RoutingHints") : null;
        var provider = ReadString(props, ProviderKey);
        var model = ReadString(props, ModelKey);
        var strict = ReadBool(props, StrictProviderKey);
        if (hints is null && provider is null && model is null && strict is null) return null;
        hints ??= new RoutingHints();
        return new RoutingHints(provider ?? hints.Provider, model ?? hints.Model, strict ?? hints.StrictProvider);
    }

    internal static bool HasAxonKeys(AdditionalPropertiesDictionary? props)
    {
        if (props is null) return false;
        foreach (var key in props.Keys)
            if (key.StartsWith("axon.", StringComparison.Ordinal)) return true;
        return false;
    }

    private static string? ReadString(AdditionalPropertiesDictionary props, string key)
    {
        if (!props.TryGetValue(key, out var value) || value is null) return null;
        var text = value switch
        {
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
            JsonElement { ValueKind: JsonValueKind.Null } => null,
            _ => throw new ArgumentException($"ChatOptions.AdditionalProperties['{key}'] must be a string"),
        };
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    private static bool? ReadBool(AdditionalPropertiesDictionary props, string key)
    {
        if (!props.TryGetValue(key, out var value) || value is null) return null;
        return value switch
        {
            bool b => b,
            string s when bool.TryParse(s.Trim(), out var b) => b,
            JsonElement { ValueKind: JsonValueKind.True } => true,
            JsonElement { ValueKind: JsonValueKind.False } => false,
            _ => throw new ArgumentException($"ChatOptions.AdditionalProperties['{key}'] must be true or false"),
        };
    }
}

/// <summary>Helpers to attach <see cref="RoutingHints"/> to a call.</summary>
public static class RoutingHintsExtensions
{
    /// <summary>Stores <paramref name="hints"/> in <paramref name="options"/> (creating the property bag) and returns the options.</summary>
    public static ChatOptions WithRoutingHints(this ChatOptions options, RoutingHints hints)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hints);
        (options.AdditionalProperties ??= new AdditionalPropertiesDictionary())[RoutingHints.HintsKey] = hints;
        return options;
    }
}
