using System.Collections.Generic;

namespace Axon.Language.Semantics;

/// <summary>The reference's built-in type names and the epistemic lattice (reference §3.1–§3.2).</summary>
public static class BuiltinTypes
{
    /// <summary>Every built-in type name, including the lattice-only ones (CitedFact, HighConfidenceFact, Any, Never).</summary>
    public static readonly IReadOnlyCollection<string> All = new HashSet<string>
    {
        "FactualClaim", "Opinion", "Uncertainty", "Speculation",
        "Document", "Chunk", "EntityMap", "Summary", "Translation",
        "RiskScore", "ConfidenceScore", "SentimentScore", "ReasoningChain", "Contradiction",
        "String", "Integer", "Float", "Boolean", "Duration", "List", "StructuredReport",
        "CitedFact", "HighConfidenceFact", "Any", "Never",
    };

    /// <summary>Types that assert a fact; an opinion, speculation or uncertainty may not stand where one is declared.</summary>
    public static bool IsFactType(string name) => name is "FactualClaim" or "CitedFact" or "HighConfidenceFact";

    /// <summary>Types that carry a hedged epistemic status.</summary>
    public static bool IsHedgedType(string name) => name is "Opinion" or "Speculation" or "Uncertainty";

    private static readonly Dictionary<string, string> Parent = new()
    {
        ["HighConfidenceFact"] = "CitedFact",
        ["CitedFact"] = "FactualClaim",
        ["FactualClaim"] = "Any",
        ["Opinion"] = "Any",
        ["Speculation"] = "Any",
        ["Uncertainty"] = "Any",
    };

    /// <summary>The reference's <c>check_type_compatible(source, target)</c> on plain type names.</summary>
    public static bool IsCompatible(string source, string target)
    {
        if (source == "Never" || target == "Any") return true;
        if (source == "Any" || target == "Never") return false;
        if (source == "Uncertainty") return true; // taint propagates
        if (target == "Uncertainty") return true; // read as Uncertain[Any]
        if (source == target) return true;
        for (string? p = Parent.TryGetValue(source, out var x) ? x : null; p != null; p = Parent.TryGetValue(p, out var y) ? y : null)
            if (p == target) return true;
        if ((source == "FactualClaim" || source == "CitedFact") && target == "String") return true;
        if ((source == "RiskScore" || source == "ConfidenceScore" || source == "SentimentScore") && target == "Float") return true;
        return source == "StructuredReport";
    }
}
