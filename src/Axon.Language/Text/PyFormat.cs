using System;
using System.Globalization;
using System.Text;

namespace Axon.Language.Text;

/// <summary>Python-compatible formatting, so messages and IR JSON read as the reference prints them.</summary>
public static class PyFormat
{
    /// <summary>Python's <c>repr(float)</c>: shortest round trip, <c>.0</c> on integral values, exponent below 1e-4 and from 1e16.</summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        if (value == 0) return (1 / value) < 0 ? "-0.0" : "0.0";

        // "R" gives the shortest round-trip digits; re-layout them with Python's rules.
        string r = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = r[0] == '-';
        if (negative) r = r.Substring(1);
        int exponent = 0;
        int e = r.IndexOfAny(new[] { 'E', 'e' });
        if (e >= 0)
        {
            exponent = int.Parse(r.Substring(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r.Substring(0, e);
        }
        int dot = r.IndexOf('.');
        string intPart = dot >= 0 ? r.Substring(0, dot) : r;
        string fracPart = dot >= 0 ? r.Substring(dot + 1) : "";
        string digits = (intPart + fracPart).TrimStart('0');
        int leadingZeros = (intPart + fracPart).Length - (intPart + fracPart).TrimStart('0').Length;
        // Decimal exponent of the first significant digit.
        int decExp = intPart.Length - 1 - leadingZeros + exponent;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";

        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        if (decExp < -4 || decExp >= 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(decExp < 0 ? '-' : '+').Append(Math.Abs(decExp).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decExp < 0)
        {
            sb.Append("0.").Append('0', -decExp - 1).Append(digits);
        }
        else if (digits.Length <= decExp + 1)
        {
            sb.Append(digits).Append('0', decExp + 1 - digits.Length).Append(".0");
        }
        else
        {
            sb.Append(digits, 0, decExp + 1).Append('.').Append(digits, decExp + 1, digits.Length - decExp - 1);
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>format(x, ".0%")</c>: x·100 rounded half-to-even, then <c>%</c>.</summary>
    public static string Percent(double value) =>
        Math.Round(value * 100, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture) + "%";

    /// <summary>Python's <c>repr(str)</c>: single quotes unless the text has <c>'</c> and no <c>"</c>.</summary>
    public static string StringRepr(string text)
    {
        char quote = text.IndexOf('\'') >= 0 && text.IndexOf('"') < 0 ? '"' : '\'';
        var sb = new StringBuilder(text.Length + 2);
        sb.Append(quote);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            int cp = c;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32(c, text[i + 1]);
            }
            switch (cp)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (cp == quote) { sb.Append('\\').Append(quote); break; }
                    if (IsPrintable(cp))
                    {
                        if (cp > 0xFFFF) { sb.Append(c).Append(text[i + 1]); } else sb.Append(c);
                    }
                    else if (cp < 0x100) sb.Append("\\x").Append(cp.ToString("x2", CultureInfo.InvariantCulture));
                    else if (cp < 0x10000) sb.Append("\\u").Append(cp.ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append("\\U").Append(cp.ToString("x8", CultureInfo.InvariantCulture));
                    break;
            }
            if (cp > 0xFFFF) i++;
        }
        sb.Append(quote);
        return sb.ToString();
    }

    /// <summary>Python's <c>str.isprintable</c> for one code point (approximated with .NET's Unicode categories).</summary>
    private static bool IsPrintable(int cp)
    {
        if (cp == ' ') return true;
        if (cp >= 0xD800 && cp <= 0xDFFF) return false;
        var cat = cp > 0xFFFF
            ? CharUnicodeInfo.GetUnicodeCategory(char.ConvertFromUtf32(cp), 0)
            : CharUnicodeInfo.GetUnicodeCategory((char)cp);
        switch (cat)
        {
            case UnicodeCategory.Control:
            case UnicodeCategory.Format:
            case UnicodeCategory.Surrogate:
            case UnicodeCategory.PrivateUse:
            case UnicodeCategory.OtherNotAssigned:
            case UnicodeCategory.LineSeparator:
            case UnicodeCategory.ParagraphSeparator:
            case UnicodeCategory.SpaceSeparator:
                return false;
            default:
                return true;
        }
    }
}
