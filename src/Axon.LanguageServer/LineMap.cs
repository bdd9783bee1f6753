using Axon.Language;
using Axon.LanguageServer.Protocol;
using Range = Axon.LanguageServer.Protocol.Range;

namespace Axon.LanguageServer;

/// <summary>
/// Converts between LSP positions (0-based lines, UTF-16 columns) and the front end's spans (1-based lines,
/// code-point columns) and text offsets. Positions beyond a line or the text are clamped, as LSP asks.
/// </summary>
internal sealed class LineMap
{
    private readonly string _text;
    private readonly int[] _lineStarts;
    private readonly bool _surrogates;

    public LineMap(string text)
    {
        _text = text;
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n') starts.Add(i + 1);
            else if (char.IsSurrogate(c)) _surrogates = true;
        }
        _lineStarts = starts.ToArray();
    }

    public int LineCount => _lineStarts.Length;

    /// <summary>The UTF-16 length of a 0-based line, without its line break.</summary>
    public int LineLength(int line)
    {
        if (line < 0 || line >= _lineStarts.Length) return 0;
        int end = line + 1 < _lineStarts.Length ? _lineStarts[line + 1] - 1 : _text.Length;
        if (end > _lineStarts[line] && _text[end - 1] == '\r' && line + 1 < _lineStarts.Length) end--;
        return end - _lineStarts[line];
    }

    /// <summary>True when the position names a line of the text and a column on it.</summary>
    public bool IsValid(Position p) => p.Line >= 0 && p.Line < _lineStarts.Length && p.Character >= 0 && p.Character <= LineLength(p.Line);

    /// <summary>The text offset of a position, clamped into the text.</summary>
    public int Offset(Position p)
    {
        if (p.Line < 0) return 0;
        if (p.Line >= _lineStarts.Length) return _text.Length;
        return _lineStarts[p.Line] + Math.Clamp(p.Character, 0, LineLength(p.Line));
    }

    /// <summary>The front end's (1-based line, code-point column) of an LSP position.</summary>
    public (int Line, int Column) ToSource(Position p)
    {
        int line = Math.Clamp(p.Line, 0, _lineStarts.Length - 1);
        int character = Math.Clamp(p.Character, 0, LineLength(line));
        if (!_surrogates) return (line + 1, character + 1);
        int start = _lineStarts[line], column = 1;
        for (int i = start; i < start + character; i++) if (!char.IsLowSurrogate(_text[i])) column++;
        return (line + 1, column);
    }

    /// <summary>The LSP position of a front-end (1-based line, code-point column).</summary>
    public Position ToLsp(int line, int column)
    {
        int l = Math.Clamp(line - 1, 0, _lineStarts.Length - 1);
        int length = LineLength(l);
        if (!_surrogates) return new Position(l, Math.Clamp(column - 1, 0, length));
        int start = _lineStarts[l], units = 0;
        for (int cp = 1; cp < column && units < length; cp++)
            units += char.IsHighSurrogate(_text[start + units]) && units + 1 < length ? 2 : 1;
        return new Position(l, units);
    }

    /// <summary>The LSP range of a span.</summary>
    public Range ToLsp(TextSpan span) => new(ToLsp(span.StartLine, span.StartColumn), ToLsp(span.EndLine, span.EndColumn));

    /// <summary>The position of a text offset.</summary>
    public Position PositionOf(int offset)
    {
        offset = Math.Clamp(offset, 0, _text.Length);
        int lo = 0, hi = _lineStarts.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (_lineStarts[mid] <= offset) lo = mid;
            else hi = mid - 1;
        }
        return new Position(lo, offset - _lineStarts[lo]);
    }
}
