using System;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;

namespace Axon.Language.Parsing;

/// <summary>The ANTLR parser generated from grammar/Axon.g4, with a hook at the end of each top-level declaration.</summary>
public partial class AxonParser
{
    /// <summary>Called as the parser leaves each top-level declaration it parsed without error (tree complete, stop token set).</summary>
    internal Action<DeclarationContext>? DeclarationParsed { get; set; }

    /// <inheritdoc />
    public override IToken Consume()
    {
        // As the base, but an AxonToken is its own parse-tree leaf: no TerminalNodeImpl per token (see AxonToken).
        // Error recovery and parse listeners keep the base behaviour.
        var token = CurrentToken;
        if (token is not AxonToken leaf || !BuildParseTree || ParseListeners.Count != 0 || ErrorHandler.InErrorRecoveryMode(this))
            return base.Consume();
        if (token.Type != TokenConstants.EOF) InputStream.Consume();
        leaf.Owner = Context;
        Context.AddChild((ITerminalNode)leaf);
        return token;
    }

    /// <inheritdoc />
    public override void ExitRule()
    {
        // A plain override, not a parse listener: the runtime enumerates listeners through an interface,
        // which allocated an enumerator for every rule and every token of the file.
        var context = Context;
        base.ExitRule();
        // Rules exit in a finally block: a declaration that ends in a syntax error exits too, with its exception set.
        if (DeclarationParsed is { } parsed && context is DeclarationContext { exception: null } declaration && declaration.Parent is ProgramContext)
            parsed(declaration);
    }
}
