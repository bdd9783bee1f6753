using System;
using System.Collections.Generic;
using System.Linq;
using Axon.Language.IR;
using Axon.Language.Semantics;
using Axon.Language.Syntax;

namespace Axon.Language;

/// <summary>Everything the front end knows about one file.</summary>
public sealed class Compilation
{
    internal Compilation(ProgramNode? syntax, IrProgram? ir, IReadOnlyList<Diagnostic> diagnostics, int? tokenCount, int? declarationCount)
    {
        Syntax = syntax;
        Ir = ir;
        Diagnostics = diagnostics;
        TokenCount = tokenCount;
        DeclarationCount = declarationCount;
    }

    /// <summary>The AST; null after a lexical or syntax error.</summary>
    public ProgramNode? Syntax { get; }

    /// <summary>The IR; null when any error was found (or when IR generation was not requested).</summary>
    public IrProgram? Ir { get; }

    /// <summary>All diagnostics: lexical, syntax, semantic, IR (errors of each phase in the reference's order), warnings included.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    internal IReadOnlyList<Declaration>? RecoveredDeclarations { get; init; }

    /// <summary>The reference's token count (including EOF); null after a lexical error.</summary>
    public int? TokenCount { get; }

    /// <summary>The number of top-level declarations; null after a lexical or syntax error.</summary>
    public int? DeclarationCount { get; }

    /// <summary>True when there is no error (warnings allowed).</summary>
    public bool Success => !Diagnostics.Any(d => d.IsError);

    /// <summary>The errors only.</summary>
    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.IsError);

    /// <summary>
    /// For a file with errors (when <see cref="AxonCompiler.Compile(string, bool, bool)"/> was asked to recover): the IR of its valid declarations
    /// and the signatures of its broken flows; null for a valid file or when nothing could be recovered.
    /// </summary>
    public RecoveredProgram? Recovered { get; internal set; }
}

/// <summary>The front end: text → AST → checks → IR. Never throws for any input text.</summary>
public static class AxonCompiler
{
    /// <summary>The AXON language version this front end implements (written to IR <c>_meta</c>).</summary>
    public const string LanguageVersion = "0.7.0";

    /// <summary>Lexes, parses and checks <paramref name="text"/>; generates IR when <paramref name="generateIr"/> is set and there is no error.</summary>
    public static Compilation Compile(string text, bool generateIr = true) => Compile(text, generateIr, recover: false);

    /// <summary>
    /// As <see cref="Compile(string, bool)"/>; with <paramref name="recover"/>, a file with errors also gets
    /// <see cref="Compilation.Recovered"/> (the valid declarations' IR and the broken flows' signatures), for partial generation.
    /// </summary>
    public static Compilation Compile(string text, bool generateIr, bool recover)
    {
        var compilation = CompileCore(text, generateIr);
        if (!recover || compilation.Success) return compilation;
        try
        {
            if (compilation.Syntax is { } program)
                compilation.Recovered = Recovery.Recover(program.Declarations, program.Declarations, compilation.Errors);
            else if (compilation.RecoveredDeclarations is { Count: > 0 } declarations)
                compilation.Recovered = Recovery.Recover(declarations, declarations, compilation.Errors);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Recovery is best effort: the diagnostics of the file stand either way.
        }
        return compilation;
    }

    private static Compilation CompileCore(string text, bool generateIr)
    {
        try
        {
            var syntax = SyntaxParser.Parse(text);
            bool lexFailed = syntax.Diagnostics.Any(d => d.Phase == DiagnosticPhase.Lex);
            int? tokens = lexFailed ? null : syntax.TokenCount;
            if (syntax.Program == null)
                return new Compilation(null, null, DiagnosticOrder.Sort(syntax.Diagnostics), tokens, null) { RecoveredDeclarations = syntax.Recovered };

            var diagnostics = new List<Diagnostic>(syntax.Diagnostics);
            diagnostics.AddRange(Checker.Check(syntax.Program));
            IrProgram? ir = null;
            if (generateIr && !diagnostics.Any(d => d.IsError))
            {
                var lowered = IrGenerator.Generate(syntax.Program);
                diagnostics.AddRange(lowered.Diagnostics);
                ir = lowered.Program;
            }
            return new Compilation(syntax.Program, ir, DiagnosticOrder.Sort(diagnostics), tokens, syntax.Program.Declarations.Count);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug must surface as a diagnostic, never as a crash of the build or the IDE.
            var d = new Diagnostic("AXN9999", DiagnosticSeverity.Error, DiagnosticPhase.Parse,
                "Internal error in the AXON front end: " + ex.GetType().Name + ": " + ex.Message, TextSpan.Empty);
            return new Compilation(null, null, new[] { d }, null, null);
        }
    }
}
