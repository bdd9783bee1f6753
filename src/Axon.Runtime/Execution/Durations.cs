using System.Globalization;

namespace Axon.Runtime.Execution;

/// <summary>Parses AXON durations (<c>500ms</c>, <c>10s</c>, <c>15m</c>, <c>48h</c>, <c>365d</c>, <c>1.5s</c>).</summary>
public static class Durations
{
    /// <summary>Parses <paramref name="text"/>; false for empty or unparseable text.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        var unitStart = t.Length;
        while (unitStart > 0 && char.IsLetter(t[unitStart - 1])) unitStart--;
        if (!double.TryParse(t.AsSpan(0, unitStart), NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return false;
        var unit = t[unitStart..];
        double? ms = unit switch
        {
            "ms" => n, "s" or "" => n * 1000, "m" => n * 60_000, "h" => n * 3_600_000, "d" => n * 86_400_000, "w" => n * 7 * 86_400_000,
            _ => null,
        };
        if (ms is null || ms < 0) return false;
        value = TimeSpan.FromMilliseconds(ms.Value);
        return true;
    }
}
