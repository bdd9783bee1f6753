using System.Text;
using Antlr4.Runtime;
using Axon.Language.Parsing;

namespace Axon.Language.Tests.Syntax;

/// <summary>
/// The lexer's character stream shows non-ASCII characters to the lexer as ASCII characters of the same
/// lexical class (so ANTLR's DFA cache covers them). It must never change what the lexer produces.
/// </summary>
public sealed class LexerCharStreamTests
{
    private static readonly string[] Corpus = Directory
        .GetFiles(Path.Combine(AppContext.BaseDirectory, "Conformance", "reference"), "*.axon")
        .Select(File.ReadAllText)
        .ToArray();

    // Letters of several scripts, digits of other scripts (\p{Nd}), numbers that are not digits (\p{No}, \p{Nl}),
    // punctuation, symbols and spaces outside ASCII, and the ASCII characters that steer the lexer.
    private const string Pool =
        "éßøÆΩжЖ中文字ひらカナअआ" + "٣٤߁०৯" + "²½ⅧⅫ" + "—–…«»€™©\u00a0\u2028\u200b\ufeff" +
        "\"\\\n\r\t /*-.:,{}()[]<>=!?_aAz09ifrunflowknow";

    private static string Tokens(ICharStream input)
    {
        var lexer = new AxonLexer(input, TextWriter.Null, TextWriter.Null);
        lexer.RemoveErrorListeners();
        var sb = new StringBuilder();
        for (var t = lexer.NextToken(); ; t = lexer.NextToken())
        {
            sb.Append(t.Type).Append(' ').Append(t.StartIndex).Append('-').Append(t.StopIndex).Append(' ')
                .Append(t.Line).Append(':').Append(t.Column).Append(' ').Append(t.Text).Append('\n');
            if (t.Type == TokenConstants.EOF)
                return sb.ToString();
        }
    }

    private static void AssertSameTokens(string text) =>
        Assert.Equal(Tokens(new AntlrInputStream(text)), Tokens(new LexerCharStream(text)));

    [Fact]
    public void CorpusFilesLexTheSame()
    {
        foreach (var text in Corpus)
            AssertSameTokens(text);
    }

    [Fact]
    public void RandomTextInManyScriptsLexesTheSame()
    {
        var random = new Random(20261122);
        for (var i = 0; i < 400; i++)
        {
            var chars = new char[random.Next(1, 200)];
            for (var j = 0; j < chars.Length; j++)
                chars[j] = Pool[random.Next(Pool.Length)];
            AssertSameTokens(new string(chars));
        }
    }

    [Fact]
    public void NonAsciiInsideProgramsLexesTheSame()
    {
        var random = new Random(7);
        foreach (var text in Corpus)
        {
            // Replace some letters, digits and spaces by non-ASCII ones of the same or another class.
            var chars = text.ToCharArray();
            for (var j = 0; j < chars.Length; j++)
                if (random.Next(8) == 0 && chars[j] != '\n')
                    chars[j] = Pool[random.Next(24)];
            AssertSameTokens(new string(chars));
        }
    }

    [Theory]
    [InlineData('é')]
    [InlineData('ж')]
    [InlineData('中')]
    public void LettersStandForAnAsciiLetterThatStartsNoKeyword(char c)
    {
        var ascii = LexicalClasses.Representative[c];
        Assert.True(char.IsLetter(ascii) && ascii < 128, $"U+{(int)c:X4} -> U+{(int)ascii:X4}");
    }

    [Theory]
    [InlineData('٣')]
    [InlineData('०')]
    public void DigitsOfOtherScriptsStandForAnAsciiDigit(char c) =>
        Assert.InRange(LexicalClasses.Representative[c], '0', '9');

    [Theory]
    [InlineData('—')]
    [InlineData('\u00a0')]
    [InlineData('€')]
    public void OtherCharactersStandForAnAsciiCharacterWithNoRoleOfItsOwn(char c)
    {
        var ascii = LexicalClasses.Representative[c];
        Assert.True(ascii is > ' ' and < (char)127 && !char.IsLetterOrDigit(ascii) && ascii != '_', $"U+{(int)c:X4} -> U+{(int)ascii:X4}");
    }

    [Theory]
    [InlineData('²')]
    [InlineData('Ⅷ')]
    public void NumbersThatAreNotDigitsHaveNoAsciiTwinAndStayThemselves(char c) =>
        Assert.Equal('\0', LexicalClasses.Representative[c]);
}
