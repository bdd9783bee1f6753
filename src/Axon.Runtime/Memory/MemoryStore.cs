using System.Collections.Concurrent;

namespace Axon.Runtime.Memory;

/// <summary>One stored memory entry.</summary>
/// <param name="Key">The key (for <c>remember(X)</c>, the name X).</param>
/// <param name="Value">The stored value (text or JSON text).</param>
/// <param name="StoredAt">When it was stored.</param>
/// <param name="Score">Relevance for a query (1 exact key, 0.7 key contains, 0.4 value contains).</param>
public sealed record MemoryEntry(string Key, string Value, DateTimeOffset StoredAt, double Score = 0);

/// <summary>Backing store for <c>remember</c>/<c>recall</c>. Implement it to persist memories elsewhere.</summary>
public interface IAxonMemoryStore
{
    /// <summary>Stores (or overwrites) <paramref name="key"/> in <paramref name="memory"/>.</summary>
    ValueTask StoreAsync(string memory, string key, string value, CancellationToken cancellationToken);

    /// <summary>Returns the best <paramref name="topK"/> entries of <paramref name="memory"/> for <paramref name="query"/>.</summary>
    ValueTask<IReadOnlyList<MemoryEntry>> RetrieveAsync(string memory, string query, int topK, CancellationToken cancellationToken);
}

/// <summary>
/// In-process memory store (the default). Scoring follows the reference: exact key 1.0, key contains
/// the query 0.7, value contains the query 0.4; ties newest first.
/// </summary>
public sealed class InMemoryMemoryStore(TimeProvider? timeProvider = null) : IAxonMemoryStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, MemoryEntry>> _memories = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public ValueTask StoreAsync(string memory, string key, string value, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key)) throw new ArgumentException("Memory key must not be empty.", nameof(key));
        _memories.GetOrAdd(memory, _ => new(StringComparer.Ordinal))[key] = new MemoryEntry(key, value, _time.GetUtcNow());
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MemoryEntry>> RetrieveAsync(string memory, string query, int topK, CancellationToken cancellationToken)
    {
        if (!_memories.TryGetValue(memory, out var entries)) return ValueTask.FromResult<IReadOnlyList<MemoryEntry>>([]);
        var q = query.Trim();
        var result = entries.Values
            .Select(e => e with { Score = Score(e, q) })
            .Where(e => e.Score > 0)
            .OrderByDescending(e => e.Score).ThenByDescending(e => e.StoredAt)
            .Take(topK)
            .ToList();
        return ValueTask.FromResult<IReadOnlyList<MemoryEntry>>(result);
    }

    private static double Score(MemoryEntry e, string q)
    {
        if (q.Length == 0) return 0.1;
        if (e.Key.Equals(q, StringComparison.OrdinalIgnoreCase)) return 1.0;
        if (e.Key.Contains(q, StringComparison.OrdinalIgnoreCase)) return 0.7;
        if (e.Value.Contains(q, StringComparison.OrdinalIgnoreCase)) return 0.4;
        // Word overlap lets a sentence query find an entry (the reference only does substrings).
        var words = q.Split([' ', ',', '.', ';', ':'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 3).ToArray();
        return words.Any(w => e.Value.Contains(w, StringComparison.OrdinalIgnoreCase) || e.Key.Contains(w, StringComparison.OrdinalIgnoreCase)) ? 0.2 : 0;
    }
}
