using Axon.Generators.Tests.Support;

namespace Axon.Generators.Tests;

/// <summary>
/// The real thing: pack Axon.Runtime and Axon.Toolchain, add the package to a fresh console project,
/// drop an .axon file in, build, and run the generated flow on the offline stub backend.
/// </summary>
public class PackagingTests
{
    [Fact]
    public async Task APackedToolchainGeneratesAndRunsFlowsInAFreshProject()
    {
        using var consumer = await PackedConsumer.CreateAsync("axon-pack-", "0.1.0-test");
        Assert.True(File.Exists(Path.Combine(consumer.Feed, $"Axon.Toolchain.{consumer.Version}.nupkg")));

        var app = consumer.App;
        consumer.WriteProject("<AxonBackend>stub</AxonBackend>", """
            <ItemGroup>
              <!-- Opt-out: a work-in-progress file the build must ignore. -->
              <AdditionalFiles Update="flows/draft.axon" AxonExclude="true" />
            </ItemGroup>
            """);
        Directory.CreateDirectory(Path.Combine(app, "flows"));
        File.WriteAllText(Path.Combine(app, "flows", "greet.axon"), """
            type Greeting {
              message: String,
              language: String
            }

            flow Greet(name: String) -> Greeting {
              step Hello {
                given: name
                ask: "Greet {{name}} warmly."
                output: Greeting
              }
            }
            """);
        File.WriteAllText(Path.Combine(app, "flows", "draft.axon"), "flow Unfinished( {");
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Greeter;
            using Microsoft.Extensions.DependencyInjection;

            using var services = new ServiceCollection().AddAxon().BuildServiceProvider();
            var flow = services.GetRequiredService<GreetFlow>();
            Greeting result = await flow.RunAsync("Ada");
            Console.WriteLine($"BACKEND={GreetAxon.Backend}");
            Console.WriteLine($"GREETING={result.Message}");
            Console.WriteLine($"STEPS={GreetFlow.Definition.Steps.Count}");
            """);

        var (exit, output) = await Dotnet.RunAsync(app, "run", "-nologo", "-v:q");

        Assert.True(exit == 0, output);
        Assert.Contains("BACKEND=stub", output);
        Assert.Matches(@"GREETING=\S+", output);
        Assert.Contains("STEPS=1", output);
        Assert.DoesNotContain("draft.axon", output);

        // Partial generation in a real build: one typo in one flow of a new file is one error, located in the
        // .axon file; the file's type and the broken flow's class are still generated, so C# using them compiles.
        File.WriteAllText(Path.Combine(app, "flows", "tickets.axon"), """
            type Ticket {
              subject: String,
              body: String
            }

            flow Triage(ticket: Ticket) -> Ticket {
              step Read {
                given: ticket
                ask: "Read the ticket."
              }
              step Read {
                given: ticket
                ask: "Read it again."
              }
            }

            flow Answer(ticket: Ticket) -> String {
              step Reply {
                given: ticket
                ask: "Write a reply."
              }
            }
            """);
        File.AppendAllText(Path.Combine(app, "Program.cs"), """

            if (args.Length > 99) UsesTheFile(new Ticket("s", "b"), null!, null!);
            static void UsesTheFile(Ticket ticket, TriageFlow broken, AnswerFlow fine) =>
                Console.WriteLine($"{ticket.Subject} {broken.GetType().Name} {fine.GetType().Name}");
            """);
        var (buildExit, buildOutput) = await Dotnet.RunAsync(app, "build", "-nologo", "-v:q", "-clp:NoSummary");
        Assert.NotEqual(0, buildExit);
        var errors = buildOutput.Split('\n').Where(l => l.Contains(": error ", StringComparison.Ordinal)).Distinct().ToArray();
        var error = Assert.Single(errors);
        Assert.Contains("tickets.axon(11,", error);
        Assert.Contains("error AXN2017", error);
        Assert.DoesNotContain(": error CS", buildOutput);
    }
}
