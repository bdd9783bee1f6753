using System.Numerics;

namespace Axon.Runtime.Routing;

/// <summary>Inputs a strategy may use besides the candidate mask (token estimate for cost).</summary>
internal readonly struct SelectionInputs
{
    public SelectionInputs(long inputTokens, long outputTokens, string? model, ulong modelMask)
    {
        InputTokens = inputTokens;
        OutputTokens = outputTokens;
        Model = model;
        ModelMask = modelMask;
    }

    public long InputTokens { get; }
    public long OutputTokens { get; }
    public string? Model { get; }
    public ulong ModelMask { get; }
}

/// <summary>
/// The one strategy abstraction: pick one provider index among the set bits of <c>pool</c> (never empty).
/// Called again, with the failed providers removed, for every failover hop. Must not allocate.
/// </summary>
internal abstract class RoutingStrategy
{
    protected RoutingStrategy(ProviderSlot[] slots) => Slots = slots;

    protected ProviderSlot[] Slots { get; }

    public abstract int Select(ulong pool, in SelectionInputs inputs);

    /// <summary>Estimated cost of the call on a provider, when this strategy estimates costs.</summary>
    public virtual decimal? EstimateCost(int index, in SelectionInputs inputs) => null;

    protected static int Lowest(ulong mask) => BitOperations.TrailingZeroCount(mask);
}

/// <summary>
/// Smooth weighted round robin (nginx): each pick adds every candidate's weight to its running score, takes
/// the highest and subtracts the candidates' total from it. Deterministic, evenly interleaved, exact over a
/// period; providers outside the pool do not accumulate, so their share goes to the others in proportion.
/// The sequence starts at a random phase of its period (the state after 0…period−1 picks), so short-lived
/// processes that make only a call or two still split by the weights between them instead of all starting with
/// the heaviest provider; the long-run proportions stay exact because every phase lies on the same cycle.
/// </summary>
internal sealed class WeightedStrategy : RoutingStrategy
{
    // Periods longer than this (weights such as 0.333/0.667) start at a phase uniform over the first MaxPhase picks.
    internal const int MaxPhase = 100_000;

    private readonly long[] _current;
    private readonly object _gate = new();

    public WeightedStrategy(ProviderSlot[] slots) : base(slots) => _current = new long[slots.Length];

    /// <summary>Creates the strategy at a random phase of its period over <paramref name="enabled"/>.</summary>
    public WeightedStrategy(ProviderSlot[] slots, ulong enabled, Random random) : this(slots)
    {
        long gcd = 0, total = 0;
        for (var m = enabled; m != 0; m &= m - 1)
        {
            var w = slots[Lowest(m)].Weight;
            if (w <= 0) continue;
            gcd = Gcd(gcd, w);
            total += w;
        }
        if (gcd == 0) return;
        var period = total / gcd;
        int phase;
        lock (random) phase = random.Next((int)Math.Min(period, MaxPhase));
        for (var k = 0; k < phase; k++) Select(enabled, default);
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    public override int Select(ulong pool, in SelectionInputs inputs)
    {
        lock (_gate)
        {
            long total = 0;
            var best = -1;
            for (var m = pool; m != 0; m &= m - 1)
            {
                var i = Lowest(m);
                var w = Slots[i].Weight;
                if (w == 0) continue;
                _current[i] += w;
                total += w;
                if (best < 0 || _current[i] > _current[best]) best = i;
            }
            if (best < 0) return Lowest(pool); // only zero-weight candidates left: configuration order
            _current[best] -= total;
            return best;
        }
    }
}

/// <summary>
/// Even rotation over the healthy providers. The cursor walks the full provider ring and skips unhealthy
/// ones, so a provider dropping out or coming back does not reshuffle the others' order (a counter modulo
/// the healthy list would). The start is random so processes started together do not move in lockstep.
/// </summary>
internal sealed class RoundRobinStrategy : RoutingStrategy
{
    private readonly object _gate = new();
    private int _next;

    public RoundRobinStrategy(ProviderSlot[] slots, int start) : base(slots) => _next = start;

    public override int Select(ulong pool, in SelectionInputs inputs)
    {
        var n = Slots.Length;
        lock (_gate)
        {
            for (var k = 0; k < n; k++)
            {
                var i = (_next + k) % n;
                if ((pool & (1UL << i)) == 0) continue;
                _next = (i + 1) % n;
                return i;
            }
        }
        return Lowest(pool);
    }
}

/// <summary>A fixed order: the primary first, then by weight (descending), then configuration order.</summary>
internal sealed class FailoverStrategy : RoutingStrategy
{
    private readonly int[] _order;

    public FailoverStrategy(ProviderSlot[] slots, int primary) : base(slots)
    {
        _order = Enumerable.Range(0, slots.Length)
            .OrderBy(i => i == primary ? 0 : 1)
            .ThenByDescending(i => slots[i].Weight)
            .ThenBy(i => i)
            .ToArray();
    }

    internal IReadOnlyList<int> Order => _order;

    public override int Select(ulong pool, in SelectionInputs inputs)
    {
        foreach (var i in _order)
            if ((pool & (1UL << i)) != 0) return i;
        return Lowest(pool);
    }
}

/// <summary>
/// Cheapest candidate for the call's estimated input and output tokens: <c>PROVIDER_COSTS</c> (per 1K tokens)
/// first, then the model price table; providers with no known price come last, in configuration order.
/// </summary>
internal sealed class CostOptimizedStrategy : RoutingStrategy
{
    private readonly Providers.IModelPriceTable? _prices;
    // Per-token prices for each provider's default route, as doubles: ranking 20 candidates in decimal
    // arithmetic costs microseconds; doubles rank them in nanoseconds. NaN = unknown price.
    // The price table is read once here for default models (prices are treated as static).
    private readonly double[] _inputPerToken;
    private readonly double[] _outputPerToken;

    public CostOptimizedStrategy(ProviderSlot[] slots, Providers.IModelPriceTable? prices) : base(slots)
    {
        _prices = prices;
        _inputPerToken = new double[slots.Length];
        _outputPerToken = new double[slots.Length];
        for (var i = 0; i < slots.Length; i++)
        {
            (_inputPerToken[i], _outputPerToken[i]) = PerToken(slots[i], slots[i].DefaultModel);
        }
    }

    public override int Select(ulong pool, in SelectionInputs inputs)
    {
        var best = -1;
        var bestCost = double.MaxValue;
        double inTokens = inputs.InputTokens, outTokens = inputs.OutputTokens;
        for (var m = pool; m != 0; m &= m - 1)
        {
            var i = Lowest(m);
            double perIn = _inputPerToken[i], perOut = _outputPerToken[i];
            if (Slots[i].CostPer1K is null && inputs.Model is not null && (inputs.ModelMask & (1UL << i)) != 0)
                (perIn, perOut) = PerToken(Slots[i], inputs.Model);
            var cost = double.IsNaN(perIn) ? double.MaxValue : inTokens * perIn + outTokens * perOut;
            if (best < 0 || cost < bestCost)
            {
                best = i;
                bestCost = cost;
            }
        }
        return best;
    }

    private (double In, double Out) PerToken(ProviderSlot slot, string? model)
    {
        if (slot.CostPer1K is { } per1K) return ((double)per1K / 1000, (double)per1K / 1000);
        if (_prices is not null && model is not null && _prices.TryGetPrice(slot.Name, model, out var price))
            return ((double)price.InputPerMillion / 1e6, (double)price.OutputPerMillion / 1e6);
        return (double.NaN, double.NaN);
    }

    public override decimal? EstimateCost(int index, in SelectionInputs inputs)
    {
        var slot = Slots[index];
        if (slot.CostPer1K is { } per1K)
            return (inputs.InputTokens + inputs.OutputTokens) * per1K / 1000m;
        var model = (inputs.ModelMask & (1UL << index)) != 0 ? inputs.Model : slot.DefaultModel;
        if (_prices is not null && model is not null && _prices.TryGetPrice(slot.Name, model, out var price))
            return price.Estimate(inputs.InputTokens, inputs.OutputTokens);
        return null;
    }
}

/// <summary>
/// Power of two choices: sample two distinct candidates at random and take the one with the lower
/// EWMA latency × (in-flight + 1). A provider never measured scores 0, so it is tried early.
/// Sampling two (not scanning for the global best) avoids every caller herding onto the same provider.
/// </summary>
internal sealed class LatencyAwareStrategy : RoutingStrategy
{
    private readonly Random _random;

    public LatencyAwareStrategy(ProviderSlot[] slots, Random random) : base(slots) => _random = random;

    public override int Select(ulong pool, in SelectionInputs inputs)
    {
        var count = BitOperations.PopCount(pool);
        if (count == 1) return Lowest(pool);
        int a, b;
        lock (_random)
        {
            a = _random.Next(count);
            b = _random.Next(count - 1);
        }
        if (b >= a) b++;
        var first = NthSetBit(pool, a);
        var second = NthSetBit(pool, b);
        return Score(second) < Score(first) ? second : first;
    }

    private double Score(int i) => Slots[i].EwmaLatencyMs * (Volatile.Read(ref Slots[i].InFlight) + 1);

    private static int NthSetBit(ulong mask, int n)
    {
        for (var k = 0; k < n; k++) mask &= mask - 1;
        return Lowest(mask);
    }
}
