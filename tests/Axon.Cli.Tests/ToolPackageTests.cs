using Axon.Cli.Tests.Support;

namespace Axon.Cli.Tests;

/// <summary>Issue 7: <c>Axon.Cli</c> packs as the <c>axon</c> dotnet tool and installs from the local pack output.</summary>
[Collection(HeavyCollection.Name)]
public sealed class ToolPackageTests
{
    [Fact]
    public void Pack_install_and_run_the_tool()
    {
        var root = RepoRoot();
        // The test's own build configuration (bin/<Configuration>/net10.0) already built the CLI: pack it without rebuilding.
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!)!;
        using var dir = new TempDir();
        var packDir = dir.File("pack");
        var toolDir = dir.File("tools");

        var pack = AxonProcess.Exec("dotnet", ["pack", Path.Combine(root, "src", "Axon.Cli", "Axon.Cli.csproj"), "-c", configuration, "--no-build", "-o", packDir, "-v", "q"],
            root, TimeSpan.FromMinutes(5));
        Assert.True(pack.Exit == 0, pack.ToString());
        var nupkg = Assert.Single(Directory.GetFiles(packDir, "Axon.Cli.*.nupkg"));

        // Only the local pack output is a source, so no other package named Axon.Cli can be picked up.
        var config = dir.Write("nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packDir}" />
              </packageSources>
            </configuration>
            """);
        var env = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = dir.File("nuget-packages") };
        var install = AxonProcess.Exec("dotnet", ["tool", "install", "--tool-path", toolDir, "--add-source", packDir, "--configfile", config, "Axon.Cli"],
            dir.Path, TimeSpan.FromMinutes(5), env);
        Assert.True(install.Exit == 0, install.ToString());
        Assert.Contains("axon", install.Out);

        var axon = Path.Combine(toolDir, OperatingSystem.IsWindows() ? "axon.exe" : "axon");
        Assert.True(File.Exists(axon), $"{axon} was not installed from {Path.GetFileName(nupkg)}");
        var version = AxonProcess.Exec(axon, ["version"], dir.Path, TimeSpan.FromSeconds(60));
        Assert.Equal(0, version.Exit);
        Assert.StartsWith("axon-lang 0.7.0", version.Out);

        var sample = Corpus.CopyTo(dir, "example-contract_analyzer.axon");
        var run = AxonProcess.Exec(axon, ["run", sample, "-b", "stub"], dir.Path, TimeSpan.FromSeconds(60));
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Contains("✓ 1 run(s) finished", run.Out);
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Axon.Toolchain.sln"))) return d.FullName;
        Assert.Fail("Axon.Toolchain.sln not found above " + AppContext.BaseDirectory);
        return "";
    }
}
