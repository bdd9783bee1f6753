using System;
using System.Collections.Generic;
using Antlr4.Runtime.Atn;
using Antlr4.Runtime.Misc;

namespace Axon.Language.Parsing;

/// <summary>
/// ANTLR's ATN deserializer with a linear reading of the interval sets. The runtime adds each interval with
/// <see cref="IntervalSet.Add(int, int)"/>, which scans the set from its start: quadratic in the size of the lexer's
/// Unicode classes (<c>\p{L}</c>, <c>\p{N}</c>). Measured: 40 of the 55 ms it took to build the lexer's ATN, paid by
/// every process before its first token (the whole of a native <c>axon check</c> is meant to take 20 ms). The
/// serialized intervals are sorted and disjoint (the tool writes them from an interval set), so this deserializer
/// builds each set from its list at once and lets the runtime read the rest. The generated lexer is built with it
/// (Directory.Build.targets puts it in place of <c>new ATNDeserializer()</c>).
/// </summary>
public sealed class AxonAtnDeserializer : ATNDeserializer
{
    private List<IntervalSet>? _sets;

    /// <inheritdoc />
    public override ATN Deserialize(int[] data)
    {
        int at = SetsSection(data);
        int p = at;
        int count = data[p++];
        var sets = new List<IntervalSet>(count);
        for (int i = 0; i < count; i++)
        {
            int intervals = data[p++];
            bool containsEof = data[p++] != 0;
            var list = new List<Interval>(intervals + (containsEof ? 1 : 0));
            if (containsEof) list.Add(Interval.Of(-1, -1));
            int previous = int.MinValue;
            for (int j = 0; j < intervals; j++)
            {
                int a = data[p++], b = data[p++];
                // Anything but sorted, disjoint, non-adjacent intervals: leave it to the runtime's reading.
                if (b < a || (previous != int.MinValue && a <= previous + 1) || (containsEof && a <= 0)) return base.Deserialize(data);
                list.Add(Interval.Of(a, b));
                previous = b;
            }
            sets.Add(new IntervalSet(list));
        }
        // The same data with no sets in it; ReadSets then hands the runtime the sets read above.
        var rest = new int[data.Length - (p - at) + 1];
        Array.Copy(data, 0, rest, 0, at);
        rest[at] = 0;
        Array.Copy(data, p, rest, at + 1, data.Length - p);
        _sets = sets;
        try
        {
            return base.Deserialize(rest);
        }
        finally
        {
            _sets = null;
        }
    }

    /// <inheritdoc />
    protected override void ReadSets(ATN atn, IList<IntervalSet> sets)
    {
        base.ReadSets(atn, sets);
        if (_sets != null)
            foreach (var set in _sets) sets.Add(set);
    }

    // Walks the header, states, rules and modes (the layout ATNDeserializer reads) to where the sets start.
    private static int SetsSection(int[] data)
    {
        int p = 0;
        p++; // version
        var grammarType = (ATNType)data[p++];
        p++; // max token type
        int states = data[p++];
        for (int i = 0; i < states; i++)
        {
            var type = (StateType)data[p++];
            if (type == StateType.InvalidType) continue;
            p++; // rule index
            if (type is StateType.LoopEnd or StateType.BlockStart or StateType.PlusBlockStart or StateType.StarBlockStart) p++;
        }
        p += data[p] + 1; // non-greedy states
        p += data[p] + 1; // precedence states
        int rules = data[p++];
        p += grammarType == ATNType.Lexer ? 2 * rules : rules;
        p += data[p] + 1; // modes
        return p;
    }
}
