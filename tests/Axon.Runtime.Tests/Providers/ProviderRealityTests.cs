using System.Text;
using System.Text.Json;
using Axon.Runtime.Providers;
using Axon.Runtime.Providers.Http;
using Axon.Runtime.Tests.Providers.Emulators;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests.Providers;

/// <summary>
/// The providers as they answer today: current defaults, capability profiles, blocked prompts, invalid tool
/// arguments, JSON answers to stream requests, model-not-found listings, cache usage and its price.
/// </summary>
public sealed class ProviderRealityTests
{
    private const string Key = ProviderEmulator.ApiKey;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static IChatClient Client(string backend, LoopbackServer server, AxonProviderOptions? options = null)
    {
        var env = backend switch
        {
            "anthropic" => new Dictionary<string, string?> { ["ANTHROPIC_API_KEY"] = Key, ["ANTHROPIC_BASE_URL"] = server.BaseUrl },
            "gemini" => new() { ["GEMINI_API_KEY"] = Key, ["GEMINI_BASE_URL"] = server.BaseUrl },
            "openai" => new() { ["OPENAI_API_KEY"] = Key, ["OPENAI_BASE_URL"] = server.BaseUrl + "/v1" },
            "bedrock" => new() { ["AWS_BEARER_TOKEN_BEDROCK"] = Key, ["BEDROCK_BASE_URL"] = server.BaseUrl },
            "ollama" => new() { ["OLLAMA_HOST"] = server.BaseUrl },
            _ => new() { ["AXON_CUSTOM_API_KEY"] = Key, ["AXON_CUSTOM_BASE_URL"] = server.BaseUrl + "/v1", ["AXON_CUSTOM_MODEL"] = "local-model" },
        };
        options ??= new AxonProviderOptions();
        options.Timeout ??= TimeSpan.FromSeconds(10);
        return AxonProviderRegistry.CreateDefault().Create(backend, options, environment: env.GetValueOrDefault);
    }

    [Fact]
    public void No_default_model_is_retired_or_unable_to_take_a_schema()
    {
        var registry = AxonProviderRegistry.CreateDefault();
        foreach (var name in registry.KnownBackends)
        {
            var model = registry.GetDescriptor(name).DefaultModel;
            if (model is null)
                continue;
            Assert.DoesNotContain(model, ModelCapabilities.RetiredModels);
            var profile = ModelCapabilities.For(name, model);
            Assert.True(profile.StructuredOutput is StructuredOutputMode.NativeSchema or StructuredOutputMode.ForcedTool, $"{name} {model}: {profile.StructuredOutput}");
            Assert.True(profile.Tools, $"{name} {model} takes no tools");
            Assert.True(ModelPriceTable.Default.TryGetPrice(name, model, out _), $"{name} {model} has no built-in price");
        }
    }

    [Theory]
    [InlineData("openai", "gpt-5.4", SamplingSupport.None, true, ReasoningControl.OpenAIReasoningEffort)]
    [InlineData("openai", "o4-mini", SamplingSupport.None, true, ReasoningControl.OpenAIReasoningEffort)]
    [InlineData("openai", "gpt-4.1", SamplingSupport.TemperatureAndTopP, true, ReasoningControl.None)]
    [InlineData("custom", "local-model", SamplingSupport.TemperatureAndTopP, false, ReasoningControl.None)]
    [InlineData("anthropic", "claude-sonnet-4-5-20250929", SamplingSupport.TemperatureOrTopP, false, ReasoningControl.AnthropicThinkingBudget)]
    [InlineData("anthropic", "claude-opus-4-8", SamplingSupport.None, false, ReasoningControl.AnthropicEffort)]
    [InlineData("gemini", "gemini-2.5-flash", SamplingSupport.TemperatureAndTopP, false, ReasoningControl.GeminiThinkingBudget)]
    [InlineData("gemini", "gemini-3.5-flash", SamplingSupport.None, false, ReasoningControl.GeminiThinkingLevel)]
    [InlineData("bedrock", "us.anthropic.claude-haiku-4-5-20251001-v1:0", SamplingSupport.TemperatureOrTopP, false, ReasoningControl.None)]
    public void Profiles_come_from_one_table(string backend, string model, SamplingSupport sampling, bool maxCompletionTokens, ReasoningControl reasoning)
    {
        var p = ModelCapabilities.For(backend, model);
        Assert.Equal(sampling, p.Sampling);
        Assert.Equal(maxCompletionTokens, p.UsesMaxCompletionTokens);
        Assert.Equal(reasoning, p.Reasoning);
        Assert.Equal(StructuredOutputMode.PromptOnly, ModelCapabilities.For("bedrock", "meta.llama3-70b-instruct-v1:0").StructuredOutput);
        Assert.Equal(StructuredOutputMode.JsonMode, ModelCapabilities.For("openai", "gpt-4-turbo-preview").StructuredOutput);
    }

    [Theory]
    [InlineData("anthropic")]
    [InlineData("openai")]
    [InlineData("gemini")]
    [InlineData("bedrock")]
    public async Task Dropped_sampling_params_are_reported_and_effort_maps_to_the_native_control(string backend)
    {
        await using var emulator = ProviderWireTests.CreateEmulator(backend);
        using var client = ProviderWireTests.CreateClient(emulator);
        var options = FlowStep.Options();
        options.AdditionalProperties = new AdditionalPropertiesDictionary { ["effort"] = "high" };

        var response = await client.GetResponseAsync(FlowStep.Messages(), options, Token);

        Assert.True(emulator.ShapeErrors.IsEmpty, string.Join("\n", emulator.ShapeErrors));
        var notes = response.AdditionalProperties?[RequestAdjustmentsKey.Value] as string;
        Assert.NotNull(notes);
        Assert.Contains("dropped", notes);
        var body = emulator.Server.Requests.Last().Json();
        switch (backend)
        {
            case "anthropic":
                Assert.Equal("adaptive", body.GetProperty("thinking").GetProperty("type").GetString());
                Assert.Equal("high", body.GetProperty("output_config").GetProperty("effort").GetString());
                break;
            case "openai":
                Assert.Equal("high", body.GetProperty("reasoning_effort").GetString());
                break;
            case "gemini":
                Assert.Equal("HIGH", body.GetProperty("generationConfig").GetProperty("thinkingConfig").GetProperty("thinkingLevel").GetString());
                break;
            case "bedrock":
                Assert.Contains("prompt hint", notes);
                break;
        }
    }

    [Fact]
    public void Gemini_schemas_use_the_proto_type_enum()
    {
        using var formats = JsonDocument.Parse("""{"type":"object","properties":{"mail":{"type":"string","format":"email"},"when":{"type":"string","format":"date-time"}}}""");
        var withFormats = GeminiChatClient.ToGeminiSchema(formats.RootElement).GetProperty("properties");
        Assert.False(withFormats.GetProperty("mail").TryGetProperty("format", out _));
        Assert.Equal("date-time", withFormats.GetProperty("when").GetProperty("format").GetString());
        var schema = GeminiChatClient.ToGeminiSchema(FlowStep.CitySchema);
        Assert.Equal("OBJECT", schema.GetProperty("type").GetString());
        Assert.Equal("STRING", schema.GetProperty("properties").GetProperty("city").GetProperty("type").GetString());
        var population = schema.GetProperty("properties").GetProperty("population");
        Assert.Equal("INTEGER", population.GetProperty("type").GetString());
        Assert.True(population.GetProperty("nullable").GetBoolean());
    }

    [Fact]
    public void Gemini_schemas_drop_unsupported_keywords_in_every_subschema_but_keep_properties_named_like_keywords()
    {
        using var doc = JsonDocument.Parse("""
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
             "properties":{"type":{"type":"string"},"additionalProperties":{"type":["number","null"]},
               "tags":{"type":"array","items":{"type":"object","additionalProperties":false,"properties":{"id":{"type":"integer","default":1}}}},
               "either":{"anyOf":[{"type":"string","format":"uri"},{"type":"boolean"}]}},
             "required":["type"]}
            """);
        var schema = GeminiChatClient.ToGeminiSchema(doc.RootElement);
        Assert.False(schema.TryGetProperty("$schema", out _));
        Assert.False(schema.TryGetProperty("additionalProperties", out _));
        var properties = schema.GetProperty("properties");
        Assert.Equal("STRING", properties.GetProperty("type").GetProperty("type").GetString());
        Assert.Equal("NUMBER", properties.GetProperty("additionalProperties").GetProperty("type").GetString());
        Assert.True(properties.GetProperty("additionalProperties").GetProperty("nullable").GetBoolean());
        var item = properties.GetProperty("tags").GetProperty("items");
        Assert.Equal("OBJECT", item.GetProperty("type").GetString());
        Assert.False(item.TryGetProperty("additionalProperties", out _));
        Assert.False(item.GetProperty("properties").GetProperty("id").TryGetProperty("default", out _));
        var either = properties.GetProperty("either").GetProperty("anyOf");
        Assert.Equal("STRING", either[0].GetProperty("type").GetString());
        Assert.False(either[0].TryGetProperty("format", out _));
        Assert.Equal("BOOLEAN", either[1].GetProperty("type").GetString());
        Assert.Equal("type", schema.GetProperty("required")[0].GetString());
    }

    [Fact]
    public void Anthropic_structured_output_schemas_are_closed_and_keep_unsupported_constraints_as_text()
    {
        using var doc = JsonDocument.Parse("""
            {"type":"object","properties":{"score":{"type":"number","minimum":0,"maximum":1,"description":"Risk"},
             "tags":{"type":"array","items":{"type":"string","maxLength":20},"minItems":2},
             "kind":{"type":"string","enum":["a","b"]},"nested":{"type":"object","properties":{"x":{"type":"integer"}}}},
             "required":["score"],"additionalProperties":true}
            """);
        var strict = AnthropicChatClient.StrictSchema(doc.RootElement);
        Assert.False(strict.GetProperty("additionalProperties").GetBoolean());
        Assert.False(strict.GetProperty("properties").GetProperty("nested").GetProperty("additionalProperties").GetBoolean());
        var score = strict.GetProperty("properties").GetProperty("score");
        Assert.False(score.TryGetProperty("minimum", out _));
        Assert.Equal("Risk\n\n{minimum: 0, maximum: 1}", score.GetProperty("description").GetString());
        Assert.Equal(2, strict.GetProperty("properties").GetProperty("kind").GetProperty("enum").GetArrayLength());
        Assert.False(strict.GetProperty("properties").GetProperty("tags").TryGetProperty("minItems", out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_blocked_gemini_prompt_is_content_filtered_not_transient(bool stream)
    {
        const string blocked = """{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT","safetyRatings":[]},"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":"gemini-3.5-flash"}""";
        await using var server = new LoopbackServer(async (r, w, _) =>
        {
            if (stream)
                await w.StreamAsync("text/event-stream", [Encoding.UTF8.GetBytes("data: " + blocked + "\n\n")]);
            else
                await w.JsonAsync(200, blocked);
        });
        using var client = Client("gemini", server);

        var e = await Assert.ThrowsAsync<AxonProviderException>(async () =>
        {
            if (stream)
                await foreach (var _ in client.GetStreamingResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token)) { }
            else
                await client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token);
        });
        Assert.Equal(ProviderErrorKind.ContentFiltered, e.Kind);
        Assert.False(e.IsTransient);
        Assert.False(Axon.Runtime.Routing.ProviderErrorClassifier.CanFailOver(e.Kind));
        Assert.Contains("PROHIBITED_CONTENT", e.Message);
    }

    [Fact]
    public async Task A_safety_stop_is_content_filtered()
    {
        await using var server = new LoopbackServer((r, w, _) => w.JsonAsync(200,
            """{"candidates":[{"content":{"parts":[{"text":"Sure, here"}],"role":"model"},"finishReason":"SAFETY","index":0}],"modelVersion":"gemini-3.5-flash"}"""));
        using var client = Client("gemini", server);
        var e = await Assert.ThrowsAsync<AxonProviderException>(() => client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token));
        Assert.Equal(ProviderErrorKind.ContentFiltered, e.Kind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tool_arguments_that_are_not_json_are_model_output_not_a_server_error(bool stream)
    {
        const string bad = "{\"city\": \"Paris\""; // cut short, as models sometimes send
        await using var server = new LoopbackServer(async (r, w, _) =>
        {
            if (stream)
                await w.StreamAsync("text/event-stream", new[]
                {
                    JsonSerializer.Serialize(new { id = "c1", model = "gpt-5.4", choices = new[] { new { index = 0, delta = new { role = "assistant", tool_calls = new[] { new { index = 0, id = "call_1", type = "function", function = new { name = ProviderEmulator.ToolName, arguments = bad } } } }, finish_reason = (string?)null } } }),
                    JsonSerializer.Serialize(new { id = "c1", model = "gpt-5.4", choices = new[] { new { index = 0, delta = new { }, finish_reason = "tool_calls" } } }),
                    "[DONE]",
                }.Select(d => Encoding.UTF8.GetBytes("data: " + d + "\n\n")));
            else
                await w.JsonAsync(200, JsonSerializer.Serialize(new
                {
                    id = "c1", model = "gpt-5.4-2026-03-05",
                    choices = new[] { new { index = 0, finish_reason = "tool_calls", message = new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "call_1", type = "function", function = new { name = ProviderEmulator.ToolName, arguments = bad } } } } } },
                    usage = new { prompt_tokens = 5, completion_tokens = 3, total_tokens = 8 },
                }));
        });
        using var client = Client("openai", server);

        var contents = new List<AIContent>();
        if (stream)
            await foreach (var u in client.GetStreamingResponseAsync(FlowStep.Messages(), FlowStep.Options(tools: true), Token))
                contents.AddRange(u.Contents);
        else
            contents.AddRange((await client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(tools: true), Token)).Messages.SelectMany(m => m.Contents));

        var call = Assert.Single(contents.OfType<FunctionCallContent>());
        Assert.Equal(ProviderEmulator.ToolName, call.Name);
        Assert.IsType<InvalidDataException>(call.Exception);
        Assert.Single(server.Requests); // nothing was retried
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("custom")]
    public async Task A_json_body_to_a_stream_request_is_read_as_the_answer(string backend)
    {
        await using var emulator = ProviderWireTests.CreateEmulator(backend);
        await using var server = new LoopbackServer((r, w, _) => w.JsonAsync(200, backend == "anthropic"
            ? """{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-6-20260217","content":[{"type":"text","text":"Paris."}],"stop_reason":"end_turn","usage":{"input_tokens":4,"output_tokens":2}}"""
            : """{"id":"c1","object":"chat.completion","model":"gpt-5.4-2026-03-05","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}"""));
        using var client = Client(backend, server);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token))
            updates.Add(u);

        var response = updates.ToChatResponse();
        Assert.Equal("Paris.", response.Text);
        Assert.Equal(backend == "anthropic" ? "claude-sonnet-4-6-20260217" : "gpt-5.4-2026-03-05", response.ModelId);
    }

    [Fact]
    public async Task A_streamed_answer_names_the_model_of_the_response()
    {
        await using var emulator = new AnthropicEmulator { Scenario = Scenario.Stream };
        using var client = ProviderWireTests.CreateClient(emulator);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(FlowStep.Messages(), FlowStep.Options(), Token))
            updates.Add(u);
        Assert.Equal(AnthropicEmulator.AnsweringModel, updates.ToChatResponse().ModelId);
    }

    [Theory]
    [InlineData("anthropic", "/v1/models", """{"data":[{"type":"model","id":"claude-sonnet-4-6","display_name":"Claude Sonnet 4.6"},{"type":"model","id":"claude-haiku-4-5","display_name":"Claude Haiku 4.5"}],"has_more":false}""", """{"type":"error","error":{"type":"not_found_error","message":"model: claude-nope"}}""")]
    [InlineData("openai", "/v1/models", """{"object":"list","data":[{"id":"gpt-5.4","object":"model","owned_by":"openai"},{"id":"gpt-5.4-mini","object":"model","owned_by":"openai"}]}""", """{"error":{"message":"The model `claude-nope` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}""")]
    [InlineData("gemini", "/v1beta/models", """{"models":[{"name":"models/gemini-3.5-flash","supportedGenerationMethods":["generateContent","countTokens"]},{"name":"models/text-embedding-004","supportedGenerationMethods":["embedContent"]}]}""", """{"error":{"code":404,"message":"models/claude-nope is not found for API version v1beta","status":"NOT_FOUND"}}""")]
    [InlineData("ollama", "/api/tags", """{"models":[{"name":"llama3.1:latest","model":"llama3.1:latest"},{"name":"qwen2.5:7b","model":"qwen2.5:7b"}]}""", """{"error":"model 'claude-nope' not found"}""")]
    [InlineData("bedrock", "/foundation-models", """{"modelSummaries":[{"modelId":"anthropic.claude-sonnet-4-5-20250929-v1:0"},{"modelId":"amazon.nova-pro-v1:0"}]}""", """{"message":"The provided model identifier is invalid."}""")]
    public async Task Model_not_found_names_the_model_and_lists_what_the_key_can_use(string backend, string listPath, string list, string notFound)
    {
        await using var server = new LoopbackServer((r, w, _) =>
            r.Method == "GET" && r.Path == listPath ? w.JsonAsync(200, list) : w.JsonAsync(backend == "bedrock" ? 400 : 404, notFound));
        using var client = Client(backend, server, new AxonProviderOptions { Model = "claude-nope" });

        var listed = await AxonModels.ListAsync(client, Token);
        Assert.Equal(2, backend == "gemini" ? listed.Count + 1 : listed.Count);
        var e = await Assert.ThrowsAsync<AxonProviderException>(() => client.GetResponseAsync(FlowStep.Messages(), null, Token));

        Assert.Equal(ProviderErrorKind.NotFound, e.Kind);
        Assert.False(e.IsTransient);
        Assert.Contains("'claude-nope' was not found", e.Message);
        Assert.Contains(listed[0], e.Message);
        Assert.DoesNotContain(Key[..8], e.Message);
    }

    [Fact]
    public void A_key_at_any_offset_of_a_long_html_error_body_never_shows_even_in_part()
    {
        var context = new ProviderContext("custom", "Custom endpoint", TimeSpan.FromSeconds(1), null, Key);
        var filler = "<html><body>" + string.Concat(Enumerable.Repeat("<p>upstream gateway error</p>", 30)) + "</body></html>";
        for (var offset = 0; offset <= filler.Length; offset++)
        {
            var body = filler[..offset] + Key + filler[offset..];
            var message = context.StatusError(502, body, null).Message;
            for (var i = 0; i + 8 <= Key.Length; i++)
                Assert.DoesNotContain(Key.Substring(i, 8), message);
        }
    }

    [Theory]
    [InlineData("30", 30)]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("1500ms", 1.5)]
    [InlineData("00:00:45", 45)]
    public void Timeouts_read_from_the_environment(string text, double seconds)
    {
        var resolved = AxonProviderRegistry.CreateDefault().ResolveOptions("ollama", environment: n => n == "AXON_TIMEOUT" ? text : null);
        Assert.Equal(TimeSpan.FromSeconds(seconds), resolved.Timeout);
        Assert.Null(AxonProviderRegistry.ParseDuration("soon"));
        Assert.Null(AxonProviderRegistry.ParseDuration("-3"));
    }

    [Fact]
    public async Task A_hung_provider_fails_within_the_default_bound()
    {
        await using var server = new LoopbackServer((r, w, ct) => w.StallAsync(ct));
        var env = new Dictionary<string, string?> { ["OLLAMA_HOST"] = server.BaseUrl, ["AXON_TIMEOUT"] = "1s" };
        using var client = AxonProviderRegistry.CreateDefault().Create("ollama", environment: env.GetValueOrDefault);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<AxonProviderException>(() => client.GetResponseAsync(FlowStep.Messages(), null, Token));
        Assert.Equal(ProviderErrorKind.Timeout, e.Kind);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10));
        Assert.True(BuiltInProviders.DefaultTimeout * 2 < TimeSpan.FromMinutes(1), "two default attempts must fail a dead provider in under a minute");
    }

    [Theory]
    [InlineData("anthropic", false)]
    [InlineData("anthropic", true)]
    [InlineData("openai", false)]
    [InlineData("openai", true)]
    public async Task A_call_that_asks_the_model_to_reason_waits_the_reasoning_timeout(string backend, bool effort)
    {
        await using var server = new LoopbackServer((r, w, ct) => w.StallAsync(ct));
        using var client = Client(backend, server, new AxonProviderOptions
        {
            Timeout = TimeSpan.FromMilliseconds(300), ReasoningTimeout = TimeSpan.FromMilliseconds(1200),
        });
        var options = FlowStep.Options();
        if (effort)
            options.AdditionalProperties = new AdditionalPropertiesDictionary { ["effort"] = "high" };

        var e = await Assert.ThrowsAsync<AxonProviderException>(() => client.GetResponseAsync(FlowStep.Messages(), options, Token));

        Assert.Equal(ProviderErrorKind.Timeout, e.Kind);
        Assert.Contains(effort ? "within 1.2 s" : "within 0.3 s", e.Message);
    }

    /// <summary>
    /// Azure's GA api-version 2024-10-21 (the default) has neither stream_options nor reasoning_effort in its chat request:
    /// they are left out, and the answer's notes say so; an api-version dated after it gets both.
    /// </summary>
    [Theory]
    [InlineData("2024-10-21", false)]
    [InlineData("2024-06-01", false)]
    [InlineData("2025-04-01-preview", true)]
    public async Task Azure_gets_stream_options_and_reasoning_effort_only_from_api_versions_that_have_them(string apiVersion, bool expected)
    {
        await using var server = new LoopbackServer((r, w, _) => w.StreamAsync("text/event-stream",
        [
            Encoding.UTF8.GetBytes("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-5-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\n"),
            Encoding.UTF8.GetBytes("data: [DONE]\n\n"),
        ]));
        var env = new Dictionary<string, string?>
        {
            ["AZURE_OPENAI_API_KEY"] = Key, ["AZURE_OPENAI_ENDPOINT"] = server.BaseUrl, ["AZURE_OPENAI_DEPLOYMENT"] = "gpt-5-mini",
            ["AZURE_OPENAI_API_VERSION"] = apiVersion,
        };
        using var client = AxonProviderRegistry.CreateDefault().Create("azure-openai", new AxonProviderOptions { Timeout = TimeSpan.FromSeconds(10) }, environment: env.GetValueOrDefault);
        var options = new ChatOptions { AdditionalProperties = new AdditionalPropertiesDictionary { ["effort"] = "high" } };

        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(FlowStep.Messages(), options, Token)) updates.Add(u);

        var request = server.Requests.Single();
        Assert.Equal("api-version=" + apiVersion, request.Query);
        var body = request.Json();
        Assert.Equal(expected, body.TryGetProperty("stream_options", out _));
        Assert.Equal(expected, body.TryGetProperty("reasoning_effort", out _));
        if (!expected)
        {
            var notes = string.Join(" ", updates.Select(u => u.AdditionalProperties?[RequestAdjustmentsKey.Value] as string));
            Assert.Contains("effort high sent as a prompt hint", notes);
            Assert.Contains("stream_options", notes);
        }
        Assert.Equal("ok", string.Concat(updates.Select(u => u.Text)));
    }

    /// <summary>
    /// A 5-step flow whose steps share a long system prompt, against an Anthropic emulator that reports cache usage as
    /// the API does (cache_creation_input_tokens on the first call with a breakpoint, cache_read_input_tokens after).
    /// </summary>
    [Fact]
    public async Task Prompt_caching_cuts_the_input_billed_at_full_price_in_a_five_step_flow()
    {
        var system = "You are a contract analyst. " + string.Concat(Enumerable.Repeat("Clause text that every step of the run shares. ", 400));
        var (withCache, withCost) = await RunFiveStepsAsync(system, caching: true);
        var (without, withoutCost) = await RunFiveStepsAsync(system, caching: false);

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"5-step flow, {ChatMapping.EstimateTokens(system)}-token shared prefix: input billed at full price with caching {withCache} tokens (${withCost:0.0000}), without {without} tokens (${withoutCost:0.0000})");
        Assert.True(withCache < without / 2, $"with {withCache}, without {without}");
        Assert.True(withCost < withoutCost);
    }

    /// <summary>
    /// The same through the runtime: a persona whose description makes the system prompt long, a flow of five steps;
    /// the system prompt the runtime builds is the same bytes on every step, so from the second step on it is read cached.
    /// </summary>
    [Fact]
    public async Task A_five_step_run_reads_its_shared_system_prompt_from_the_cache()
    {
        var persona = new Axon.Runtime.Model.PersonaDefinition("Analyst")
        {
            Description = string.Concat(Enumerable.Repeat("Reviews commercial contracts clause by clause, citing the clause it relies on. ", 80)),
        };
        var steps = Enumerable.Range(1, 5).Select(i => (Axon.Runtime.Model.FlowNode)new Axon.Runtime.Model.StepNode("S" + i) { Ask = $"Risk {i}?" }).ToArray();
        var flow = new Axon.Runtime.Model.FlowDefinition("Review", steps);
        var results = new Dictionary<bool, (long FullPrice, decimal Cost)>();
        foreach (var caching in new[] { true, false })
        {
            var cached = new HashSet<string>();
            await using var server = new LoopbackServer((r, w, _) => CachingAnthropicAsync(r, w, cached, "The main risk is the liability cap [1]."));
            using var client = Client("anthropic", server, new AxonProviderOptions { PromptCaching = caching });
            var trace = new Axon.Runtime.Tracing.TraceRecorder("r.axon", "anthropic");
            var runtime = new Axon.Runtime.Execution.AxonRuntime(new Axon.Runtime.Execution.AxonRunOptions
            {
                ChatClient = client, Backend = "anthropic", Trace = trace, OutputDirectory = "", BackoffUnit = TimeSpan.Zero,
            });
            var result = await runtime.RunAsync(new Axon.Runtime.Model.RunDefinition(flow) { Persona = persona }, (IReadOnlyDictionary<string, object?>?)null, Token);
            Assert.True(result.Status == Axon.Runtime.Execution.RunStatus.Completed, result.Error);
            Assert.Equal(5, server.Requests.Count);
            var systems = server.Requests.Select(q => q.Json().GetProperty("system")[0].GetProperty("text").GetString()).Distinct().ToArray();
            Assert.Single(systems); // byte-identical on every step
            var cachedTokens = trace.Events.Where(e => e.Type == Axon.Runtime.Tracing.TraceEventKinds.ModelResponse)
                .Sum(e => e.Data["cached_input_tokens"] is long n ? n : 0);
            results[caching] = (result.TotalUsage.InputTokens - cachedTokens, result.TotalCost);
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"runtime, 5 steps: input tokens not read from the cache with caching {results[true].FullPrice} (${results[true].Cost:0.0000}), without {results[false].FullPrice} (${results[false].Cost:0.0000})");
        Assert.True(results[true].FullPrice < results[false].FullPrice / 2);
        Assert.True(results[true].Cost < results[false].Cost);
    }

    /// <summary>
    /// Typed steps that state the same output contract: the contract comes first in the user message, right after the
    /// system prompt, so system prompt plus contract is a prefix the steps share byte for byte; Anthropic gets a second
    /// breakpoint after the contract, and from the second such step on the contract is read from the cache too. A step
    /// whose contract no other step states gets no breakpoint of its own (a cache write nothing would read).
    /// </summary>
    [Fact]
    public async Task Steps_sharing_an_output_contract_read_system_prompt_and_contract_from_the_cache()
    {
        var persona = new Axon.Runtime.Model.PersonaDefinition("Analyst")
        {
            Description = string.Concat(Enumerable.Repeat("Reviews commercial contracts clause by clause, citing the clause it relies on. ", 80)),
        };
        var steps = Enumerable.Range(1, 5)
            .Select(i => (Axon.Runtime.Model.FlowNode)new Axon.Runtime.Model.StepNode("S" + i) { Ask = $"Summarise clause {i}.", OutputType = "Summary", ConfidenceFloor = 0.8 })
            .Append(new Axon.Runtime.Model.StepNode("Last") { Ask = "One line on clause 6.", OutputType = "Summary" })
            .ToArray();
        var flow = new Axon.Runtime.Model.FlowDefinition("Review", steps);
        var results = new Dictionary<bool, (long FullPrice, long[] Read)>();
        foreach (var caching in new[] { true, false })
        {
            var cached = new HashSet<string>();
            await using var server = new LoopbackServer((r, w, _) => CachingAnthropicAsync(r, w, cached, """{"summary":"The clause caps liability.","confidence":0.9}"""));
            using var client = Client("anthropic", server, new AxonProviderOptions { PromptCaching = caching });
            var trace = new Axon.Runtime.Tracing.TraceRecorder("r.axon", "anthropic");
            var runtime = new Axon.Runtime.Execution.AxonRuntime(new Axon.Runtime.Execution.AxonRunOptions
            {
                ChatClient = client, Backend = "anthropic", Trace = trace, OutputDirectory = "", BackoffUnit = TimeSpan.Zero,
            });
            var result = await runtime.RunAsync(new Axon.Runtime.Model.RunDefinition(flow) { Persona = persona }, (IReadOnlyDictionary<string, object?>?)null, Token);
            Assert.True(result.Status == Axon.Runtime.Execution.RunStatus.Completed, result.Error);
            Assert.Equal(6, server.Requests.Count);
            var firstBlocks = server.Requests.Select(q => q.Json().GetProperty("messages")[0].GetProperty("content")[0]).ToArray();
            // The contract leads the user message, the same bytes on the five steps that state it.
            Assert.All(firstBlocks, b => Assert.StartsWith("Your output MUST conform to the type: Summary", b.GetProperty("text").GetString()));
            if (caching) Assert.Single(firstBlocks.Take(5).Select(b => b.GetProperty("text").GetString()).Distinct()); // a block of its own, ending at the breakpoint
            for (var i = 0; i < 6; i++)
            {
                var breakpoints = server.Requests.ElementAt(i).BodyText.Split("\"cache_control\"").Length - 1;
                Assert.True(breakpoints <= 4, "the API allows four breakpoints");
                Assert.Equal(caching ? (i < 5 ? 2 : 1) : 0, breakpoints);
            }
            var read = trace.Events.Where(e => e.Type == Axon.Runtime.Tracing.TraceEventKinds.ModelResponse)
                .Select(e => e.Data["cached_input_tokens"] is long n ? n : 0).ToArray();
            results[caching] = (result.TotalUsage.InputTokens - read.Sum(), read);
        }
        var system = results[true].Read[1];
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"runtime, 6 typed steps (5 share a contract): input tokens not read from the cache with caching {results[true].FullPrice}, without {results[false].FullPrice}; read per step {string.Join(", ", results[true].Read)}");
        Assert.Equal(0, results[true].Read[0]);
        // Steps 2–5 read system prompt and contract; the last step (another contract) reads only the system prompt.
        Assert.All(results[true].Read[1..5], r => Assert.Equal(system, r));
        Assert.True(results[true].Read[5] < system);
        Assert.True(results[true].Read[5] > 0);
        Assert.True(results[true].FullPrice < results[false].FullPrice / 2);
    }

    /// <summary>
    /// Answers like the Messages API with prompt caching: each block with cache_control ends a prefix (system blocks,
    /// then message blocks in order); the longest prefix cached earlier is read, the rest up to the last breakpoint is
    /// written, and what follows is billed as input.
    /// </summary>
    private static Task CachingAnthropicAsync(RecordedRequest r, Responder w, HashSet<string> cachedPrefixes, string answer)
    {
        var body = r.Json();
        var blocks = body.GetProperty("system").EnumerateArray()
            .Concat(body.GetProperty("messages").EnumerateArray().SelectMany(m => m.GetProperty("content").EnumerateArray()))
            .Select(b => (Text: b.GetProperty("text").GetString()!, Breakpoint: b.TryGetProperty("cache_control", out _)))
            .ToArray();
        var prefix = new System.Text.StringBuilder();
        var prefixes = new List<string>();
        foreach (var (text, breakpoint) in blocks)
        {
            prefix.Append(text).Append('\u0001');
            if (breakpoint) prefixes.Add(prefix.ToString());
        }
        long total = blocks.Sum(b => b.Text.Length) / 4;
        var hit = prefixes.LastOrDefault(cachedPrefixes.Contains);
        long read = hit is null ? 0 : (hit.Length - hit.Count(c => c == '\u0001')) / 4;
        long written = prefixes.Count == 0 ? 0 : (prefixes[^1].Length - prefixes[^1].Count(c => c == '\u0001')) / 4 - read;
        foreach (var p in prefixes) cachedPrefixes.Add(p);
        return w.JsonAsync(200, JsonSerializer.Serialize(new
        {
            id = "msg", type = "message", role = "assistant", model = "claude-sonnet-4-6-20260217",
            content = new[] { new { type = "text", text = answer } }, stop_reason = "end_turn",
            usage = new { input_tokens = total - read - written, cache_creation_input_tokens = written, cache_read_input_tokens = read, output_tokens = 12 },
        }));
    }

    private static async Task<(long FullPriceInput, decimal Cost)> RunFiveStepsAsync(string system, bool caching)
    {
        var cachedPrefixes = new HashSet<string>();
        await using var server = new LoopbackServer((r, w, _) =>
        {
            var body = r.Json();
            var sys = body.GetProperty("system")[0];
            var systemTokens = sys.GetProperty("text").GetString()!.Length / 4;
            var userTokens = body.GetProperty("messages")[0].GetProperty("content")[0].GetProperty("text").GetString()!.Length / 4;
            long read = 0, written = 0, plain = systemTokens + userTokens;
            if (sys.TryGetProperty("cache_control", out var _cc))
            {
                var prefix = sys.GetProperty("text").GetString()!;
                if (cachedPrefixes.Contains(prefix))
                    read = systemTokens;
                else
                {
                    written = systemTokens;
                    cachedPrefixes.Add(prefix);
                }
                plain = userTokens;
            }
            return w.JsonAsync(200, JsonSerializer.Serialize(new
            {
                id = "msg", type = "message", role = "assistant", model = "claude-sonnet-4-6-20260217",
                content = new[] { new { type = "text", text = "ok" } }, stop_reason = "end_turn",
                usage = new { input_tokens = plain, cache_creation_input_tokens = written, cache_read_input_tokens = read, output_tokens = 2 },
            }));
        });
        using var client = Client("anthropic", server, new AxonProviderOptions { PromptCaching = caching });
        long fullPrice = 0;
        decimal cost = 0;
        Assert.True(ModelPriceTable.Default.TryGetPrice("anthropic", "claude-sonnet-4-6-20260217", out var price));
        for (var step = 1; step <= 5; step++)
        {
            ChatMessage[] messages = [new(ChatRole.System, system), new(ChatRole.User, $"Step {step}: list the risks of clause {step}.")];
            var response = await client.GetResponseAsync(messages, null, Token);
            var usage = response.Usage!;
            fullPrice += usage.InputTokenCount!.Value - (usage.CachedInputTokenCount ?? 0)
                         - (usage.AdditionalCounts?.GetValueOrDefault(ModelPrice.CacheWriteCountKey) ?? 0);
            cost += price.Estimate(usage);
        }
        return (fullPrice, cost);
    }

    private const string AnthropicPlain =
        """{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-6-20260217","content":[{"type":"text","text":"A measured answer [1]."}],"stop_reason":"end_turn","usage":{"input_tokens":1000,"cache_read_input_tokens":3000,"output_tokens":100}}""";

    [Fact]
    public async Task A_run_traces_what_the_profile_dropped_and_is_priced_by_default()
    {
        await using var server = new LoopbackServer((r, w, _) => w.JsonAsync(200, AnthropicPlain));
        using var client = Client("anthropic", server);
        var trace = new Axon.Runtime.Tracing.TraceRecorder("t.axon", "anthropic");
        var runtime = new Axon.Runtime.Execution.AxonRuntime(new Axon.Runtime.Execution.AxonRunOptions
        {
            ChatClient = client, Backend = "anthropic", Trace = trace, OutputDirectory = "", BackoffUnit = TimeSpan.Zero,
        });
        var flow = new Axon.Runtime.Model.FlowDefinition("F", [new Axon.Runtime.Model.StepNode("A") { Ask = "a" }]);
        var run = new Axon.Runtime.Model.RunDefinition(flow) { Context = new Axon.Runtime.Model.ContextDefinition("C") { Temperature = 0.7 } };

        var result = await runtime.RunAsync(run, (IReadOnlyDictionary<string, object?>?)null, Token);

        Assert.True(result.Status == Axon.Runtime.Execution.RunStatus.Completed, result.Error);
        var body = Assert.Single(server.Requests).Json();
        Assert.False(body.TryGetProperty("temperature", out _));
        Assert.False(body.TryGetProperty("top_p", out _));
        var response = trace.Events.Single(e => e.Type == Axon.Runtime.Tracing.TraceEventKinds.ModelResponse);
        Assert.Equal("sampling params dropped: temperature (model rejects)", response.Data["request_notes"] as string);
        Assert.Equal(3000L, response.Data["cached_input_tokens"]);
        // 1000 × $3 + 3000 × $0.30 + 100 × $15 per 1M tokens, with no price table set.
        Assert.Equal(0.0054m, result["A"]!.EstimatedCost);
    }

    [Fact]
    public async Task A_blocked_prompt_fails_the_step_once_and_a_hung_provider_is_asked_only_the_attempts_allowed()
    {
        await using var blocked = new LoopbackServer((r, w, _) => w.JsonAsync(200, """{"promptFeedback":{"blockReason":"SAFETY"}}"""));
        await using var hung = new LoopbackServer((r, w, ct) => w.StallAsync(ct));
        var flow = new Axon.Runtime.Model.FlowDefinition("F", [new Axon.Runtime.Model.StepNode("A") { Ask = "a" }]);

        foreach (var (server, backend, expected) in new[] { (blocked, "gemini", 1), (hung, "ollama", 2) })
        {
            using var client = Client(backend, server, new AxonProviderOptions { Timeout = TimeSpan.FromMilliseconds(500) });
            var runtime = new Axon.Runtime.Execution.AxonRuntime(new Axon.Runtime.Execution.AxonRunOptions
            {
                ChatClient = client, Backend = backend, OutputDirectory = "", BackoffUnit = TimeSpan.Zero,
            });
            var result = await runtime.RunAsync(flow, new Dictionary<string, object?>(), Token);
            Assert.Equal(Axon.Runtime.Execution.RunStatus.Failed, result.Status);
            Assert.Equal(expected, server.Requests.Count);
        }
    }
}

/// <summary>Every request's token-limit and sampling fields, for several models per backend, match the model's profile.</summary>
public sealed class ProfileConformanceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Answer(string backend) => backend switch
    {
        "anthropic" => """{"id":"m","type":"message","role":"assistant","model":"x","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}""",
        "gemini" => """{"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1,"totalTokenCount":2}}""",
        "bedrock" => """{"output":{"message":{"role":"assistant","content":[{"text":"ok"}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}""",
        _ => """{"id":"c","object":"chat.completion","model":"x","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""",
    };

    [Theory]
    [InlineData("openai", "gpt-5.4")]
    [InlineData("openai", "gpt-5.4-mini")]
    [InlineData("openai", "o4-mini")]
    [InlineData("openai", "gpt-4.1")]
    [InlineData("openai", "gpt-4o")]
    [InlineData("custom", "qwen2.5-32b")]
    [InlineData("anthropic", "claude-sonnet-4-6")]
    [InlineData("anthropic", "claude-opus-4-8")]
    [InlineData("anthropic", "claude-sonnet-4-5")]
    [InlineData("anthropic", "claude-haiku-4-5-20251001")]
    [InlineData("gemini", "gemini-3.5-flash")]
    [InlineData("gemini", "gemini-3.1-pro")]
    [InlineData("gemini", "gemini-2.5-pro")]
    [InlineData("bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0")]
    [InlineData("bedrock", "us.anthropic.claude-opus-4-8-v1:0")]
    [InlineData("bedrock", "amazon.nova-pro-v1:0")]
    [InlineData("bedrock", "meta.llama3-70b-instruct-v1:0")]
    public async Task Token_limit_and_sampling_fields_follow_the_profile(string backend, string model)
    {
        await using var server = new LoopbackServer((r, w, _) => w.JsonAsync(200, Answer(backend)));
        var env = backend switch
        {
            "anthropic" => new Dictionary<string, string?> { ["ANTHROPIC_API_KEY"] = ProviderEmulator.ApiKey, ["ANTHROPIC_BASE_URL"] = server.BaseUrl },
            "gemini" => new() { ["GEMINI_API_KEY"] = ProviderEmulator.ApiKey, ["GEMINI_BASE_URL"] = server.BaseUrl },
            "openai" => new() { ["OPENAI_API_KEY"] = ProviderEmulator.ApiKey, ["OPENAI_BASE_URL"] = server.BaseUrl + "/v1" },
            "bedrock" => new() { ["AWS_BEARER_TOKEN_BEDROCK"] = ProviderEmulator.ApiKey, ["BEDROCK_BASE_URL"] = server.BaseUrl },
            _ => new() { ["AXON_CUSTOM_BASE_URL"] = server.BaseUrl + "/v1", ["AXON_CUSTOM_MODEL"] = model },
        };
        using var client = AxonProviderRegistry.CreateDefault().Create(backend, new AxonProviderOptions { Model = model, Timeout = TimeSpan.FromSeconds(10) },
            environment: env.GetValueOrDefault);

        await client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(structured: true), Token);

        var profile = ModelCapabilities.For(backend, model);
        var body = Assert.Single(server.Requests).Json();
        var sampling = backend switch
        {
            "gemini" => body.GetProperty("generationConfig"),
            "bedrock" => body.GetProperty("inferenceConfig"),
            _ => body,
        };
        var (temperature, topP) = backend switch
        {
            "gemini" => ("temperature", "topP"),
            "bedrock" => ("temperature", "topP"),
            _ => ("temperature", "top_p"),
        };
        var hasT = sampling.TryGetProperty(temperature, out _);
        var hasP = sampling.TryGetProperty(topP, out _);
        switch (profile.Sampling)
        {
            case SamplingSupport.TemperatureAndTopP:
                Assert.True(hasT && hasP, $"{model}: both expected");
                break;
            case SamplingSupport.TemperatureOrTopP:
                Assert.True(hasT && !hasP, $"{model}: temperature only expected");
                break;
            default:
                Assert.False(hasT || hasP, $"{model}: no sampling expected");
                break;
        }
        if (backend is "openai" or "custom")
        {
            Assert.Equal(profile.UsesMaxCompletionTokens, body.TryGetProperty("max_completion_tokens", out _));
            Assert.Equal(!profile.UsesMaxCompletionTokens, body.TryGetProperty("max_tokens", out _));
        }
        var schemaSent = backend switch
        {
            "anthropic" => body.TryGetProperty("output_config", out var oc) && oc.TryGetProperty("format", out _),
            "gemini" => body.GetProperty("generationConfig").TryGetProperty("responseSchema", out _),
            "bedrock" => body.TryGetProperty("toolConfig", out _),
            _ => body.TryGetProperty("response_format", out var rf) && rf.GetProperty("type").GetString() == "json_schema",
        };
        Assert.Equal(profile.StructuredOutput is StructuredOutputMode.NativeSchema or StructuredOutputMode.ForcedTool, schemaSent);
    }
}
