using Microsoft.Extensions.Logging;

namespace Axon.Runtime.Providers;

/// <summary>
/// Settings for one provider client. Every value is optional: what is not set here is taken from
/// configuration (<c>Axon:Providers:&lt;name&gt;</c>), then from the environment, then from the
/// provider's defaults (see <see cref="AxonProviderDescriptor"/>).
/// </summary>
public sealed class AxonProviderOptions
{
    /// <summary>The API key (or bearer token for Bedrock). Never printed by <see cref="ToString"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The base URL, following each vendor's SDK convention: OpenAI and custom include <c>/v1</c>;
    /// Anthropic, Gemini and Ollama are the host; Azure OpenAI is the resource endpoint;
    /// Bedrock is the runtime endpoint (<c>https://bedrock-runtime.{region}.amazonaws.com</c>).
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>The model id (the deployment name for Azure OpenAI).</summary>
    public string? Model { get; set; }

    /// <summary>AWS region for Bedrock when no base URL is given.</summary>
    public string? Region { get; set; }

    /// <summary>The <c>api-version</c> query value for Azure OpenAI.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>
    /// How long one call waits for an answer: the response headers and a whole non-streamed body, and each
    /// next chunk of a stream (idle time). Default 20 s; also <c>AXON_TIMEOUT</c> (seconds, <c>30s</c>, <c>2m</c>)
    /// and <c>Axon:Providers:&lt;name&gt;:Timeout</c>.
    /// </summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>
    /// How long a call that asks the model to reason (a run's <c>effort</c> on a model with a reasoning control) waits
    /// for its answer and between chunks: such models think before they send anything. Default 2 min; also
    /// <c>AXON_REASONING_TIMEOUT</c>.
    /// </summary>
    public TimeSpan? ReasoningTimeout { get; set; }

    /// <summary>Bound on a whole streamed answer, however steadily its chunks arrive. Default 10 min; also <c>AXON_STREAM_TIMEOUT</c>.</summary>
    public TimeSpan? StreamTimeout { get; set; }

    /// <summary>
    /// Marks the prefix every step of a run shares (the system prompt) as cacheable where the API takes explicit
    /// breakpoints (Anthropic <c>cache_control</c>, Bedrock <c>cachePoint</c>), once it is long enough for the model.
    /// Default true; also <c>AXON_PROMPT_CACHING=0</c> to turn it off.
    /// </summary>
    public bool? PromptCaching { get; set; }

    /// <summary>Default maximum output tokens when a request does not say (Anthropic and Bedrock need one). Default 4096.</summary>
    public int? DefaultMaxOutputTokens { get; set; }

    /// <summary>An inner HTTP handler (for proxies or tests); the client owns its own <see cref="HttpClient"/>.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Where the client logs requests and failures (keys are never logged).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Copies the options (shallow).</summary>
    public AxonProviderOptions Clone() => (AxonProviderOptions)MemberwiseClone();

    /// <summary>Describes the options without the API key.</summary>
    public override string ToString() =>
        $"AxonProviderOptions {{ BaseUrl = {BaseUrl ?? "(default)"}, Model = {Model ?? "(default)"}, " +
        $"Region = {Region ?? "(default)"}, ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "(not set)" : "***")} }}";
}
