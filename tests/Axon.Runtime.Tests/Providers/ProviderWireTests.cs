using System.Text.Json;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Axon.Runtime.Providers;
using Axon.Runtime.Tests.Providers.Emulators;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests.Providers;

/// <summary>Every backend against its loopback emulator, on the wire.</summary>
public sealed class ProviderWireTests
{
    public static TheoryData<string> Backends => new(["anthropic", "openai", "gemini", "ollama", "azure-openai", "bedrock", "custom"]);

    internal static ProviderEmulator CreateEmulator(string backend) => backend switch
    {
        "anthropic" => new AnthropicEmulator(),
        "gemini" => new GeminiEmulator(),
        "ollama" => new OllamaEmulator(),
        "bedrock" => new BedrockEmulator(),
        _ => new OpenAIWireEmulator(backend),
    };

    internal static IChatClient CreateClient(ProviderEmulator emulator, TimeSpan? timeout = null, AxonProviderOptions? options = null)
    {
        var env = emulator.Environment();
        options ??= new AxonProviderOptions();
        options.Timeout ??= timeout ?? TimeSpan.FromSeconds(10);
        return AxonProviderRegistry.CreateDefault().Create(emulator.Backend, options, environment: env.GetValueOrDefault);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static void AssertShape(ProviderEmulator emulator) =>
        Assert.True(emulator.ShapeErrors.IsEmpty, string.Join("\n", emulator.ShapeErrors));

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Plain_chat_maps_prompt_settings_text_and_usage(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        using var client = CreateClient(emulator);

        var response = await client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token);

        AssertShape(emulator);
        Assert.Equal(ProviderEmulator.PlainText, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(ProviderEmulator.InputTokens, response.Usage?.InputTokenCount);
        Assert.Equal(ProviderEmulator.OutputTokens, response.Usage?.OutputTokenCount);
        Assert.Single(emulator.Server.Requests);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_flow_step_with_a_json_schema_runs_end_to_end(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.Structured;
        using var client = CreateClient(emulator);

        var (output, response) = await FlowStep.RunStructuredAsync(client, Token);

        AssertShape(emulator);
        Assert.Equal("Paris", output.GetProperty("city").GetString());
        Assert.Equal(2102650, output.GetProperty("population").GetInt32());
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.DoesNotContain(response.Messages.SelectMany(m => m.Contents), c => c is FunctionCallContent);
        Assert.Equal(ProviderEmulator.InputTokens + ProviderEmulator.OutputTokens, response.Usage?.TotalTokenCount);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_user_prompt_in_text_parts_reaches_the_model_as_that_text(string backend)
    {
        // The executor sends a typed step's output contract as its own text part.
        await using var emulator = CreateEmulator(backend);
        using var client = CreateClient(emulator);
        var prompt = ProviderEmulator.UserPrompt;
        ChatMessage[] messages =
        [
            new(ChatRole.System, ProviderEmulator.SystemPrompt),
            new(ChatRole.User, [new TextContent(prompt[..12]), new TextContent(prompt[12..20]), new TextContent(prompt[20..])]),
        ];

        var response = await client.GetResponseAsync(messages, FlowStep.Options(), Token);

        AssertShape(emulator);
        Assert.Equal(ProviderEmulator.PlainText, response.Text);
        // One prompt stays one text value on the wire, in block-based formats too.
        var body = emulator.Server.Requests.Last().Json();
        var texts = new List<string>();
        Collect(body, texts);
        Assert.Contains(prompt, texts);
    }

    private static void Collect(JsonElement e, List<string> texts)
    {
        if (e.ValueKind == JsonValueKind.Object)
            foreach (var p in e.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.String) texts.Add(p.Value.GetString()!);
                else Collect(p.Value, texts);
        else if (e.ValueKind == JsonValueKind.Array)
            foreach (var item in e.EnumerateArray())
                if (item.ValueKind == JsonValueKind.String) texts.Add(item.GetString()!);
                else Collect(item, texts);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Tool_declarations_go_out_and_tool_calls_come_back(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.ToolCall;
        using var client = CreateClient(emulator);

        var response = await client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(tools: true), Token);

        AssertShape(emulator);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(ProviderEmulator.ToolName, call.Name);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.Equal("Paris", call.Arguments?["city"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Tool_calls_and_results_of_earlier_turns_are_sent_in_the_provider_shape(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.ToolResult;
        using var client = CreateClient(emulator);
        var messages = FlowStep.Messages().Concat(
        [
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", ProviderEmulator.ToolName, new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", """{"temp_c":21}""")]),
        ]);

        var response = await client.GetResponseAsync(messages, FlowStep.Options(tools: true), Token);

        AssertShape(emulator);
        Assert.Equal(ProviderEmulator.PlainText, response.Text);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Streaming_yields_the_pieces_a_finish_reason_and_usage(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.Stream;
        using var client = CreateClient(emulator);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token))
            updates.Add(u);

        AssertShape(emulator);
        var texts = updates.Select(u => u.Text).Where(t => t.Length > 0).ToList();
        Assert.Equal(ProviderEmulator.StreamPieces, texts);
        Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.Stop);
        if (backend == "azure-openai")
        {
            // api-version 2024-10-21 has no stream_options: no usage chunk is asked for or read, and the answer says so.
            Assert.DoesNotContain(updates, u => u.Contents.OfType<UsageContent>().Any());
            Assert.Contains(updates, u => u.AdditionalProperties?[Axon.Runtime.Providers.RequestAdjustmentsKey.Value] is string n && n.Contains("stream_options"));
            return;
        }
        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().Last().Details;
        Assert.Equal(ProviderEmulator.InputTokens, usage.InputTokenCount);
        Assert.Equal(ProviderEmulator.OutputTokens, usage.OutputTokenCount);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Streamed_tool_calls_are_assembled_from_their_chunks(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.StreamToolCall;
        using var client = CreateClient(emulator);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(FlowStep.Messages(), FlowStep.Options(tools: true), Token))
            updates.Add(u);

        AssertShape(emulator);
        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal(ProviderEmulator.ToolName, call.Name);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.Equal("Paris", call.Arguments?["city"]?.ToString());
        Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.ToolCalls);
        Assert.Equal("", string.Concat(updates.Select(u => u.Text)));
    }

    public static TheoryData<string, Scenario, ProviderErrorKind, int> StatusErrors()
    {
        var data = new TheoryData<string, Scenario, ProviderErrorKind, int>();
        foreach (var backend in Backends)
        {
            data.Add(backend, Scenario.BadRequest, ProviderErrorKind.BadRequest, 400);
            data.Add(backend, Scenario.Unauthorized, ProviderErrorKind.Authentication, 401);
            data.Add(backend, Scenario.RateLimited, ProviderErrorKind.RateLimited, 429);
            data.Add(backend, Scenario.ServerError, ProviderErrorKind.ServerError, 500);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(StatusErrors))]
    public async Task Error_statuses_are_classified_once_without_sdk_retries(string backend, Scenario scenario, ProviderErrorKind kind, int status)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = scenario;
        using var client = CreateClient(emulator);

        var e = await Assert.ThrowsAsync<AxonProviderException>(() => client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token));

        AssertShape(emulator);
        Assert.Equal(kind, e.Kind);
        Assert.Equal(status, e.StatusCode);
        Assert.Equal(backend, e.Provider);
        Assert.StartsWith("Backend error: ", e.Message);
        Assert.Contains($"({status})", e.Message);
        Assert.Single(emulator.Server.Requests); // the router is the only retry loop
        if (scenario == Scenario.RateLimited)
            Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter);
        else
            Assert.Null(e.RetryAfter);
        Assert.Equal(kind is ProviderErrorKind.RateLimited or ProviderErrorKind.ServerError, e.IsTransient);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Retry_after_as_an_http_date_is_read(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.RateLimitedUntilDate;
        using var client = CreateClient(emulator);

        var e = await Assert.ThrowsAsync<AxonProviderException>(() => client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token));

        Assert.Equal(ProviderErrorKind.RateLimited, e.Kind);
        Assert.NotNull(e.RetryAfter);
        Assert.InRange(e.RetryAfter.Value.TotalSeconds, 20, 31);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_stalled_response_times_out(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.Stall;
        using var client = CreateClient(emulator, TimeSpan.FromSeconds(1));

        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<AxonProviderException>(() => client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token));

        Assert.Equal(ProviderErrorKind.Timeout, e.Kind);
        Assert.True(e.IsTransient);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.5, 8);
        Assert.Single(emulator.Server.Requests);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_body_that_goes_silent_midway_times_out(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.BodyStall;
        using var client = CreateClient(emulator, TimeSpan.FromSeconds(1));

        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<AxonProviderException>(() => client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token));

        AssertShape(emulator);
        Assert.Equal(ProviderErrorKind.Timeout, e.Kind);
        Assert.True(e.IsTransient);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.5, 8);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_stream_that_goes_silent_midway_times_out(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.StreamStall;
        using var client = CreateClient(emulator, TimeSpan.FromSeconds(1));

        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<AxonProviderException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token))
            {
            }
        });

        AssertShape(emulator);
        Assert.Equal(ProviderErrorKind.Timeout, e.Kind);
        Assert.Contains("stopped sending", e.Message);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.5, 8);
    }

    [Fact]
    public async Task Cancelling_a_stream_is_a_cancellation_not_a_provider_error()
    {
        await using var emulator = CreateEmulator("custom");
        emulator.Scenario = Scenario.StreamStall;
        using var client = CreateClient(emulator, TimeSpan.FromSeconds(30));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cts.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync(FlowStep.Messages(), FlowStep.Options(), cts.Token))
            {
            }
        });
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_reset_connection_is_a_connection_failure(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.Reset;
        using var client = CreateClient(emulator);

        var e = await Assert.ThrowsAsync<AxonProviderException>(() => client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token));

        Assert.Equal(ProviderErrorKind.ConnectionFailed, e.Kind);
        Assert.True(e.IsTransient);
        Assert.Single(emulator.Server.Requests);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_stream_cut_mid_body_is_an_error_not_a_short_success(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.StreamCut;
        using var client = CreateClient(emulator);

        var received = new List<string>();
        var e = await Assert.ThrowsAsync<AxonProviderException>(async () =>
        {
            await foreach (var u in client.GetStreamingResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token))
                received.Add(u.Text);
        });

        AssertShape(emulator);
        Assert.Equal(ProviderErrorKind.TruncatedStream, e.Kind);
        Assert.True(e.IsTransient);
        Assert.NotEqual(string.Concat(ProviderEmulator.StreamPieces), string.Concat(received));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_body_cut_before_its_length_is_truncated_not_parsed(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.BodyCut;
        using var client = CreateClient(emulator);

        var e = await Assert.ThrowsAsync<AxonProviderException>(() => client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token));

        AssertShape(emulator);
        Assert.Equal(ProviderErrorKind.TruncatedStream, e.Kind);
        Assert.True(e.IsTransient);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_stream_without_its_terminal_event_is_truncated(string backend)
    {
        await using var emulator = CreateEmulator(backend);
        emulator.Scenario = Scenario.StreamWithoutEnd;
        using var client = CreateClient(emulator);

        var e = await Assert.ThrowsAsync<AxonProviderException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token))
            {
            }
        });

        AssertShape(emulator);
        Assert.Equal(ProviderErrorKind.TruncatedStream, e.Kind);
        Assert.Contains("stream ended before its end", e.Message);
    }

    [Theory]
    [InlineData("anthropic", "Anthropic")]
    [InlineData("openai", "OpenAI")]
    [InlineData("gemini", "Gemini")]
    [InlineData("ollama", "Ollama")]
    [InlineData("azure-openai", "Azure OpenAI")]
    [InlineData("bedrock", "Bedrock")]
    [InlineData("custom", "Custom endpoint")]
    public async Task A_refused_connection_names_the_provider_and_endpoint(string backend, string display)
    {
        int port;
        await using (var emulator = CreateEmulator(backend))
        {
            // Take the emulator's settings, then close its port so nothing listens there.
            port = emulator.Server.Port;
            var env = emulator.Environment();
            await emulator.DisposeAsync();
            var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            probe.Stop();

            using var client = AxonProviderRegistry.CreateDefault().Create(backend, new AxonProviderOptions { Timeout = TimeSpan.FromSeconds(5) },
                environment: env.GetValueOrDefault);
            var e = await Assert.ThrowsAsync<AxonProviderException>(() => client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token));

            Assert.Equal(ProviderErrorKind.ConnectionFailed, e.Kind);
            Assert.Equal($"Backend error: Could not connect to {display} at 127.0.0.1:{port}", e.Message);
        }
    }
}
