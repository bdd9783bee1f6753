using Antlr4.Runtime;

namespace Axon.Language.Parsing;

// Bounds the work done on garbage input: after MaxErrorTokens error tokens the lexer ends the
// stream, so a 50 MB binary file costs a few milliseconds instead of millions of tokens.
/// <summary>The ANTLR lexer generated from grammar/Axon.g4, with a bound on error tokens.</summary>
public partial class AxonLexer
{
    /// <summary>Error tokens after which lexing stops.</summary>
    internal const int MaxErrorTokens = 1000;

    /// <summary>Error tokens produced so far.</summary>
    internal int ErrorTokens { get; private set; }

    /// <summary>True when lexing stopped early because of too many errors.</summary>
    internal bool StoppedEarly { get; private set; }

    /// <inheritdoc />
    public override IToken NextToken()
    {
        if (ErrorTokens >= MaxErrorTokens)
        {
            StoppedEarly = true;
            HitEOF = true;
            return EmitEOF();
        }
        var token = base.NextToken();
        switch (token.Type)
        {
            case BAD_CHAR:
            case UNTERMINATED_STRING:
            case UNTERMINATED_COMMENT:
            case BAD_EQ:
            case BAD_BANG:
                ErrorTokens++;
                break;
        }
        return token;
    }
}
