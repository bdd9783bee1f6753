using System;
using System.Collections.Generic;

namespace Axon.Language;

/// <summary>How serious a diagnostic is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Informational; never fails a build.</summary>
    Info = 0,
    /// <summary>Something is probably wrong, but the program stays valid.</summary>
    Warning = 1,
    /// <summary>The program is invalid.</summary>
    Error = 2,
}

/// <summary>The front-end stage that produced a diagnostic (the reference's <c>phase</c>).</summary>
public enum DiagnosticPhase
{
    /// <summary>Lexical analysis.</summary>
    Lex,
    /// <summary>Parsing.</summary>
    Parse,
    /// <summary>Semantic checks (the reference's type checker).</summary>
    Type,
    /// <summary>IR generation (run resolution, tool verification, cycles).</summary>
    Ir,
}

/// <summary>A range in a source file: 1-based lines and columns, columns counted in code points; the end is exclusive.</summary>
public readonly record struct TextSpan(int StartLine, int StartColumn, int EndLine, int EndColumn)
{
    /// <summary>A span that covers nothing at 1:1.</summary>
    public static TextSpan Empty => new(1, 1, 1, 1);

    /// <summary>The span from the start of <paramref name="start"/> to the end of <paramref name="end"/>.</summary>
    public static TextSpan Cover(TextSpan start, TextSpan end) => new(start.StartLine, start.StartColumn, end.EndLine, end.EndColumn);

    /// <inheritdoc />
    public override string ToString() => $"({StartLine},{StartColumn},{EndLine},{EndColumn})";
}

/// <summary>A message about a source file, with a stable code, a severity and a location.</summary>
public sealed record Diagnostic(string Code, DiagnosticSeverity Severity, DiagnosticPhase Phase, string Message, TextSpan Span)
{
    /// <summary>True for errors.</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>
    /// True when the reference gives no position for this diagnostic (a parse error at end of input).
    /// The span still points just past the last character.
    /// </summary>
    public bool AtEndOfInput { get; init; }

    /// <summary>
    /// Other positions that matter to this diagnostic. A <see cref="RelatedLocation.IsReferencePosition"/> entry is
    /// where the AXON reference implementation reports the same error (when our primary span is more precise).
    /// </summary>
    public IReadOnlyList<RelatedLocation> Related { get; init; } = Array.Empty<RelatedLocation>();

    /// <summary>The position the reference implementation reports: the reference-position related location, or the span.</summary>
    public TextSpan ReferenceSpan
    {
        get
        {
            foreach (var r in Related) if (r.IsReferencePosition) return r.Span;
            return Span;
        }
    }

    /// <summary>MSBuild canonical form: <c>path(line,col): error AXN2003: message</c>.</summary>
    public string ToCanonicalString(string path) =>
        $"{path}({Span.StartLine},{Span.StartColumn}): {SeverityText(Severity)} {Code}: {Message}";

    /// <summary>The lower-case severity word used by MSBuild.</summary>
    public static string SeverityText(DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        _ => "info",
    };
}

/// <summary>A secondary position of a diagnostic, with what it is.</summary>
/// <param name="Span">The position.</param>
/// <param name="Message">What is there (e.g. "reported here by the reference", "declared here").</param>
/// <param name="IsReferencePosition">True for the position the AXON reference implementation reports.</param>
public sealed record RelatedLocation(TextSpan Span, string Message, bool IsReferencePosition = false)
{
    /// <summary>The message of the reference-position entry.</summary>
    public const string ReferenceMessage = "the statement the reference implementation reports";

    /// <summary>The related location marking the reference implementation's position.</summary>
    public static RelatedLocation Reference(TextSpan span) => new(span, ReferenceMessage, true);
}

/// <summary>Orders diagnostics as the reference reports them: lexical first, then syntax, semantic, IR; by position within a phase except semantic (kept in checker order).</summary>
internal static class DiagnosticOrder
{
    public static List<Diagnostic> Sort(IEnumerable<Diagnostic> diagnostics)
    {
        var list = new List<Diagnostic>(diagnostics);
        // Stable sort by phase only; each phase already produced its diagnostics in the reference's order.
        var indexed = new List<(Diagnostic d, int i)>(list.Count);
        for (int i = 0; i < list.Count; i++) indexed.Add((list[i], i));
        indexed.Sort((a, b) =>
        {
            int c = ((int)a.d.Phase).CompareTo((int)b.d.Phase);
            return c != 0 ? c : a.i.CompareTo(b.i);
        });
        list.Clear();
        foreach (var (d, _) in indexed) list.Add(d);
        return list;
    }
}

/// <summary>The stable diagnostic codes of the front end.</summary>
public static class DiagnosticCodes
{
    // AXN1xxx: lexical and syntax.
    /// <summary>A character that starts no token.</summary>
    public const string UnexpectedCharacter = "AXN1001";
    /// <summary>A string runs to end of file.</summary>
    public const string UnterminatedString = "AXN1002";
    /// <summary>A string meets a newline before its closing quote.</summary>
    public const string UnterminatedStringNewline = "AXN1003";
    /// <summary>A backslash at end of file inside a string.</summary>
    public const string UnterminatedEscape = "AXN1004";
    /// <summary>A number ends with a dot.</summary>
    public const string ExpectedDigitAfterDot = "AXN1005";
    /// <summary>A lone <c>=</c>.</summary>
    public const string LoneEquals = "AXN1006";
    /// <summary>A lone <c>!</c>.</summary>
    public const string LoneBang = "AXN1007";
    /// <summary>A block comment without its <c>*/</c>.</summary>
    public const string UnterminatedComment = "AXN1008";
    /// <summary>A token where a specific other token is required.</summary>
    public const string UnexpectedToken = "AXN1100";
    /// <summary>A token that starts no declaration.</summary>
    public const string UnexpectedTopLevel = "AXN1101";
    /// <summary>A token that starts no flow step.</summary>
    public const string UnexpectedInFlowBody = "AXN1102";
    /// <summary>A token that starts no step item.</summary>
    public const string UnexpectedInStepBody = "AXN1103";
    /// <summary>A value that is not an identifier or keyword.</summary>
    public const string ExpectedWord = "AXN1104";
    /// <summary>A range bound that is not a number.</summary>
    public const string ExpectedNumber = "AXN1105";
    /// <summary>So many errors that the rest of the file was not checked.</summary>
    public const string TooManyErrors = "AXN1899";
    /// <summary>An input file that is not valid UTF-8 text.</summary>
    public const string InvalidEncoding = "AXN1900";

    // AXN2001–AXN2036: the reference checker's checks, numbered as in its catalogue.
    /// <summary>The code of the reference check with the given catalogue number (1–36).</summary>
    public static string Check(int number) => "AXN2" + number.ToString("000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Warning: a declaration field the language does not know (ignored, as the reference does).</summary>
    public const string UnknownField = "AXN2101";
    /// <summary>Warning: a type name that is neither built in nor declared.</summary>
    public const string UnknownType = "AXN2102";
    /// <summary>Warning: a flow's return type does not fit the output type of its final step.</summary>
    public const string ReturnTypeMismatch = "AXN2103";
    /// <summary>Warning: a <c>given:</c> or other reference names nothing the runtime can bind.</summary>
    public const string UnresolvedReference = "AXN2104";
    /// <summary>Warning: <c>X.output</c> where <c>X</c> is no step of the flow.</summary>
    public const string OutputOfNonStep = "AXN2105";
    /// <summary>Warning: a <c>{{name}}</c> placeholder in a prompt string that resolves to nothing.</summary>
    public const string UnresolvedPlaceholder = "AXN2106";
    /// <summary>Warning: a <c>run</c> passes more positional arguments than the flow has parameters.</summary>
    public const string ExtraRunArguments = "AXN2107";
    /// <summary>Error: nesting deeper than the documented limit.</summary>
    public const string NestingTooDeep = "AXN1106";
    /// <summary>Error: a number the runtime cannot represent (non-finite float, integer beyond its range).</summary>
    public const string NumberOutOfRange = "AXN1107";
    /// <summary>Error: a lone UTF-16 surrogate in the text.</summary>
    public const string LoneSurrogate = "AXN1009";
    /// <summary>Error: an opinion/speculation/uncertainty where a fact type is declared.</summary>
    public const string EpistemicMismatch = "AXN2201";

    // AXN4xxx: IR.
    /// <summary>A run names a declaration that does not exist.</summary>
    public const string UndefinedRunReference = "AXN4001";
    /// <summary>A step of a run flow uses an undeclared tool.</summary>
    public const string UndefinedTool = "AXN4002";
    /// <summary>The steps of a flow depend on each other in a cycle.</summary>
    public const string DependencyCycle = "AXN4003";
}
