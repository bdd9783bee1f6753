namespace Axon.Language.Syntax;

/// <summary>Line breaks: LF, CRLF and a lone CR each end a line.</summary>
internal static class LineBreaks
{
    /// <summary>
    /// The text with every lone CR replaced by LF. The lexer counts lines at LF only; one character for another keeps
    /// every offset and column, so positions stay those of the original text.
    /// </summary>
    public static string NormalizeLoneCarriageReturns(string text)
    {
        int i = text.IndexOf('\r');
        if (i < 0) return text;
        char[]? chars = null;
        for (; i < text.Length; i++)
        {
            if (text[i] == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n'))
            {
                chars ??= text.ToCharArray();
                chars[i] = '\n';
            }
        }
        return chars == null ? text : new string(chars);
    }
}
