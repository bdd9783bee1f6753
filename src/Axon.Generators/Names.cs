using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Axon.Generators;

/// <summary>AXON names → C# identifiers.</summary>
internal static class Names
{
    /// <summary>A valid identifier for <paramref name="name"/>: invalid characters become '_', keywords get '@'.</summary>
    public static string Identifier(string name)
    {
        var sb = new StringBuilder(name.Length + 1);
        foreach (var c in name) sb.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
        if (sb.Length == 0 || char.IsDigit(sb[0])) sb.Insert(0, '_');
        var id = sb.ToString();
        return SyntaxFacts.GetKeywordKind(id) != SyntaxKind.None
            ? "@" + id : id;
    }

    /// <summary><c>risk_level</c> → <c>RiskLevel</c>.</summary>
    public static string Pascal(string name)
    {
        var sb = new StringBuilder(name.Length);
        var upper = true;
        foreach (var c in name)
        {
            if (c == '_' || c == '-' || c == ' ' || c == '.') { upper = true; continue; }
            if (!char.IsLetterOrDigit(c)) { upper = true; continue; }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        if (sb.Length == 0 || char.IsDigit(sb[0])) sb.Insert(0, '_');
        return sb.ToString();
    }

    /// <summary><c>max_items</c> → <c>maxItems</c> (keywords escaped).</summary>
    public static string Camel(string name)
    {
        var p = Pascal(name);
        return Identifier(p.Length > 0 && p[0] != '_' ? char.ToLowerInvariant(p[0]) + p.Substring(1) : p);
    }

    /// <summary>Makes <paramref name="candidate"/> unique among <paramref name="taken"/> (and not one of <paramref name="reserved"/>) by adding a suffix.</summary>
    public static string Unique(string candidate, HashSet<string> taken, ICollection<string> reserved, string suffix)
    {
        var name = candidate;
        if (reserved.Contains(name.TrimStart('@'))) name = name.TrimStart('@') + suffix;
        var n = 2;
        var baseName = name;
        while (taken.Contains(name)) name = baseName + n++;
        taken.Add(name);
        return name;
    }

    /// <summary>Text safe inside an XML doc comment.</summary>
    public static string Xml(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\r", " ").Replace("\n", " ");

    /// <summary>A C# verbatim string literal.</summary>
    public static string Verbatim(string text) => "@\"" + text.Replace("\"", "\"\"") + "\"";

    /// <summary>
    /// A single-line C# raw string literal (quotes need no escaping), delimited by more quotes than the longest run in
    /// <paramref name="text"/>; a verbatim literal where a raw one cannot hold the text (a line break, or a quote at either end).
    /// </summary>
    public static string Raw(string text)
    {
        int longest = 0, run = 0;
        foreach (char c in text)
        {
            if (c is '\r' or '\n' or '\u0085' or '\u2028' or '\u2029') return Verbatim(text);
            run = c == '"' ? run + 1 : 0;
            if (run > longest) longest = run;
        }
        if (text.Length == 0 || text[0] == '"' || text[text.Length - 1] == '"') return Verbatim(text);
        var quotes = new string('"', System.Math.Max(3, longest + 1));
        return quotes + text + quotes;
    }

    /// <summary>A C# regular string literal.</summary>
    public static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);
}
