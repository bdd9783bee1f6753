using System.Text.RegularExpressions;
using Axon.Runtime.Model;

namespace Axon.Runtime.Anchors;

/// <summary>The 12 standard anchor checkers of the AXON standard library (reference §6.5).</summary>
public static partial class StandardAnchors
{
    /// <summary>Names of the standard anchors.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "NoHallucination", "FactualOnly", "SafeOutput", "PrivacyGuard", "NoBias", "ChildSafe", "NoCodeExecution",
        "AuditTrail", "SyllogismChecker", "ChainOfThoughtValidator", "RequiresCitation", "AgnosticFallback",
    ];

    private static readonly string[] Hedging = ["i believe", "i think", "probably", "might be", "could be", "it seems like", "supposedly", "i'm not sure but", "i'm guessing"];
    private static readonly string[] OpinionMarkers = ["in my opinion", "i feel that", "personally", "i prefer", "my favorite", "i'd recommend", "i suggest", "to me,"];
    private static readonly string[] Unsafe = ["how to make a bomb", "how to hack", "how to steal", "kill yourself", "self-harm", "suicide method", "racial slur", "hate speech"];
    private static readonly string[] Bias = ["the best political party", "the right wing is", "the left wing is", "liberals are", "conservatives are", "all men are", "all women are", "that race is"];
    private static readonly string[] Adult = ["explicit sexual", "graphic violence", "gore", "pornograph", "drug use instructions"];
    private static readonly string[] Profanity = ["fuck", "shit", "damn", "bastard", "bitch", "ass "];
    private static readonly string[] Code = ["os.system(", "subprocess.", "exec(", "eval(", "rm -rf", "del /f", "format c:", "import os", "import subprocess", "__import__("];
    private static readonly string[] Audit = ["reasoning:", "therefore", "because", "based on", "evidence:", "conclusion:", "analysis:", "step 1", "firstly", "in summary"];
    private static readonly string[] Ordinals = ["first,", "firstly", "secondly", "thirdly", "next,", "then,", "finally,", "lastly,", "to begin", "let's think", "let me think", "let us consider", "starting with"];
    private static readonly string[] Guessing = ["best guess", "i'm guessing", "if i had to guess", "it's possible that", "my guess is", "i would guess"];
    private static readonly string[] Honesty = ["i do not know", "i don't know", "insufficient data", "insufficient information", "i cannot determine", "not enough information", "unknown"];

    /// <summary>True when <paramref name="name"/> is a standard anchor.</summary>
    public static bool IsStandard(string name) => Names.Contains(name);

    /// <summary>
    /// The standard-library definition of a standard anchor (used when an epistemic block injects it).
    /// All standard anchors raise on violation.
    /// </summary>
    public static AnchorDefinition Definition(string name) => name switch
    {
        "NoHallucination" => new(name) { Require = "source_citation", Reject = ["speculation", "unverifiable_claim"], ConfidenceFloor = 0.80, OnViolation = "raise", OnViolationTarget = "AnchorBreachError" },
        "RequiresCitation" => new(name) { Require = "source_citation", OnViolation = "raise", OnViolationTarget = "AnchorBreachError" },
        "SyllogismChecker" => new(name) { Require = "premises_and_conclusion", OnViolation = "raise", OnViolationTarget = "AnchorBreachError" },
        _ => new(name) { OnViolation = "raise", OnViolationTarget = "AnchorBreachError" },
    };

    /// <summary>Runs the named standard checker. Returns null when the text passes, else the breach reason.</summary>
    public static string? Check(string name, string text)
    {
        var lower = text.ToLowerInvariant();
        switch (name)
        {
            case "NoHallucination":
                return Found(lower, Hedging) is { } h ? $"Hedging without citation: '{h}'" : null;
            case "FactualOnly":
                return Found(lower, OpinionMarkers) is { } o ? $"Opinion markers detected: '{o}'" : null;
            case "SafeOutput":
                return Found(lower, Unsafe) is { } u ? $"Unsafe content detected: '{u}'" : null;
            case "PrivacyGuard":
                if (Ssn().IsMatch(text)) return "PII detected: Social Security Number pattern";
                if (Card().IsMatch(text)) return "PII detected: credit card number pattern";
                if (Email().IsMatch(text)) return "PII detected: email address";
                if (Phone().IsMatch(text)) return "PII detected: phone number pattern";
                return null;
            case "NoBias":
                return Found(lower, Bias) is { } b ? $"Potential bias detected: '{b}'" : null;
            case "ChildSafe":
                if (Found(lower, Adult) is { } a) return $"Content not suitable for children: '{a}'";
                return Found(lower + " ", Profanity) is not null ? "Profanity detected" : null;
            case "NoCodeExecution":
                return Found(lower, Code) is { } c ? $"Code execution pattern detected: '{c}'" : null;
            case "AuditTrail":
                return Found(lower, Audit) is null ? "No reasoning trail found (expected markers such as 'because', 'therefore', 'based on')" : null;
            case "SyllogismChecker":
                if (!Premise().IsMatch(text)) return "No premise markers found (expected 'Premise 1:' or 'Major premise:')";
                var conclusions = Conclusion().Matches(text).Count;
                return conclusions == 1 ? null : conclusions == 0 ? "No conclusion marker found" : "Multiple conclusions found";
            case "ChainOfThoughtValidator":
                return StepN().IsMatch(text) || Found(lower, Ordinals) is not null ? null : "No step-by-step reasoning markers found";
            case "RequiresCitation":
                return Citation().IsMatch(text) ? null : "No citation found (expected [n], (Author, Year), doi: or a URL)";
            case "AgnosticFallback":
                return Found(lower, Guessing) is { } g && Found(lower, Honesty) is null ? $"Guessing without acknowledging uncertainty: '{g}'" : null;
            default:
                return null;
        }
    }

    private static string? Found(string lower, string[] phrases)
    {
        foreach (var p in phrases)
            if (lower.Contains(p, StringComparison.Ordinal)) return p;
        return null;
    }

    [GeneratedRegex(@"\b\d{3}-\d{2}-\d{4}\b")] private static partial Regex Ssn();
    [GeneratedRegex(@"\b(?:\d[ -]?){15}\d\b")] private static partial Regex Card();
    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")] private static partial Regex Email();
    [GeneratedRegex(@"(?:\+1[ -]?)?\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b")] private static partial Regex Phone();
    [GeneratedRegex(@"(?i)\b(?:major |minor )?premise(?: \d+)?:")] private static partial Regex Premise();
    [GeneratedRegex(@"(?i)\bconclusion:")] private static partial Regex Conclusion();
    [GeneratedRegex(@"(?i)\bstep \d+")] private static partial Regex StepN();
    [GeneratedRegex(@"\[\d+\]|\([A-Z][A-Za-z-]+(?: et al\.)?,? \d{4}\)|doi:\s*10\.\d{4,}|https?://\S+", RegexOptions.IgnoreCase)] private static partial Regex Citation();
}
