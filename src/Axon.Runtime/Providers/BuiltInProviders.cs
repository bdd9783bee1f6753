using System.ClientModel;
using System.ClientModel.Primitives;
using Axon.Runtime.Providers.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;

namespace Axon.Runtime.Providers;

/// <summary>The names of the built-in backends.</summary>
public static class AxonBackends
{
    /// <summary>Anthropic Messages API.</summary>
    public const string Anthropic = "anthropic";
    /// <summary>OpenAI chat completions through the official SDK.</summary>
    public const string OpenAI = "openai";
    /// <summary>Google Gemini <c>generateContent</c>.</summary>
    public const string Gemini = "gemini";
    /// <summary>Ollama <c>/api/chat</c>.</summary>
    public const string Ollama = "ollama";
    /// <summary>Azure OpenAI deployments.</summary>
    public const string AzureOpenAI = "azure-openai";
    /// <summary>Amazon Bedrock Converse API with a Bedrock API key.</summary>
    public const string Bedrock = "bedrock";
    /// <summary>Any OpenAI-compatible endpoint.</summary>
    public const string Custom = "custom";
    /// <summary>The offline stub (registered by the runtime, not by this registry).</summary>
    public const string Stub = "stub";
}

/// <summary>Descriptors (the table of product.md §6) and factories of the seven HTTP backends.</summary>
internal static class BuiltInProviders
{
    /// <summary>
    /// Default wait for an answer (headers and a whole non-streamed body, or the next chunk of a stream): a dead
    /// provider fails a step in well under a minute with the default two attempts. Long answers stream.
    /// </summary>
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Default wait of a call that asks a model to reason before it answers.</summary>
    internal static readonly TimeSpan DefaultReasoningTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Default bound on a whole streamed answer, however steadily its chunks come.</summary>
    internal static readonly TimeSpan DefaultStreamTimeout = TimeSpan.FromMinutes(10);

    private const int DefaultMaxTokens = 4096;

    public static readonly AxonProviderDescriptor AnthropicDescriptor = new(AxonBackends.Anthropic, "Anthropic",
        ["ANTHROPIC_API_KEY"], ["ANTHROPIC_BASE_URL"], "https://api.anthropic.com", "claude-sonnet-4-6", true);

    public static readonly AxonProviderDescriptor OpenAIDescriptor = new(AxonBackends.OpenAI, "OpenAI",
        ["OPENAI_API_KEY"], ["OPENAI_BASE_URL"], "https://api.openai.com/v1", "gpt-5.4", true);

    public static readonly AxonProviderDescriptor GeminiDescriptor = new(AxonBackends.Gemini, "Gemini",
        ["API_KEY_GEMINI", "GEMINI_API_KEY"], ["GEMINI_BASE_URL"], "https://generativelanguage.googleapis.com", "gemini-3.5-flash", true);

    public static readonly AxonProviderDescriptor OllamaDescriptor = new(AxonBackends.Ollama, "Ollama",
        [], ["OLLAMA_HOST"], "http://localhost:11434", "llama3.1", false);

    public static readonly AxonProviderDescriptor AzureOpenAIDescriptor = new(AxonBackends.AzureOpenAI, "Azure OpenAI",
        ["AZURE_OPENAI_API_KEY"], ["AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_BASE_URL"], null, null, true)
    {
        ModelVariables = ["AXON_AZURE_OPENAI_MODEL", "AZURE_OPENAI_DEPLOYMENT"],
        RequiresModel = true,
        ApiVersionVariables = ["AZURE_OPENAI_API_VERSION"],
        DefaultApiVersion = "2024-10-21",
    };

    public static readonly AxonProviderDescriptor BedrockDescriptor = new(AxonBackends.Bedrock, "Bedrock",
        ["AWS_BEARER_TOKEN_BEDROCK"], ["BEDROCK_BASE_URL", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME"],
        "https://bedrock-runtime.{region}.amazonaws.com", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", true)
    {
        RegionVariables = ["AWS_REGION", "AWS_DEFAULT_REGION"],
        DefaultRegion = "us-east-1",
    };

    public static readonly AxonProviderDescriptor CustomDescriptor = new(AxonBackends.Custom, "Custom endpoint",
        ["AXON_CUSTOM_API_KEY"], ["AXON_CUSTOM_BASE_URL"], null, null, false)
    {
        RequiresModel = true,
    };

    public static IEnumerable<(AxonProviderDescriptor, Func<AxonProviderOptions, IChatClient>)> All =>
    [
        (AnthropicDescriptor, CreateAnthropic),
        (OpenAIDescriptor, CreateOpenAI),
        (GeminiDescriptor, o => CreateHttp(GeminiDescriptor, o, (ctx, transport, baseUri) => new GeminiChatClient(ctx, transport, baseUri, o.Model!),
            transport => transport.AddHeader("x-goog-api-key", o.ApiKey!))),
        (OllamaDescriptor, o => CreateHttp(OllamaDescriptor, o, (ctx, transport, baseUri) => new OllamaChatClient(ctx, transport, baseUri, o.Model!), null)),
        (AzureOpenAIDescriptor, CreateAzure),
        (BedrockDescriptor, o => CreateHttp(BedrockDescriptor, o,
            (ctx, transport, baseUri) => new BedrockChatClient(ctx, transport, baseUri, o.Model!, o.DefaultMaxOutputTokens ?? DefaultMaxTokens),
            transport => transport.AddHeader("Authorization", "Bearer " + o.ApiKey))),
        (CustomDescriptor, o => CreateHttp(CustomDescriptor, o,
            (ctx, transport, baseUri) => new OpenAICompatibleChatClient(ctx, transport, new Uri(baseUri, "chat/completions"), o.Model!, sendModel: true),
            transport =>
            {
                if (!string.IsNullOrEmpty(o.ApiKey))
                    transport.AddHeader("Authorization", "Bearer " + o.ApiKey);
            })),
    ];

    /// <summary>The base URL as a directory URI (trailing slash), so relative paths append to it.</summary>
    internal static Uri BaseUri(AxonProviderDescriptor d, string? baseUrl)
    {
        var text = baseUrl ?? d.DefaultBaseUrl ?? "";
        if (!text.Contains("://", StringComparison.Ordinal))
            text = "http://" + text; // OLLAMA_HOST is often given as host:port
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri))
            throw new AxonProviderException(d.Name, ProviderErrorKind.Configuration, $"Backend error: {d.DisplayName} base URL is not a valid URL");
        return uri;
    }

    private static ProviderContext Context(AxonProviderDescriptor d, AxonProviderOptions o) =>
        new(d.Name, d.DisplayName, o.Timeout ?? DefaultTimeout, o.LoggerFactory?.CreateLogger("Axon.Providers." + d.Name), o.ApiKey)
        {
            StreamTimeout = o.StreamTimeout ?? DefaultStreamTimeout,
            PromptCaching = o.PromptCaching ?? true,
            ReasoningTimeout = o.ReasoningTimeout ?? DefaultReasoningTimeout,
        };

    private static HttpMessageHandler Handler(AxonProviderOptions o) =>
        o.HttpHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    // A caller's handler stays the caller's: only a handler created here is disposed with the client.
    private static ProviderTransport Transport(AxonProviderOptions o) => new(Handler(o), disposeHandler: o.HttpHandler is null);

    private static IChatClient CreateHttp(AxonProviderDescriptor d, AxonProviderOptions o,
        Func<ProviderContext, ProviderTransport, Uri, IChatClient> create, Action<ProviderTransport>? authorize)
    {
        var baseUri = BaseUri(d, o.BaseUrl);
        var transport = Transport(o);
        authorize?.Invoke(transport);
        return create(Context(d, o), transport, baseUri);
    }

    private static IChatClient CreateAzure(AxonProviderOptions o)
    {
        var d = AzureOpenAIDescriptor;
        var baseUri = BaseUri(d, o.BaseUrl);
        var url = new Uri(baseUri, $"openai/deployments/{Uri.EscapeDataString(o.Model!)}/chat/completions?api-version={Uri.EscapeDataString(o.ApiVersion!)}");
        var transport = Transport(o);
        transport.AddHeader("api-key", o.ApiKey!);
        return new OpenAICompatibleChatClient(Context(d, o), transport, url, o.Model!, sendModel: false, AzureApiHasLaterFields(o.ApiVersion!));
    }

    /// <summary>
    /// Whether an Azure OpenAI api-version takes <c>stream_options</c> and <c>reasoning_effort</c>. The GA 2024-10-21
    /// description (the default) has neither in its chat request; versions dated after it (the 2024-12-01-preview
    /// onward) have both. Unparseable versions are treated as new: the user chose them on purpose.
    /// </summary>
    internal static bool AzureApiHasLaterFields(string apiVersion) =>
        apiVersion.Length < 10 || !DateOnly.TryParseExact(apiVersion.AsSpan(0, 10), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date)
        || date > new DateOnly(2024, 10, 21);

    private static IChatClient CreateOpenAI(AxonProviderOptions o)
    {
        var d = OpenAIDescriptor;
        var baseUri = BaseUri(d, o.BaseUrl);
        var context = Context(d, o);
        // The SDK sends through an HttpClient; our handler under it classifies failures as for every backend.
        var http = new HttpClient(new ProviderHttpHandler(context, Handler(o)), disposeHandler: o.HttpHandler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan, // ProviderHttpHandler owns timeouts (and classifies them)
        };
        var sdkOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(baseUri.ToString().TrimEnd('/')),
            RetryPolicy = PassThroughPolicy.Instance, // routing is the only retry loop
            NetworkTimeout = Timeout.InfiniteTimeSpan, // ProviderHttpHandler owns timeouts too
            // ProviderHttpHandler logs each exchange once; the SDK's policy would log (and scan) it again.
            ClientLoggingOptions = new ClientLoggingOptions { EnableLogging = false },
            Transport = new HttpClientPipelineTransport(http),
        };
        var sdk = new OpenAIClient(new ApiKeyCredential(o.ApiKey!), sdkOptions);
        return new OpenAISdkChatClient(context, sdk, baseUri, o.Model!, http);
    }

    private static IChatClient CreateAnthropic(AxonProviderOptions o) => CreateHttp(AnthropicDescriptor, o,
        (ctx, transport, baseUri) => new AnthropicChatClient(ctx, transport, baseUri, o.Model!, o.DefaultMaxOutputTokens ?? DefaultMaxTokens),
        transport =>
        {
            transport.AddHeader("x-api-key", o.ApiKey!);
            transport.AddHeader("anthropic-version", AnthropicChatClient.ApiVersion);
        });

    /// <summary>An SDK pipeline policy that does nothing: a retry policy with no retries that costs nothing per call.</summary>
    private sealed class PassThroughPolicy : PipelinePolicy
    {
        public static readonly PassThroughPolicy Instance = new();

        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
            ProcessNext(message, pipeline, currentIndex);

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
            ProcessNextAsync(message, pipeline, currentIndex);
    }
}
