using System.Globalization;
using System.Text.Json.Serialization;

namespace Axon.Runtime.SemanticTypes;

/// <summary>A risk score in 0..1 (<c>RiskScore</c>).</summary>
[JsonConverter(typeof(AxonRangedValueConverter<RiskScore>))]
public readonly record struct RiskScore : IAxonRangedValue<RiskScore>
{
    /// <summary>Lowest allowed value.</summary>
    public const double Min = 0.0;
    /// <summary>Highest allowed value.</summary>
    public const double Max = 1.0;

    /// <summary>Creates a score; throws <see cref="ArgumentOutOfRangeException"/> outside 0..1.</summary>
    public RiskScore(double value) => Value = SemanticJson.CheckRange(value, Min, Max, nameof(RiskScore));

    /// <inheritdoc />
    public double Value { get; }

    /// <inheritdoc />
    public static RiskScore FromValue(double value) => new(value);

    /// <summary>The number.</summary>
    public static implicit operator double(RiskScore score) => score.Value;

    /// <summary>Validates a number.</summary>
    public static explicit operator RiskScore(double value) => new(value);

    /// <inheritdoc />
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A confidence score in 0..1 (<c>ConfidenceScore</c>).</summary>
[JsonConverter(typeof(AxonRangedValueConverter<ConfidenceScore>))]
public readonly record struct ConfidenceScore : IAxonRangedValue<ConfidenceScore>
{
    /// <summary>Lowest allowed value.</summary>
    public const double Min = 0.0;
    /// <summary>Highest allowed value.</summary>
    public const double Max = 1.0;

    /// <summary>Creates a score; throws <see cref="ArgumentOutOfRangeException"/> outside 0..1.</summary>
    public ConfidenceScore(double value) => Value = SemanticJson.CheckRange(value, Min, Max, nameof(ConfidenceScore));

    /// <inheritdoc />
    public double Value { get; }

    /// <inheritdoc />
    public static ConfidenceScore FromValue(double value) => new(value);

    /// <summary>The number.</summary>
    public static implicit operator double(ConfidenceScore score) => score.Value;

    /// <summary>Validates a number.</summary>
    public static explicit operator ConfidenceScore(double value) => new(value);

    /// <inheritdoc />
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A sentiment score in -1..1 (<c>SentimentScore</c>).</summary>
[JsonConverter(typeof(AxonRangedValueConverter<SentimentScore>))]
public readonly record struct SentimentScore : IAxonRangedValue<SentimentScore>
{
    /// <summary>Lowest allowed value.</summary>
    public const double Min = -1.0;
    /// <summary>Highest allowed value.</summary>
    public const double Max = 1.0;

    /// <summary>Creates a score; throws <see cref="ArgumentOutOfRangeException"/> outside -1..1.</summary>
    public SentimentScore(double value) => Value = SemanticJson.CheckRange(value, Min, Max, nameof(SentimentScore));

    /// <inheritdoc />
    public double Value { get; }

    /// <inheritdoc />
    public static SentimentScore FromValue(double value) => new(value);

    /// <summary>The number.</summary>
    public static implicit operator double(SentimentScore score) => score.Value;

    /// <summary>Validates a number.</summary>
    public static explicit operator SentimentScore(double value) => new(value);

    /// <inheritdoc />
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
