using System.Text;
using Axon.Runtime.Providers;
using Axon.Runtime.Providers.Http;
using Axon.Runtime.Tests.Providers.Emulators;

namespace Axon.Runtime.Tests.Providers;

public sealed class ModelPriceTableTests
{
    [Theory]
    [InlineData("anthropic", "claude-3-5-sonnet-20241022", 3, 15)]
    [InlineData("openai", "gpt-4-turbo-preview", 10, 30)]
    [InlineData("gemini", "gemini-1.5-pro", 1.25, 5)]
    [InlineData("ollama", "llama3.1", 0, 0)]
    [InlineData("anthropic", "claude-sonnet-4-6", 3, 15)]
    [InlineData("anthropic", "claude-sonnet-4-6-20260217", 3, 15)] // the dated version a response names
    [InlineData("openai", "gpt-5.4", 2.5, 15)]
    [InlineData("openai", "gpt-5.4-mini-2026-03-17", 0.75, 4.5)]
    [InlineData("gemini", "gemini-3.5-flash", 1.5, 9)]
    [InlineData("bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", 3, 15)] // an inference profile id
    public void Seed_default_models_have_prices(string provider, string model, double input, double output)
    {
        IModelPriceTable table = new ModelPriceTable();
        Assert.True(table.TryGetPrice(provider, model, out var price));
        Assert.Equal((decimal)input, price.InputPerMillion);
        Assert.Equal((decimal)output, price.OutputPerMillion);
    }

    [Fact]
    public void Remembered_lookups_follow_later_prices_and_misses()
    {
        var table = new ModelPriceTable(includeDefaults: false);
        Assert.False(table.TryGetPrice("custom", "my-model-2026-01-01", out _));
        Assert.False(table.TryGetPrice("custom", "my-model-2026-01-01", out _)); // the miss is remembered

        table.Set("custom", "my-model", new ModelPrice(1m, 2m));
        Assert.True(table.TryGetPrice("custom", "my-model-2026-01-01", out var dated)); // a Set forgets remembered answers
        Assert.Equal(1m, dated.InputPerMillion);

        table.Set("custom", "my-model-2026-01-01", new ModelPrice(3m, 4m));
        Assert.True(table.TryGetPrice("CUSTOM", "My-Model-2026-01-01", out var exact));
        Assert.Equal(3m, exact.InputPerMillion);
    }

    [Fact]
    public void Estimates_cost_per_million_tokens()
    {
        Assert.True(new ModelPriceTable().TryGetPrice("anthropic", "claude-3-5-sonnet-20241022", out var price));
        Assert.Equal(0.0105m, price.Estimate(1000, 500)); // 1000×3/1M + 500×15/1M
    }

    [Fact]
    public void Prices_can_be_overridden_and_added()
    {
        var table = new ModelPriceTable();
        table.Set("openai", "gpt-4-turbo-preview", new ModelPrice(1, 2));
        table.Set("custom", "local-model", new ModelPrice(0.5m, 0.5m));
        Assert.True(table.TryGetPrice("openai", "GPT-4-TURBO-PREVIEW", out var p1));
        Assert.Equal(new ModelPrice(1, 2), p1);
        Assert.True(table.TryGetPrice("custom", "local-model", out var p2));
        Assert.Equal(0.5m, p2.InputPerMillion);
    }

    [Fact]
    public void Unknown_models_have_no_price_and_same_named_models_are_shared()
    {
        var table = new ModelPriceTable();
        Assert.False(table.TryGetPrice("openai", "no-such-model", out _));
        Assert.False(new ModelPriceTable(includeDefaults: false).TryGetPrice("anthropic", "claude-3-5-sonnet-20241022", out _));
        Assert.True(table.TryGetPrice("azure-openai", "gpt-4o", out var azure)); // a deployment named like the model
        Assert.Equal(2.50m, azure.InputPerMillion);
    }
}

public sealed class AwsEventStreamTests
{
    [Fact]
    public void Crc32_matches_the_ieee_check_value() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public async Task Frames_round_trip_with_headers_and_payload()
    {
        var bytes = BedrockEmulator.Frame("contentBlockDelta", """{"delta":{"text":"hi"}}""").Concat(BedrockEmulator.Frame("messageStop", "{}")).ToArray();
        var frames = new List<AwsEventMessage>();
        await foreach (var f in AwsEventStream.ReadAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken))
            frames.Add(f);
        Assert.Equal(2, frames.Count);
        Assert.Equal("contentBlockDelta", frames[0].EventType);
        Assert.Equal("event", frames[0].MessageType);
        Assert.Equal("""{"delta":{"text":"hi"}}""", Encoding.UTF8.GetString(frames[0].Payload.Span));
        Assert.Equal("messageStop", frames[1].EventType);
    }

    [Theory]
    [InlineData(5)] // inside the prelude
    [InlineData(14)] // inside the prelude checksum / headers
    [InlineData(-3)] // inside the message checksum
    public async Task A_cut_or_corrupted_frame_is_an_error(int position)
    {
        var frame = BedrockEmulator.Frame("messageStop", """{"stopReason":"end_turn"}""");
        var index = position < 0 ? frame.Length + position : position;
        var corrupted = (byte[])frame.Clone();
        corrupted[index] ^= 0x40;
        await Assert.ThrowsAsync<InvalidDataException>(() => Drain(corrupted));
        await Assert.ThrowsAsync<InvalidDataException>(() => Drain(frame[..index]));
    }

    private static async Task Drain(byte[] bytes)
    {
        await foreach (var _ in AwsEventStream.ReadAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken))
        {
        }
    }
}
