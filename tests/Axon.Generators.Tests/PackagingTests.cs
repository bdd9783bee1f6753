using System.Security;
using Axon.Generators.Tests.Support;

namespace Axon.Generators.Tests;

/// <summary>
/// The real thing: pack Axon.Runtime and Axon.Toolchain, add the package to a fresh console project,
/// drop an .axon file in, build, and run the generated flow on the offline stub backend.
/// </summary>
public class PackagingTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Axon.Toolchain.sln"))) return dir.FullName;
        throw new InvalidOperationException("Repository root (Axon.Toolchain.sln) not found above " + AppContext.BaseDirectory);
    }

    private static string UserPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    [Fact]
    public async Task APackedToolchainGeneratesAndRunsFlowsInAFreshProject()
    {
        var root = RepositoryRoot();
        // Build in the configuration the tests were built in, so the pack finds its projects up to date.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        // A fresh version per run: a package id/version pair is immutable once restored.
        var version = "0.1.0-test" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        var work = Directory.CreateTempSubdirectory("axon-pack-");
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            foreach (var project in new[] { "src/Axon.Runtime/Axon.Runtime.csproj", "src/Axon.Toolchain/Axon.Toolchain.csproj" })
            {
                var (packExit, packOutput) = await Dotnet.RunAsync(root, "pack", project, "-c", configuration, "-o", feed, $"-p:PackageVersion={version}", "-nologo", "-v:q");
                Assert.True(packExit == 0, packOutput);
            }
            Assert.True(File.Exists(Path.Combine(feed, $"Axon.Toolchain.{version}.nupkg")));

            var app = Directory.CreateDirectory(Path.Combine(work.FullName, "app")).FullName;
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <config>
                    <add key="globalPackagesFolder" value="{SecurityElement.Escape(Path.Combine(work.FullName, "packages"))}" />
                  </config>
                  <packageSources>
                    <add key="axon-local" value="{SecurityElement.Escape(feed)}" />
                  </packageSources>
                  <fallbackPackageFolders>
                    <add key="user" value="{SecurityElement.Escape(UserPackagesFolder())}" />
                  </fallbackPackageFolders>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <AxonBackend>stub</AxonBackend>
                    <RootNamespace>Greeter</RootNamespace>
                    <NoWarn>$(NoWarn);NU1603</NoWarn>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Axon.Toolchain" Version="{version}" />
                    <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.14" />
                  </ItemGroup>
                  <ItemGroup>
                    <!-- Opt-out: a work-in-progress file the build must ignore. -->
                    <AdditionalFiles Update="flows/draft.axon" AxonExclude="true" />
                  </ItemGroup>
                </Project>
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
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
