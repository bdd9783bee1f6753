using System;
using System.Collections.Generic;
using Antlr4.Runtime;
using Antlr4.Runtime.Atn;
using Antlr4.Runtime.Misc;

namespace Axon.Language.Parsing;

/// <summary>
/// The character stream the lexer reads: the source string itself (no copy), in which every non-ASCII
/// character is presented to the lexer as an ASCII character of the same lexical class.
/// </summary>
/// <remarks>
/// ANTLR's lexer caches DFA edges only for characters 0–127; any other character is matched by simulating
/// the ATN again, microseconds per character, so text in strings and comments in most of the world's
/// languages lexed far slower than ASCII. The classes come from the grammar's own sets (see
/// <see cref="LexicalClasses"/>), so the lexer makes exactly the same decisions; token text, positions and
/// messages always read the real characters. Only for text without surrogate pairs (whose indexes are code
/// points already); the others use ANTLR's code-point stream.
/// </remarks>
internal sealed class LexerCharStream : ICharStream
{
    private readonly string _text;
    private int _p;

    public LexerCharStream(string text) => _text = text;

    public int Index => _p;

    public int Size => _text.Length;

    public string SourceName => IntStreamConstants.UnknownSourceName;

    public void Consume()
    {
        if (_p >= _text.Length)
            throw new InvalidOperationException("cannot consume EOF");
        _p++;
    }

    public int LA(int i)
    {
        if (i == 0)
            return 0; // undefined, as in ANTLR's own streams
        int at = i > 0 ? _p + i - 1 : _p + i;
        if (at < 0 || at >= _text.Length)
            return IntStreamConstants.EOF;
        char c = _text[at];
        if (c < 128)
            return c;
        char mapped = LexicalClasses.Representative[c];
        return mapped == 0 ? c : mapped;
    }

    public int Mark() => -1;

    public void Release(int marker)
    {
    }

    public void Seek(int index) => _p = Math.Max(0, Math.Min(index, _text.Length));

    public string GetText(Interval interval)
    {
        int start = interval.a;
        int stop = Math.Min(interval.b, _text.Length - 1);
        return start >= _text.Length || stop < start ? "" : _text.Substring(start, stop - start + 1);
    }

    public override string ToString() => _text;
}

/// <summary>
/// For each non-ASCII BMP character, an ASCII character that every transition of the lexer's ATN treats
/// the same way (or 0 where none does, e.g. a number that is not a digit: no ASCII character is an
/// identifier part without being a letter, digit or underscore).
/// </summary>
internal static class LexicalClasses
{
    public static readonly char[] Representative = Build(AxonLexer._ATN);

    internal static char[] Build(ATN atn)
    {
        var table = new char[char.MaxValue + 1];
        var wide = new List<Transition>();   // can match some non-ASCII character
        var narrow = new List<Transition>(); // matches ASCII characters only
        foreach (var state in atn.states)
        {
            if (state is null)
                continue;
            for (int i = 0; i < state.NumberOfTransitions; i++)
            {
                var t = state.Transition(i);
                if (t.IsEpsilon)
                    continue;
                if (t is NotSetTransition || t is WildcardTransition || (t.Label is { } label && label.MaxElement >= 128))
                    wide.Add(t);
                else if (t.Label is not null)
                    narrow.Add(t);
                else
                    return table; // a transition kind this analysis does not know: map nothing
            }
        }
        if (wide.Count > 64)
            return table;

        // Signature of a character: which wide transitions match it. Candidates: ASCII characters that no
        // narrow transition matches (a non-ASCII character matches none of those either).
        // Only visible characters stand in for others (0 in the table means "no stand-in").
        var representatives = new Dictionary<ulong, char>();
        for (int a = '!'; a <= '~'; a++)
        {
            bool free = true;
            foreach (var t in narrow)
            {
                if (t.Matches(a, Lexer.MinCharValue, Lexer.MaxCharValue))
                {
                    free = false;
                    break;
                }
            }
            var signature = Signature(wide, a);
            if (free && !representatives.ContainsKey(signature))
                representatives[signature] = (char)a;
        }

        var signatures = new ulong[char.MaxValue + 1];
        for (int w = 0; w < wide.Count; w++)
        {
            ulong bit = 1UL << w;
            var t = wide[w];
            if (t is WildcardTransition)
            {
                for (int c = 128; c <= char.MaxValue; c++) signatures[c] |= bit;
            }
            else if (t is NotSetTransition notSet)
            {
                for (int c = 128; c <= char.MaxValue; c++) signatures[c] |= bit;
                foreach (var iv in notSet.set.GetIntervals())
                    for (int c = Math.Max(iv.a, 128); c <= Math.Min(iv.b, (int)char.MaxValue); c++) signatures[c] &= ~bit;
            }
            else
            {
                foreach (var iv in t.Label.GetIntervals())
                    for (int c = Math.Max(iv.a, 128); c <= Math.Min(iv.b, (int)char.MaxValue); c++) signatures[c] |= bit;
            }
        }
        for (int c = 128; c <= char.MaxValue; c++)
        {
            if (char.IsSurrogate((char)c))
                continue;
            if (representatives.TryGetValue(signatures[c], out var ascii))
                table[c] = ascii;
        }
        return table;
    }

    private static ulong Signature(List<Transition> wide, int c)
    {
        ulong s = 0;
        for (int w = 0; w < wide.Count; w++)
            if (wide[w].Matches(c, Lexer.MinCharValue, Lexer.MaxCharValue))
                s |= 1UL << w;
        return s;
    }
}
