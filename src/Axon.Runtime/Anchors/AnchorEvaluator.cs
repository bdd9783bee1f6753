using Axon.Runtime.Model;

namespace Axon.Runtime.Anchors;

/// <summary>The outcome of checking one anchor against one output.</summary>
/// <param name="Anchor">Anchor name.</param>
/// <param name="Passed">True when the output complies.</param>
/// <param name="Reason">Why it breached, or a note (e.g. <c>unknown_response</c>, <c>bypassed_by_agnostic_fallback</c>).</param>
/// <param name="Action">The on_violation action taken for a breach (raise, warn, log, escalate, fallback), else empty.</param>
public sealed record AnchorVerdict(string Anchor, bool Passed, string Reason = "", string Action = "");

/// <summary>
/// Checks outputs against anchors: the standard checkers (by anchor name, or by a <c>require</c> listed in
/// <see cref="RequireCheckers"/>, such as <c>source_citation</c>), <c>reject</c> terms,
/// <c>confidence_floor</c>, and the <c>unknown_response</c> escape.
/// </summary>
public static class AnchorEvaluator
{
    /// <summary>Evaluates every anchor against free text; verdicts are in anchor order.</summary>
    public static IReadOnlyList<AnchorVerdict> Evaluate(IReadOnlyList<AnchorDefinition> anchors, string text, double? confidence) =>
        Evaluate(anchors, text, confidence, null);

    /// <summary>
    /// Evaluates every anchor; verdicts are in anchor order. When <paramref name="citations"/> is not null the
    /// output is typed and its citations are the entries of its <see cref="CitationsField"/> array: the citation
    /// checker reads them there (at least one non-blank entry), not the JSON text.
    /// </summary>
    public static IReadOnlyList<AnchorVerdict> Evaluate(IReadOnlyList<AnchorDefinition> anchors, string text, double? confidence, IReadOnlyList<string>? citations)
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
            var reason = Check(anchor, text, confidence, citations);
            verdicts.Add(reason is null
                ? new(anchor.Name, true, IsUnknownResponse(anchor, text) ? "unknown_response" : UncheckedNote(anchor))
                : new(anchor.Name, false, reason, NormaliseAction(anchor.OnViolation)));
        }
        return verdicts;
    }

    /// <summary>The name of the array a typed output lists its citations in, beside its value.</summary>
    public const string CitationsField = "sources";

    /// <summary>True when one of <paramref name="anchors"/> runs the citation checker (by name or by its <c>require</c>).</summary>
    public static bool RequiresCitations(IReadOnlyList<AnchorDefinition> anchors)
    {
        foreach (var a in anchors)
            if (a.Name == "RequiresCitation" || RequireChecker(a.Require) == "RequiresCitation") return true;
        return false;
    }

    // A require with no mechanical checker is an instruction to the model; say so rather than pass silently.
    private static string UncheckedNote(AnchorDefinition anchor) =>
        anchor.Require.Length > 0 && RequireChecker(anchor.Require) is null ? $"require {anchor.Require}: not mechanically checked (instruction to the model)" : "";

    /// <summary>The effective on_violation action (empty or unknown actions raise).</summary>
    public static string NormaliseAction(string action) => action switch
    {
        "warn" or "log" or "escalate" or "fallback" or "raise" => action,
        _ => "raise",
    };

    private static bool IsUnknownResponse(AnchorDefinition anchor, string text) =>
        anchor.UnknownResponse.Length > 0 && text.Contains(anchor.UnknownResponse, StringComparison.OrdinalIgnoreCase);

    private static string? Check(AnchorDefinition anchor, string text, double? confidence, IReadOnlyList<string>? citations)
    {
        if (IsUnknownResponse(anchor, text)) return null;
        var reasons = new List<string>();
        if (StandardAnchors.IsStandard(anchor.Name) && CheckStandard(anchor.Name, text, citations) is { } std) reasons.Add(std);
        if (RequireChecker(anchor.Require) is { } checker && checker != anchor.Name && CheckStandard(checker, text, citations) is { } req)
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

    // Typed outputs carry citations in their sources array; the inline patterns would only find them by accident.
    private static string? CheckStandard(string name, string text, IReadOnlyList<string>? citations)
    {
        if (name != "RequiresCitation" || citations is null) return StandardAnchors.Check(name, text);
        foreach (var c in citations)
            if (!string.IsNullOrWhiteSpace(c)) return null;
        return $"No citation found: a typed output lists its citations in the \"{CitationsField}\" array beside the value (for example \"{CitationsField}\": [\"[1] Annual report 2024, p. 12\"]), and it is empty or missing";
    }

    /// <summary>
    /// The <c>require</c> values that have a mechanical checker, and the standard checker each runs. Matching is
    /// exact (case-insensitive): the 12 standard anchor names, their snake_case spellings, and explicit aliases.
    /// Any other value is an instruction to the model only and is reported as not mechanically checked.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> RequireCheckers = BuildRequireCheckers();

    private static Dictionary<string, string> BuildRequireCheckers()
    {
        var table = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in StandardAnchors.Names)
        {
            table[name] = name;
            table[SnakeCase(name)] = name;
        }
        foreach (var alias in (string[])["source_citation", "source_citations", "citation", "citations", "cite_sources"]) table[alias] = "RequiresCitation";
        foreach (var alias in (string[])["chain_of_thought", "step_by_step", "step_by_step_reasoning"]) table[alias] = "ChainOfThoughtValidator";
        foreach (var alias in (string[])["premises_and_conclusion", "premises", "syllogism"]) table[alias] = "SyllogismChecker";
        foreach (var alias in (string[])["reasoning_trail"]) table[alias] = "AuditTrail";
        foreach (var alias in (string[])["no_pii"]) table[alias] = "PrivacyGuard";
        return table;
    }

    private static string SnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    /// <summary>
    /// The standard checker that verifies a <c>require</c> value (see <see cref="RequireCheckers"/>), or null when
    /// the value has no mechanical check (e.g. <c>amounts_tie_to_source</c>) and is only an instruction to the model.
    /// </summary>
    public static string? RequireChecker(string require) =>
        require.Length > 0 && RequireCheckers.TryGetValue(require.Trim(), out var checker) ? checker : null;

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
