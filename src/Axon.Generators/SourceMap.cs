using System.Collections.Generic;
using Microsoft.CodeAnalysis.Text;

namespace Axon.Generators;

/// <summary>
/// Turns the front end's 1-based line/column positions (columns in code points) into the UTF-16
/// offsets and 0-based line positions Roslyn locations need.
/// </summary>
internal sealed class SourceMap
{
    private readonly string _text;
    private readonly List<int> _lineStarts = new() { 0 };

    public SourceMap(string text)
    {
        _text = text;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') continue;
            if (c == '\n' || c == '\r') _lineStarts.Add(i + 1);
        }
    }

    /// <summary>The UTF-16 offset and 0-based line position of a 1-based line and code-point column, clamped to the text.</summary>
    public (int Offset, LinePosition Position) Locate(int line, int column)
    {
        var l = line < 1 ? 0 : line > _lineStarts.Count ? _lineStarts.Count - 1 : line - 1;
        var start = _lineStarts[l];
        var end = l + 1 < _lineStarts.Count ? _lineStarts[l + 1] : _text.Length;
        var offset = start;
        for (var cp = 1; cp < column && offset < end; cp++)
            offset += char.IsHighSurrogate(_text[offset]) && offset + 1 < end ? 2 : 1;
        return (offset, new LinePosition(l, offset - start));
    }

    /// <summary>The span between two 1-based positions (end exclusive).</summary>
    public (TextSpan Span, LinePositionSpan LineSpan) Span(int startLine, int startColumn, int endLine, int endColumn)
    {
        var (s, sp) = Locate(startLine, startColumn);
        var (e, ep) = Locate(endLine, endColumn);
        if (e < s) (e, ep) = (s, sp);
        return (TextSpan.FromBounds(s, e), new LinePositionSpan(sp, ep));
    }
}
