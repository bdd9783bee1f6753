using System;
using System.Collections.Generic;

namespace Axon.Language.Semantics;

/// <summary>"Did you mean" for misspelled names: the closest candidate by case-insensitive edit distance.</summary>
public static class NameSuggestions
{
    /// <summary>
    /// The candidate closest to <paramref name="name"/>, or null when none is close: only a case difference for names of
    /// 1–2 characters, at most 1 edit up to 4 characters, 2 up to 8, 3 beyond (case differences are free). Ties go to the first candidate.
    /// </summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        if (name.Length == 0) return null;
        int limit = name.Length <= 2 ? 0 : name.Length <= 4 ? 1 : name.Length <= 8 ? 2 : 3;
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            if (c.Length == 0 || string.Equals(c, name, StringComparison.Ordinal)) continue;
            if (Math.Abs(c.Length - name.Length) > limit) continue;
            int d = Distance(name, c, limit);
            if (d <= limit && d < bestDistance)
            {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /// <summary><c> Did you mean 'x'?</c> (with its leading space), or empty.</summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates) =>
        Closest(name, candidates) is { } s ? $" Did you mean '{s}'?" : "";

    // Optimal string alignment distance (a transposition is one edit), case-insensitive, stopping above the limit.
    private static int Distance(string a, string b, int limit)
    {
        int n = a.Length, m = b.Length;
        var prev2 = new int[m + 1];
        var prev = new int[m + 1];
        var cur = new int[m + 1];
        for (int j = 0; j <= m; j++) prev[j] = j;
        for (int i = 1; i <= n; i++)
        {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= m; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                int v = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 2])
                    && char.ToLowerInvariant(a[i - 2]) == char.ToLowerInvariant(b[j - 1]))
                    v = Math.Min(v, prev2[j - 2] + 1);
                cur[j] = v;
                if (v < rowMin) rowMin = v;
            }
            if (rowMin > limit) return limit + 1;
            var t = prev2; prev2 = prev; prev = cur; cur = t;
        }
        return prev[m];
    }
}
