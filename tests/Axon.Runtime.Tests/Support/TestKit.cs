using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.Tracing;

namespace Axon.Runtime.Tests.Support;

public static class TestKit
{
    public static AxonRunOptions Options(ScriptedChatClient client, string backend = "anthropic", TraceRecorder? trace = null) => new()
    {
        ChatClient = client,
        Backend = backend,
        BackoffUnit = TimeSpan.Zero,
        OutputDirectory = "",
        Trace = trace,
    };

    public static AxonRuntime Runtime(ScriptedChatClient client, Action<AxonRunOptions>? configure = null)
    {
        var o = Options(client);
        configure?.Invoke(o);
        return new AxonRuntime(o);
    }

    public static FlowDefinition Flow(string name, params FlowNode[] steps) => new(name, steps) { Parameters = [new("doc", "Document")] };

    public static RunDefinition Run(FlowDefinition flow, params string[] args) => new(flow) { Arguments = args };

    public static string CorpusPath(string name) => Path.Combine(AppContext.BaseDirectory, "Corpus", name);
}
