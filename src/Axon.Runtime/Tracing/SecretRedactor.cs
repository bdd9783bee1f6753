using System.Collections;
using System.Text.RegularExpressions;

namespace Axon.Runtime.Tracing;

/// <summary>
/// Removes secrets from text before it reaches a trace, a log or an exception message: the values of
/// key/token/secret environment variables, secrets registered explicitly, and key-shaped patterns
/// (provider key prefixes, bearer tokens, <c>key=</c> query parameters).
/// </summary>
public sealed partial class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    private string[] _secrets;

    /// <summary>Creates a redactor for the given secrets; environment secrets are added when <paramref name="includeEnvironment"/>.</summary>
    public SecretRedactor(IEnumerable<string>? secrets = null, bool includeEnvironment = true)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (secrets is not null)
            foreach (var s in secrets) if (!string.IsNullOrEmpty(s) && s.Length >= 6) set.Add(s);
        if (includeEnvironment)
        {
            foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            {
                if (e.Key is not string name || e.Value is not string value || value.Length < 8) continue;
                var upper = name.ToUpperInvariant();
                if (upper.EndsWith("KEY", StringComparison.Ordinal) || upper.Contains("TOKEN", StringComparison.Ordinal)
                    || upper.Contains("SECRET", StringComparison.Ordinal) || upper.Contains("PASSWORD", StringComparison.Ordinal))
                    set.Add(value);
            }
        }
        // Longest first so a secret containing another is masked whole.
        _secrets = set.OrderByDescending(s => s.Length).ToArray();
    }

    /// <summary>Adds secrets to mask from now on (thread-safe).</summary>
    public void AddSecrets(IEnumerable<string> secrets)
    {
        var extra = secrets.Where(s => !string.IsNullOrEmpty(s) && s.Length >= 6).ToArray();
        if (extra.Length == 0) return;
        while (true)
        {
            var current = Volatile.Read(ref _secrets);
            var merged = current.Concat(extra).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();
            if (Interlocked.CompareExchange(ref _secrets, merged, current) == current) return;
        }
    }

    /// <summary>A redactor with only the environment's secrets.</summary>
    public static SecretRedactor FromEnvironment() => new();

    /// <summary>Returns <paramref name="text"/> with every secret masked.</summary>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var result = text;
        foreach (var s in Volatile.Read(ref _secrets))
            if (result.Contains(s, StringComparison.Ordinal)) result = result.Replace(s, Mask, StringComparison.Ordinal);
        return KeyPattern().Replace(result, m => m.Groups["keep"].Success ? m.Groups["keep"].Value + Mask : Mask);
    }

    [GeneratedRegex(@"(?<keep>(?i:bearer\s+|x-api-key:\s*|api-key:\s*|[?&](?:key|api_key|apikey|access_token)=))[A-Za-z0-9._~+/=-]{8,}|\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{12,}|AIza[0-9A-Za-z_-]{20,}|xai-[A-Za-z0-9]{16,}|ABSK[A-Za-z0-9+/=]{16,})")]
    private static partial Regex KeyPattern();
}
