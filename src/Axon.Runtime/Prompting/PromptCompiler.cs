using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Axon.Runtime.Anchors;
using Axon.Runtime.Model;

namespace Axon.Runtime.Prompting;

/// <summary>Prompt dialect; each backend family words its prompts differently (reference §5).</summary>
public enum PromptStyle
{
    /// <summary>Anthropic wording (also Bedrock and the stub).</summary>
    Anthropic,
    /// <summary>Gemini wording (markdown headings).</summary>
    Gemini,
    /// <summary>OpenAI wording (also azure-openai and custom OpenAI-compatible endpoints).</summary>
    OpenAI,
    /// <summary>Ollama wording (short, plain; small local models follow it better).</summary>
    Ollama,
}

/// <summary>A resolved input of a step: the reference as written and its current value.</summary>
/// <param name="Reference">As written (<c>doc</c>, <c>Extract.output</c>).</param>
/// <param name="Value">The value rendered as text, or null when the reference is not bound.</param>
public readonly record struct PromptInput(string Reference, string? Value);

/// <summary>Everything a step prompt is built from; values are already resolved.</summary>
public sealed class StepPromptParts
{
    /// <summary>Node kind: step, probe, reason, weave.</summary>
    public string Kind { get; init; } = "step";
    /// <summary>Resolved <c>given</c> inputs.</summary>
    public IReadOnlyList<PromptInput> Inputs { get; init; } = [];
    /// <summary>The (interpolated) question.</summary>
    public string Ask { get; init; } = "";
    /// <summary>Probe: target and fields.</summary>
    public (string Target, IReadOnlyList<string> Fields)? Probe { get; init; }
    /// <summary>Reason node.</summary>
    public ReasonNode? Reason { get; init; }
    /// <summary>Weave node with resolved sources.</summary>
    public (WeaveNode Node, IReadOnlyList<PromptInput> Sources)? Weave { get; init; }
    /// <summary>Declared output type.</summary>
    public string OutputType { get; init; } = "";
    /// <summary>JSON schema text when structured output is requested.</summary>
    public string? JsonSchema { get; init; }
    /// <summary>Step confidence floor.</summary>
    public double? ConfidenceFloor { get; init; }
    /// <summary>Tool already called for this step: name, argument, result.</summary>
    public (string Name, string Argument, string Result)? Tool { get; init; }
    /// <summary>Memories recalled earlier in the flow.</summary>
    public IReadOnlyList<string> Memories { get; init; } = [];
    /// <summary>Why the previous attempt was rejected (refine).</summary>
    public string? FailureContext { get; init; }
}

/// <summary>
/// A step prompt in consecutive pieces; joined they are exactly what
/// <see cref="PromptCompiler.CompileStepPrompt"/> returns. <see cref="Contract"/> (required output
/// type, confidence floor, JSON schema) is the same on every call of a step and comes first, so that it
/// extends the prefix a provider can cache (system prompt, then contract); it is a shared string, so a call
/// only builds the text after it.
/// </summary>
/// <param name="Contract">The output contract (shared), or empty when the step has none; then <paramref name="Body"/> is the whole prompt.</param>
/// <param name="Body">Memories, inputs, tool result and the question (per call); after a contract it starts with the blank line that separates them.</param>
/// <param name="Tail">What follows the body after a contract (the previous attempt's failure), or empty.</param>
public readonly record struct StepPromptText(string Contract, string Body, string Tail)
{
    /// <summary>Length of the whole prompt.</summary>
    public int Length => Contract.Length + Body.Length + Tail.Length;

    /// <summary>The whole prompt as one string.</summary>
    public override string ToString() => Contract.Length == 0 && Tail.Length == 0 ? Body : string.Concat(Contract, Body, Tail);
}

/// <summary>
/// The prompt compiler: system prompt (persona, context, anchors) and step prompts for every
/// construct, in the wording of each backend family. Unlike the reference, step inputs carry their
/// real values.
/// </summary>
public static class PromptCompiler
{
    [ThreadStatic] private static StringBuilder? t_builder;

    // Output contracts by content: one shared string per step definition and style. Bounded, since the
    // content comes from program definitions; past the bound a contract is simply built per call.
    private const int MaxContracts = 1024;
    private static readonly ConcurrentDictionary<string, string> Contracts = new(StringComparer.Ordinal);
    private static int s_contractCount;
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ContractsBySpan =
        Contracts.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The prompt style of a backend name.</summary>
    public static PromptStyle StyleFor(string? backend) => backend?.ToLowerInvariant() switch
    {
        "gemini" => PromptStyle.Gemini,
        "openai" or "azure-openai" or "custom" => PromptStyle.OpenAI,
        "ollama" => PromptStyle.Ollama,
        _ => PromptStyle.Anthropic,
    };

    /// <summary>Python's <c>format(x, ".0%")</c>.</summary>
    public static string Percent(double x) =>
        Math.Round(x * 100, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture) + "%";

    /// <summary>Python's float repr for the values used in prompts (<c>0.75</c>, <c>1.0</c>).</summary>
    public static string FloatRepr(double x)
    {
        var s = x.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }

    /// <summary>Builds the system prompt (reference §5.2/§5.3 templates).</summary>
    public static string CompileSystemPrompt(PromptStyle style, PersonaDefinition? persona, ContextDefinition? context, IReadOnlyList<AnchorDefinition> anchors)
    {
        var sections = new List<string>(3);
        if (persona is not null) sections.Add(PersonaSection(style, persona));
        if (context is not null) sections.Add(ContextSection(style, context));
        if (anchors.Count > 0) sections.Add(AnchorSection(style, anchors));
        return string.Join("\n\n", sections);
    }

    private static string PersonaSection(PromptStyle style, PersonaDefinition p)
    {
        var lines = new List<string>();
        var gemini = style == PromptStyle.Gemini;
        lines.Add(gemini ? $"Your identity is {p.Name}." : $"You are {p.Name}.");
        if (p.Description.Length > 0) lines.Add(p.Description);
        if (p.Domain.Count > 0) lines.Add((gemini ? "Expertise areas: " : "Your areas of expertise: ") + string.Join(", ", p.Domain) + ".");
        if (p.Tone.Length > 0) lines.Add((gemini ? "Tone of communication: " : "Communication tone: ") + p.Tone + ".");
        if (p.Language.Length > 0) lines.Add((gemini ? "Language for all responses: " : "Respond in: ") + p.Language + ".");
        if (p.ConfidenceThreshold is { } t)
            lines.Add(gemini ? $"Only state claims when you are at least {Percent(t)} confident." : $"Only provide claims you are at least {Percent(t)} confident about.");
        if (p.CiteSources == true) lines.Add(gemini ? "Cite sources for factual claims using inline references." : "Always cite your sources.");
        if (p.RefuseIf.Count > 0) lines.Add((gemini ? "Decline to respond if: " : "Refuse to engage if: ") + string.Join("; ", p.RefuseIf) + ".");
        return string.Join("\n", lines);
    }

    private static string ContextSection(PromptStyle style, ContextDefinition c)
    {
        var lines = new List<string>();
        if (style == PromptStyle.Gemini)
        {
            lines.Add("## Session Parameters");
            if (c.Depth.Length > 0)
                lines.Add("- Depth: " + c.Depth switch
                {
                    "shallow" => "Keep responses brief and high-level.",
                    "standard" => "Provide clear, moderately detailed responses.",
                    "deep" => "Provide in-depth, comprehensive analysis.",
                    "exhaustive" => "Provide the most thorough analysis possible. Cover every aspect in detail.",
                    _ => $"Response depth: {c.Depth}.",
                });
            if (c.Language.Length > 0) lines.Add("- Language: " + c.Language);
            if (c.MaxTokens is { } n) lines.Add($"- Target response length: approximately {n} tokens");
            if (c.CiteSources == true) lines.Add("- Citations: Required for all factual statements");
            return string.Join("\n", lines);
        }
        lines.Add(style switch { PromptStyle.OpenAI => "# Session configuration", PromptStyle.Ollama => "SESSION:", _ => "[SESSION CONFIGURATION]" });
        var indent = style == PromptStyle.OpenAI ? "- " : "  ";
        if (c.Depth.Length > 0)
            lines.Add(indent + "Depth: " + c.Depth switch
            {
                "shallow" => "Provide concise, high-level responses.",
                "standard" => "Provide balanced, moderately detailed responses.",
                "deep" => "Provide thorough, detailed analysis.",
                "exhaustive" => "Provide exhaustive analysis covering all angles. Leave nothing unexamined.",
                _ => $"Analysis depth: {c.Depth}.",
            });
        if (c.Language.Length > 0) lines.Add(indent + "Language: " + c.Language);
        if (c.MaxTokens is { } m) lines.Add($"{indent}Target response length: ~{m} tokens");
        if (c.CiteSources == true) lines.Add(indent + "Citation required: yes");
        return string.Join("\n", lines);
    }

    private static string AnchorSection(PromptStyle style, IReadOnlyList<AnchorDefinition> anchors)
    {
        var sb = new StringBuilder();
        var gemini = style == PromptStyle.Gemini;
        if (gemini) sb.Append("## Mandatory Constraints\nThe following rules are absolute. Never violate them.\n\n");
        else if (style == PromptStyle.OpenAI) sb.Append("# Hard constraints (absolute, non-negotiable)\n\n");
        else sb.Append("[HARD CONSTRAINTS — THESE RULES ARE ABSOLUTE AND NON-NEGOTIABLE]\n\n");
        for (var i = 0; i < anchors.Count; i++)
        {
            var a = anchors[i];
            if (gemini)
            {
                sb.Append($"### Constraint {i + 1}: {a.Name}\n");
                if (a.Require.Length > 0) sb.Append($"- **MUST**: {a.Require}\n");
                if (a.Reject.Count > 0) sb.Append($"- **MUST NOT**: {string.Join(", ", a.Reject)}\n");
                if (a.Enforce.Length > 0) sb.Append($"- **Rule**: {a.Enforce}\n");
                if (a.ConfidenceFloor is { } f) sb.Append($"- **Min Confidence**: {Percent(f)} — do not make claims below this threshold\n");
                if (a.UnknownResponse.Length > 0) sb.Append($"- **When uncertain**, respond with: \"{a.UnknownResponse}\"\n");
            }
            else
            {
                var arrow = style == PromptStyle.Anthropic ? "  → " : "  - ";
                sb.Append($"CONSTRAINT {i + 1}: {a.Name}\n");
                if (a.Require.Length > 0) sb.Append($"{arrow}You MUST: {a.Require}\n");
                if (a.Reject.Count > 0) sb.Append($"{arrow}You MUST NOT: {string.Join(", ", a.Reject)}\n");
                if (a.Enforce.Length > 0) sb.Append($"{arrow}ENFORCE: {a.Enforce}\n");
                if (a.ConfidenceFloor is { } f) sb.Append($"{arrow}MINIMUM CONFIDENCE: {Percent(f)} — below this threshold, do not make the claim.\n");
                if (a.UnknownResponse.Length > 0) sb.Append($"{arrow}WHEN UNCERTAIN, respond exactly with: \"{a.UnknownResponse}\"\n");
                if (StandardAnchors.IsStandard(a.Name) && a.Require.Length == 0 && a.Reject.Count == 0)
                    sb.Append($"{arrow}{StandardInstruction(a.Name)}\n");
            }
            sb.Append('\n');
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>The instruction stated for a standard anchor that has no fields of its own.</summary>
    public static string StandardInstruction(string name) => name switch
    {
        "NoHallucination" => "Do not hedge or guess; state only what the sources support.",
        "FactualOnly" => "State facts only; no opinions or recommendations.",
        "SafeOutput" => "Never produce harmful or dangerous content.",
        "PrivacyGuard" => "Never reveal personal data (SSNs, card numbers, emails, phone numbers).",
        "NoBias" => "Avoid generalisations about political, gender or ethnic groups.",
        "ChildSafe" => "Keep the content suitable for children; no profanity.",
        "NoCodeExecution" => "Do not include executable system commands.",
        "AuditTrail" => "Explain your reasoning (because, therefore, based on …).",
        "SyllogismChecker" => "Structure the answer as 'Premise 1:', 'Premise 2:', … and exactly one 'Conclusion:'.",
        "ChainOfThoughtValidator" => "Reason step by step ('Step 1', 'Step 2', …).",
        "RequiresCitation" => "Cite a source for every claim ([1], (Author, Year), doi: or a URL).",
        "AgnosticFallback" => "If you do not know, say \"I don't know\" instead of guessing.",
        _ => "",
    };

    /// <summary>Builds the user prompt of one model call.</summary>
    public static string CompileStepPrompt(PromptStyle style, StepPromptParts p)
    {
        var sb = Build(style, p, out _, out _);
        var text = sb.ToString(0, TrimmedEnd(sb, 0));
        Release(sb);
        return text;
    }

    /// <summary>
    /// Builds the user prompt of one model call in pieces: the output contract is a shared string
    /// (see <see cref="StepPromptText"/>); joined, the pieces equal <see cref="CompileStepPrompt"/>.
    /// </summary>
    public static StepPromptText CompileStepPromptText(PromptStyle style, StepPromptParts p)
    {
        var sb = Build(style, p, out var contractEnd, out var bodyEnd);
        var end = TrimmedEnd(sb, 0);
        StepPromptText text;
        if (contractEnd == 0)
        {
            text = new StepPromptText("", sb.ToString(0, end), "");
        }
        else
        {
            // The body's trailing newline belongs to the tail when there is one: the prompt ends trimmed.
            var bodyTrimmed = TrimmedEnd(sb, contractEnd, bodyEnd);
            text = new StepPromptText(
                SharedContract(sb, 0, contractEnd),
                sb.ToString(contractEnd, bodyTrimmed - contractEnd),
                end > bodyTrimmed ? sb.ToString(bodyTrimmed, end - bodyTrimmed) : "");
        }
        Release(sb);
        return text;
    }

    private static string SharedContract(StringBuilder sb, int start, int length)
    {
        char[]? rented = null;
        var chars = length <= 512 ? stackalloc char[length] : (rented = ArrayPool<char>.Shared.Rent(length)).AsSpan(0, length);
        sb.CopyTo(start, chars, length);
        var contract = ContractsBySpan.TryGetValue(chars, out var shared) ? shared : null;
        if (contract is null)
        {
            contract = chars.ToString();
            if (Volatile.Read(ref s_contractCount) < MaxContracts && Contracts.TryAdd(contract, contract)) Interlocked.Increment(ref s_contractCount);
            else if (Contracts.TryGetValue(contract, out shared)) contract = shared;
        }
        if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        return contract;
    }

    private static int TrimmedEnd(StringBuilder sb, int start, int end = -1)
    {
        if (end < 0) end = sb.Length;
        while (end > start && char.IsWhiteSpace(sb[end - 1])) end--;
        return end;
    }

    private static void Release(StringBuilder sb)
    {
        if (sb.Capacity <= 16 * 1024) t_builder = sb;
    }

    /// <summary>
    /// Writes the step prompt into the per-thread builder. The output contract (the parts that are
    /// fixed for a step: output type, confidence floor, schema) comes first and lies in [0, contractEnd),
    /// without trailing whitespace; the per-call body follows up to bodyEnd, then the previous failure.
    /// </summary>
    private static StringBuilder Build(PromptStyle style, StepPromptParts p, out int contractEnd, out int bodyEnd)
    {
        // A per-thread builder: prompts are built on every model call, the buffer is reused.
        var sb = t_builder ?? new StringBuilder(1024);
        t_builder = null;
        sb.Clear();
        var gemini = style == PromptStyle.Gemini;
        if (p.OutputType.Length > 0)
            sb.Append(gemini ? "**Required output type:** `" : "Your output MUST conform to the type: ").Append(p.OutputType).Append(gemini ? "`\n" : "\n");
        if (p.ConfidenceFloor is { } floor)
            Separate(sb).Append(gemini ? $"**Minimum confidence:** {Percent(floor)}. Express uncertainty if below this threshold.\n"
                                       : $"Minimum confidence required: {Percent(floor)}. If you cannot meet this threshold, indicate uncertainty.\n");
        if (p.JsonSchema is { } schema)
            Separate(sb).Append(style == PromptStyle.Ollama ? "Answer with JSON only, matching this schema:\n" : "Respond with a single JSON object that matches this JSON schema (include \"confidence\", a number from 0 to 1):\n")
              .Append(schema).Append('\n');
        contractEnd = TrimmedEnd(sb, 0);
        sb.Length = contractEnd;
        var bodyStart = sb.Length;
        // A blank line between the contract and the body; taken back below when the body is empty.
        if (contractEnd > 0) sb.Append("\n\n");
        var separated = sb.Length;
        // Indexed loops and appends in pieces: this runs on every model call and should build nothing but the prompt.
        for (var i = 0; i < p.Memories.Count; i++)
            sb.Append(gemini ? "**Recalled memory:** " : "Recalled memory: ").Append(p.Memories[i]).Append('\n');
        if (p.Memories.Count > 0) sb.Append('\n');
        for (var i = 0; i < p.Inputs.Count; i++)
        {
            var input = p.Inputs[i];
            if (input.Value is null) sb.Append(gemini ? "**Input:** " : "Given the input: ").Append(input.Reference).Append('\n');
            else sb.Append(gemini ? "**Input (" : "Given the input (").Append(input.Reference).Append(gemini ? "):**\n" : "):\n").Append(input.Value).Append('\n');
        }
        if (p.Tool is { } tool)
        {
            sb.Append(gemini ? $"**Tool `{tool.Name}` returned**" : $"The tool '{tool.Name}' was called")
              .Append(tool.Argument.Length > 0 ? $" with: {tool.Argument}" : "").Append(gemini ? ":\n" : ". Its result:\n")
              .Append(tool.Result).Append('\n');
        }
        if (p.Probe is { } probe)
        {
            var f = string.Join(", ", probe.Fields);
            if (p.Kind == "probe")
                sb.Append(gemini
                    ? $"Extract the following fields from the given source:\n\n**Fields to extract:** {f}\n**Source:** {probe.Target}\n\nReturn a JSON object with keys: [{f}]. Use `null` for fields that cannot be determined.\n"
                    : $"Analyze the following and extract these specific fields: [{f}]\n\nSource: {probe.Target}\n\nReturn the results as a structured JSON object with exactly these keys: {f}. If a field cannot be determined, set its value to null.\n");
            else
                sb.Append(gemini ? $"**Extract** from `{probe.Target}`: [{f}]\nReturn structured results as JSON.\n" : $"Extract the following from {probe.Target}: [{f}]\nReturn structured results for each field.\n");
        }
        if (p.Reason is { } r)
        {
            if (r.About.Length > 0) sb.Append(gemini ? $"**Reason about:** {r.About}\n" : $"Reason carefully about: {r.About}\n");
            if (p.Ask.Length > 0) sb.Append('\n').Append(p.Ask).Append('\n');
            if (r.Depth > 1)
                sb.Append(gemini ? $"\nPerform a {r.Depth}-level deep analysis. Each level should build on the insights of the previous one.\n"
                                 : $"\nPerform {r.Depth} levels of analysis, each building on the previous.\n");
            if (r.ShowWork || r.ChainOfThought)
                sb.Append(gemini ? "\nThink step by step. Show your complete reasoning process explicitly before arriving at your conclusion.\n"
                                 : "\nShow your complete reasoning process step by step. Make your chain of thought explicit and traceable.\n");
        }
        if (p.Weave is { } w)
        {
            sb.Append(gemini ? "**Synthesize** the following sources:\n" : "Synthesize the following sources into a coherent result:\n");
            foreach (var s in w.Sources)
                sb.Append("- ").Append(s.Reference).Append(s.Value is null ? "" : ":\n" + s.Value).Append('\n');
            if (w.Node.Target.Length > 0) sb.Append(gemini ? $"\n**Target output:** {w.Node.Target}\n" : $"\nTarget output: {w.Node.Target}\n");
            if (w.Node.FormatType.Length > 0) sb.Append(gemini ? $"**Format:** {w.Node.FormatType}\n" : $"Output format: {w.Node.FormatType}\n");
            if (w.Node.Priority.Count > 0)
                sb.Append(gemini ? "**Priority order:** " : "Priority ordering (address first to last): ").Append(string.Join(" → ", w.Node.Priority)).Append('\n');
            if (w.Node.Style.Length > 0) sb.Append(gemini ? $"**Style:** {w.Node.Style}\n" : $"Style: {w.Node.Style}\n");
        }
        if (p.Ask.Length > 0 && p.Reason is null) sb.Append(p.Ask).Append('\n');
        if (sb.Length == separated) sb.Length = bodyStart;
        bodyEnd = sb.Length;
        if (p.FailureContext is { Length: > 0 } fc)
        {
            if (sb.Length > 0 && sb[^1] != '\n') sb.Append('\n'); // a contract with no body after it ends trimmed
            sb.Append(gemini ? "\n**Your previous answer was rejected:**\n" : "\nYour previous answer was rejected:\n").Append(fc).Append("\nFix the problem and answer again.\n");
        }
        return sb;
    }

    /// <summary>A blank line before a contract part that follows another.</summary>
    private static StringBuilder Separate(StringBuilder sb) => sb.Length > 0 ? sb.Append('\n') : sb;
}
