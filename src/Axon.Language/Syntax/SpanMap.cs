using System;
using System.Collections;
using System.Collections.Generic;

namespace Axon.Language.Syntax;

/// <summary>
/// The value spans of one AST node keyed by field name (<see cref="AstNode.ValueSpans"/>): a handful of entries, so a
/// list searched in order instead of a hash table. On the 1 MB benchmark program the dictionaries, their buckets and
/// entries were 2.0 MB per MB of source. Same behaviour as the dictionary it replaces: ordinal keys, the last value
/// set for a key wins and keeps the key's first position, enumeration in insertion order.
/// </summary>
internal sealed class SpanMap : IReadOnlyDictionary<string, TextSpan>
{
    /// <summary>No spans; never written to (the builder writes only to maps it creates).</summary>
    public static readonly SpanMap Empty = new();

    private KeyValuePair<string, TextSpan>[] _entries = Array.Empty<KeyValuePair<string, TextSpan>>();
    private int _count;

    public int Count => _count;

    public TextSpan this[string key]
    {
        get => TryGetValue(key, out var span) ? span : throw new KeyNotFoundException($"No span for '{key}'.");
        set
        {
            int i = IndexOf(key);
            if (i >= 0)
            {
                _entries[i] = new KeyValuePair<string, TextSpan>(key, value);
                return;
            }
            if (_count == _entries.Length) Array.Resize(ref _entries, _count == 0 ? 4 : _count * 2); // a step has up to four (given, ask, output, confidence_floor)
            _entries[_count++] = new KeyValuePair<string, TextSpan>(key, value);
        }
    }

    public IEnumerable<string> Keys
    {
        get
        {
            for (int i = 0; i < _count; i++) yield return _entries[i].Key;
        }
    }

    public IEnumerable<TextSpan> Values
    {
        get
        {
            for (int i = 0; i < _count; i++) yield return _entries[i].Value;
        }
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, out TextSpan value)
    {
        int i = IndexOf(key);
        value = i >= 0 ? _entries[i].Value : default;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<string, TextSpan>> GetEnumerator()
    {
        for (int i = 0; i < _count; i++) yield return _entries[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        if (key == null) throw new ArgumentNullException(nameof(key));
        for (int i = 0; i < _count; i++) if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal)) return i;
        return -1;
    }
}
