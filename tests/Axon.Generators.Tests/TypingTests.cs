using Axon.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Axon.Generators.Tests;

/// <summary>The built-in semantic types are distinct C# types: the compiler enforces the epistemic lattice.</summary>
public class TypingTests
{
    private const string Program = """
        type Check {
          verdict: FactualClaim
        }

        flow Verify(claim: FactualClaim) -> Check {
          step Look {
            given: claim
            ask: "Is it true?"
            output: Check
          }
        }
        """;

    // The call compiles against the generated flow; markup ({|CS1503:…|}) marks the error the compiler must report there.
    private static Task Compile(string argument) => new AxonGeneratorTest().WithAxon("verify.axon", Program).WithCode($$"""
        using Axon.Runtime.SemanticTypes;
        namespace TestApp;
        public static class Caller
        {
            public static async System.Threading.Tasks.Task<Check> Go(VerifyFlow flow) => await flow.RunAsync({{argument}});
        }
        """).RunAsync(TestContext.Current.CancellationToken);

    [Fact]
    public Task AFactualClaimIsAccepted() => Compile("new FactualClaim(\"The sky is blue.\")");

    [Fact]
    public Task ACitedFactIsAcceptedBecauseTheLatticeMakesItAFactualClaim() => Compile("new CitedFact(\"Water boils at 100 C.\") { Sources = [\"CRC\"] }");

    [Theory]
    [InlineData("new Opinion(\"The sky is lovely.\")")]
    [InlineData("new Speculation(\"The sky may fall.\")")]
    [InlineData("new Uncertainty(\"Nobody knows.\")")]
    [InlineData("\"a plain string\"")]
    public Task AHedgedValueIsRefusedByTheCompiler(string argument) =>
        Compile("{|CS1503:" + argument + "|}"); // cannot convert from 'Opinion' to 'FactualClaim', on the argument

    [Fact]
    public async Task GeneratedCodeRunsOnTheStubBackendAndValidatesRanges()
    {
        var (_, output, diagnostics) = GeneratorHarness.Run([("verify.axon", Program + "\ntype Percent(0..100)\n")]);
        Assert.Empty(diagnostics);
        using var pe = new MemoryStream();
        var emit = output.Emit(pe, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var assembly = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromStream(new MemoryStream(pe.ToArray()));

        var percent = assembly.GetType("TestApp.Percent")!;
        Assert.Equal(50.0, (double)percent.GetProperty("Value")!.GetValue(Activator.CreateInstance(percent, 50.0))!);
        var ex = Assert.Throws<System.Reflection.TargetInvocationException>(() => Activator.CreateInstance(percent, 101.0));
        Assert.IsType<ArgumentOutOfRangeException>(ex.InnerException);

        var flowType = assembly.GetType("TestApp.VerifyFlow")!;
        var flow = Activator.CreateInstance(flowType, new Axon.Runtime.Execution.AxonRuntime())!;
        var run = flowType.GetMethods().Single(m => m.Name == "RunAsync" && m.GetParameters()[0].ParameterType == typeof(Axon.Runtime.SemanticTypes.FactualClaim));
        var task = (Task)run.Invoke(flow, [new Axon.Runtime.SemanticTypes.FactualClaim("The sky is blue."), null, TestContext.Current.CancellationToken])!;
        await task;
        var check = task.GetType().GetProperty("Result")!.GetValue(task)!;
        var verdict = (Axon.Runtime.SemanticTypes.FactualClaim)check.GetType().GetProperty("Verdict")!.GetValue(check)!;
        Assert.False(string.IsNullOrWhiteSpace(verdict.Claim));
    }

    /// <summary>
    /// A record's JSON names are the AXON field names, for JsonSerializer too: its converter reads and writes through
    /// FromJson/ToJson, so the properties carry no [JsonPropertyName] of their own.
    /// </summary>
    [Fact]
    public void A_record_serializes_with_its_axon_field_names_through_JsonSerializer()
    {
        var (_, output, diagnostics) = GeneratorHarness.Run([("names.axon", """
            type Ticket {
              event_name: String
              class: String
              priority: Integer
            }
            """)]);
        Assert.Empty(diagnostics);
        using var pe = new MemoryStream();
        var emit = output.Emit(pe, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        // Its own load context: other tests load an assembly of the same name into the default one.
        var context = new System.Runtime.Loader.AssemblyLoadContext("ticket", isCollectible: true);
        var assembly = context.LoadFromStream(new MemoryStream(pe.ToArray()));
        var ticket = assembly.GetType("TestApp.Ticket")!;
        Assert.All(ticket.GetProperties(), p => Assert.Empty(p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonPropertyNameAttribute), true)));

        var value = Activator.CreateInstance(ticket, "launch", "gold", 3L)!;
        string json = System.Text.Json.JsonSerializer.Serialize(value, ticket);
        Assert.Equal("""{"event_name":"launch","class":"gold","priority":3}""", json);
        var back = System.Text.Json.JsonSerializer.Deserialize("""{"priority":3,"class":"gold","event_name":"launch"}""", ticket);
        Assert.Equal(value, back);
    }
}
