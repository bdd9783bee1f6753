using Axon.Runtime.Model;

namespace Axon.Runtime.Anchors;

/// <summary>The outcome of checking one anchor against one output.</summary>
/// <param name="Anchor">Anchor name.</param>
/// <param name="Passed">True when the output complies.</param>
/// <param name="Reason">Why it breached, or a note (e.g. <c>unknown_response</c>, <c>bypassed_by_agnostic_fallback</c>).</param>
/// <param name="Action">The on_violation action taken for a breach (raise, warn, log, escalate, fallback), else empty.</param>
public sealed record AnchorVerdict(string Anchor, bool Passed, string Reason = "", string Action = "");

/// <summary>
/// Checks outputs against anchors: the standard checkers (by anchor name, or by a <c>require</c> that
/// names a checkable property such as <c>source_citation</c>), <c>reject</c> terms,
/// <c>confidence_floor</c>, and the <c>unknown_response</c> escape.
/// </summary>
public static class AnchorEvaluator
{
    /// <summary>Evaluates every anchor; verdicts are in anchor order.</summary>
    public static IReadOnlyList<AnchorVerdict> Evaluate(IReadOnlyList<AnchorDefinition> anchors, string text, double? confidence)
    {
        if (anchors.Count == 0) return [];
        var verdicts = new List<AnchorVerdict>(anchors.Count);
        // AgnosticFallback has priority: an honest "don't know" satisfies citation/hallucination anchors.
        var agnosticPassed = anchors.Any(a => a.Name == "AgnosticFallback") && StandardAnchors.Check("AgnosticFallback", text) is null;
        foreach (var anchor in anchors)
        {
            if (agnosticPassed && anchor.Name is "RequiresCitation" or "NoHallucination")
            {
                verdicts.Add(new(anchor.Name, true, "bypassed_by_agnostic_fallback"));
                continue;
            }
            var reason = Check(anchor, text, confidence);
            verdicts.Add(reason is null
                ? new(anchor.Name, true, IsUnknownResponse(anchor, text) ? "unknown_response" : "")
                : new(anchor.Name, false, reason, NormaliseAction(anchor.OnViolation)));
        }
        return verdicts;
    }

    /// <summary>The effective on_violation action (empty or unknown actions raise).</summary>
    public static string NormaliseAction(string action) => action switch
    {
        "warn" or "log" or "escalate" or "fallback" or "raise" => action,
        _ => "raise",
    };

    private static bool IsUnknownResponse(AnchorDefinition anchor, string text) =>
        anchor.UnknownResponse.Length > 0 && text.Contains(anchor.UnknownResponse, StringComparison.OrdinalIgnoreCase);

    private static string? Check(AnchorDefinition anchor, string text, double? confidence)
    {
        if (IsUnknownResponse(anchor, text)) return null;
        var reasons = new List<string>();
        if (StandardAnchors.IsStandard(anchor.Name) && StandardAnchors.Check(anchor.Name, text) is { } std) reasons.Add(std);
        if (RequireChecker(anchor.Require) is { } checker && checker != anchor.Name && StandardAnchors.Check(checker, text) is { } req)
            reasons.Add($"require {anchor.Require}: {req}");
        var lower = text.ToLowerInvariant();
        foreach (var term in anchor.Reject)
        {
            if (RejectChecker(term) is { } rc)
            {
                if (StandardAnchors.Check(rc, text) is { } rr) reasons.Add($"reject {term}: {rr}");
                continue;
            }
            var t = term.ToLowerInvariant();
            if (lower.Contains(t, StringComparison.Ordinal) || lower.Contains(t.Replace('_', ' '), StringComparison.Ordinal))
                reasons.Add($"reject {term}: rejected content present");
        }
        if (anchor.ConfidenceFloor is { } floor && confidence is { } c && c < floor)
            reasons.Add($"Confidence {c:0.00} is below the floor of {floor:0.00}.");
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    /// <summary>
    /// Maps a <c>require</c> value to the standard checker that can verify it. Requirements with no
    /// mechanical check (e.g. <c>budget_code</c>) are instructions to the model only.
    /// </summary>
    public static string? RequireChecker(string require)
    {
        if (require.Length == 0) return null;
        var r = require.ToLowerInvariant();
        if (r.Contains("citation") || r.Contains("cite") || r.Contains("source")) return "RequiresCitation";
        if (r.Contains("chain_of_thought") || r.Contains("step_by_step")) return "ChainOfThoughtValidator";
        if (r.Contains("premise") || r.Contains("syllogism")) return "SyllogismChecker";
        if (r.Contains("audit") || r.Contains("reasoning_trail")) return "AuditTrail";
        return StandardAnchors.IsStandard(require) ? require : null;
    }

    private static string? RejectChecker(string term) => term.ToLowerInvariant() switch
    {
        "speculation" or "hedging" or "hallucination" => "NoHallucination",
        "opinion" or "opinions" => "FactualOnly",
        "pii" or "personal_data" => "PrivacyGuard",
        "code_execution" => "NoCodeExecution",
        "bias" => "NoBias",
        _ => null,
    };
}
