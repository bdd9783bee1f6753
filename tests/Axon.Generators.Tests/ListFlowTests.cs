using System.Collections;
using System.Reflection;
using Axon.Generators.Tests.Support;
using Axon.Runtime.Execution;
using Axon.Runtime.SemanticTypes;
using Axon.Runtime.Stub;
using Microsoft.CodeAnalysis;
using Document = Axon.Runtime.SemanticTypes.Document;

namespace Axon.Generators.Tests;

/// <summary>Issue 11: a flow <c>-&gt; List&lt;T&gt;</c> whose final step outputs <c>T</c> returns <c>IReadOnlyList&lt;T&gt;</c>, with no warning.</summary>
public sealed class ListFlowTests
{
    private const string Program = """
        type Item { title: String, severity: Float }
        flow Findings(doc: Document) -> List<Item> {
          step Read { given: doc ask: "List the risks" output: Item }
        }
        """;

    [Fact]
    public async Task A_list_flow_returns_a_typed_list_end_to_end_on_the_stub()
    {
        var (run, output, diagnostics) = GeneratorHarness.Run([("list.axon", Program)]);
        Assert.Empty(diagnostics);
        var source = run.Results.Single().GeneratedSources.Single(s => s.HintName == "list.axon.g.cs").SourceText.ToString();
        Assert.Contains("Task<__AxG.IReadOnlyList<global::TestApp.Item>> RunAsync(__AxS.Document doc", source);

        using var pe = new MemoryStream();
        var emit = output.Emit(pe, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var assembly = new System.Runtime.Loader.AssemblyLoadContext("list", isCollectible: true).LoadFromStream(new MemoryStream(pe.ToArray()));
        var flowType = assembly.GetType("TestApp.FindingsFlow")!;
        var flow = Activator.CreateInstance(flowType, new StubChatClient())!;
        var method = flowType.GetMethod("RunAsync", [typeof(Document), typeof(AxonRunOptions), typeof(CancellationToken)])!;
        var task = (Task)method.Invoke(flow, [new Document("report", "The supplier may terminate at will."), null, TestContext.Current.CancellationToken])!;
        await task;
        var items = (IEnumerable)task.GetType().GetProperty("Result")!.GetValue(task)!;
        var list = items.Cast<object>().ToList();
        Assert.NotEmpty(list);
        Assert.All(list, i => Assert.Equal("Item", i.GetType().Name));
        Assert.False(string.IsNullOrEmpty((string?)list[0].GetType().GetProperty("Title")!.GetValue(list[0])));
    }

    [Fact]
    public void The_final_steps_contract_asks_for_an_array_of_the_element_type()
    {
        var ir = Axon.Language.AxonCompiler.Compile(Program).Ir!;
        var program = Axon.Cli.Running.ProgramLoader.Load(ir, "list.axon", "stub");
        var step = Assert.IsType<Axon.Runtime.Model.StepNode>(program.Flows.Single().Steps.Single());
        Assert.Equal("List<Item>", step.OutputType);
        var types = new Axon.Runtime.Typing.AxonTypeSystem(program.Types);
        var schema = types.GetOutputSchemaText(step.OutputType)!;
        Assert.Contains("\"items\":{\"type\":\"array\"", schema.Replace(" ", ""));
        Assert.Contains("\"title\"", schema);
    }
}
