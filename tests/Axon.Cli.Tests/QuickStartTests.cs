using System.Text.RegularExpressions;
using Axon.Cli.Tests.Support;

namespace Axon.Cli.Tests;

/// <summary>
/// Follows the README quick start on a clean clone of the repository: the commands are read from the
/// README itself, so the test fails when the README and the project drift apart.
/// </summary>
public sealed class QuickStartTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(20);

    [Fact]
    public void ReadmeQuickStartWorksOnACleanClone()
    {
        string root = RepositoryRoot();
        var commands = QuickStartCommands(File.ReadAllText(Path.Combine(root, "README.md")));
        Assert.Equal(2, commands.Count);
        Assert.StartsWith("dotnet run ", commands[0]);
        Assert.StartsWith("dotnet test", commands[1]);

        using var dir = new TempDir();
        string clone = Path.Combine(dir.Path, "repo");
        var git = AxonProcess.Exec("git", ["clone", "--quiet", "--no-hardlinks", root, clone], dir.Path, TimeSpan.FromMinutes(2));
        Assert.True(git.Exit == 0, "git clone failed: " + git.Err);

        // Command 2 first, but only discovering tests: running the whole suite from inside the suite would
        // recurse. It still restores and builds every project of the clean clone (CI runs the command itself).
        var list = Run(clone, commands[1] + " --list-tests");
        Assert.True(list.Exit == 0, $"'{commands[1]}' failed on a clean clone:\n{list.Out}\n{list.Err}");
        Assert.Contains("MatchesReference", list.Out);

        // Command 1 literally: the sample runs offline (no key is set) and says so.
        var sample = Run(clone, commands[0]);
        Assert.True(sample.Exit == 0, $"'{commands[0]}' failed:\n{sample.Out}\n{sample.Err}");
        Assert.Contains("stub", sample.Out + sample.Err, StringComparison.OrdinalIgnoreCase);
    }

    private static CliResult Run(string directory, string command)
    {
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return AxonProcess.Exec(parts[0], parts.Skip(1), directory, Generous);
    }

    /// <summary>The commands of the first bash block under "## Quick start", comments removed.</summary>
    internal static List<string> QuickStartCommands(string readme)
    {
        var section = Regex.Match(readme, @"## Quick start.*?```bash\n(?<body>.*?)```", RegexOptions.Singleline);
        Assert.True(section.Success, "README has no quick start block");
        return section.Groups["body"].Value
            .Split('\n')
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line.Length > 0)
            .ToList();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Axon.Toolchain.sln"))) return dir.FullName;
        throw new InvalidOperationException("The tests run outside the repository.");
    }
}
