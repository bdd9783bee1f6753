using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Axon.Runtime.Tracing;

/// <summary>
/// The <c>Axon</c> <see cref="ActivitySource"/> and <see cref="Meter"/>. Attribute names follow the
/// OpenTelemetry GenAI semantic conventions (<c>gen_ai.*</c>); AXON-specific ones use <c>axon.*</c>.
/// </summary>
public static class AxonTelemetry
{
    /// <summary>The source and meter name.</summary>
    public const string Name = "Axon";

    /// <summary>
    /// Activities: one per run (<c>invoke_agent</c>) and per step. The model call's <c>chat</c> activity and the
    /// GenAI client metrics (<c>gen_ai.client.token.usage</c>, <c>gen_ai.client.operation.duration</c>) come from
    /// Microsoft.Extensions.AI's <c>OpenTelemetryChatClient</c> under the same name (see <see cref="AxonChatPipeline"/>).
    /// </summary>
    public static readonly ActivitySource ActivitySource = new(Name, "0.1.0");

    /// <summary>Metrics.</summary>
    public static readonly Meter Meter = new(Name, "0.1.0");

    /// <summary><c>axon.steps</c>: executed flow nodes, tagged with kind and outcome.</summary>
    public static readonly Counter<long> Steps = Meter.CreateCounter<long>("axon.steps", "{step}", "Executed flow nodes.");

    /// <summary><c>axon.anchor.breaches</c>.</summary>
    public static readonly Counter<long> AnchorBreaches = Meter.CreateCounter<long>("axon.anchor.breaches", "{breach}", "Anchor violations.");

    /// <summary><c>axon.cost</c>: estimated cost in USD.</summary>
    public static readonly Counter<double> Cost = Meter.CreateCounter<double>("axon.cost", "USD", "Estimated cost of model calls.");

    /// <summary>GenAI attribute names used on activities.</summary>
    public static class Attributes
    {
        /// <summary>gen_ai.operation.name</summary>
        public const string OperationName = "gen_ai.operation.name";
        /// <summary>gen_ai.provider.name</summary>
        public const string ProviderName = "gen_ai.provider.name";
        /// <summary>gen_ai.request.model</summary>
        public const string RequestModel = "gen_ai.request.model";
        /// <summary>gen_ai.response.model</summary>
        public const string ResponseModel = "gen_ai.response.model";
        /// <summary>gen_ai.request.temperature</summary>
        public const string RequestTemperature = "gen_ai.request.temperature";
        /// <summary>gen_ai.request.top_p</summary>
        public const string RequestTopP = "gen_ai.request.top_p";
        /// <summary>gen_ai.request.max_tokens</summary>
        public const string RequestMaxTokens = "gen_ai.request.max_tokens";
        /// <summary>gen_ai.usage.input_tokens</summary>
        public const string UsageInputTokens = "gen_ai.usage.input_tokens";
        /// <summary>gen_ai.usage.output_tokens</summary>
        public const string UsageOutputTokens = "gen_ai.usage.output_tokens";
        /// <summary>gen_ai.response.finish_reasons</summary>
        public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
        /// <summary>gen_ai.output.type (json or text)</summary>
        public const string OutputType = "gen_ai.output.type";
        /// <summary>gen_ai.agent.name (the flow)</summary>
        public const string AgentName = "gen_ai.agent.name";
        /// <summary>gen_ai.token.type (input/output) on the token histogram</summary>
        public const string TokenType = "gen_ai.token.type";
        /// <summary>error.type</summary>
        public const string ErrorType = "error.type";
    }
}
