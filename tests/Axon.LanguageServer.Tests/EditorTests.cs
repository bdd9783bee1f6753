using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace Axon.LanguageServer.Tests;

/// <summary>
/// The VS Code side, run from <c>dotnet test</c>: the Node tests of <c>editors/vscode</c> (a real vscode-jsonrpc client
/// against <c>axon lsp</c>, the grammar under vscode-textmate, the shiki + Chromium picture) and the <c>.vsix</c> package.
/// </summary>
[Collection(EditorCollection.Name)]
public sealed class EditorTests
{
    private static readonly Lazy<(int Exit, string Output)> NpmCi = new(() =>
        // The packages come from the lock file only; an existing install (CI runs npm ci first) is reused.
        Directory.Exists(Path.Combine(ExtensionDir, "node_modules", "vscode-jsonrpc")) ? (0, "") : Run("npm", ["ci", "--no-audit", "--no-fund"], ExtensionDir, null, TimeSpan.FromMinutes(10)),
        LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ExtensionDir => Path.Combine(RepoRoot(), "editors", "vscode");

    [Fact]
    public void Node_tests_pass_against_axon_lsp()
    {
        RequireNpm();
        var env = new Dictionary<string, string> { ["AXON_LSP_DLL"] = Path.Combine(AppContext.BaseDirectory, "axon.dll") };
        var (exit, output) = Run("node", ["--test", "test/"], ExtensionDir, env, TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, output);
        Assert.Contains("# fail 0", output);
        Assert.Matches(@"# pass [1-9]\d*", output);
    }

    [Fact]
    public void Extension_packages_to_a_vsix_with_its_grammar_and_client()
    {
        RequireNpm();
        var vsix = Path.Combine(ExtensionDir, "test", "out", "axon-vscode.vsix");
        // On a fresh clone test/out does not exist until another test (or vsce) makes it; File.Delete needs the folder.
        Directory.CreateDirectory(Path.GetDirectoryName(vsix)!);
        File.Delete(vsix);
        var (exit, output) = Run("npm", ["run", "package"], ExtensionDir, null, TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, output);
        using var zip = ZipFile.OpenRead(vsix);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var expected in new[]
        {
            "extension.vsixmanifest", "extension/package.json", "extension/extension.js", "extension/language-configuration.json",
            "extension/syntaxes/axon.tmLanguage.json", "extension/readme.md", "extension/node_modules/vscode-languageclient/package.json",
        })
            Assert.Contains(expected, names);
        Assert.DoesNotContain(names, n => n.StartsWith("extension/test/", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.StartsWith("extension/node_modules/shiki/", StringComparison.Ordinal)); // dev dependencies stay out
    }

    private static void RequireNpm()
    {
        var (exit, output) = NpmCi.Value;
        Assert.True(exit == 0, "npm ci failed in editors/vscode: " + output);
    }

    private static (int Exit, string Output) Run(string file, string[] args, string dir, Dictionary<string, string>? env, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var output = new StringBuilder();
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, $"'{file}' could not be started ({ex.Message}); Node.js and npm are needed (CI installs them)");
        }
        using (p)
        {
            p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                return (-1, $"timed out after {timeout}: {output}");
            }
            p.WaitForExit();
            lock (output) return (p.ExitCode, output.ToString());
        }
    }

    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Axon.Toolchain.sln"))) return d.FullName;
        Assert.Fail("Axon.Toolchain.sln not found above " + AppContext.BaseDirectory);
        return "";
    }
}

/// <summary>The editor tests share one node_modules and the machine: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EditorCollection
{
    public const string Name = "Editor";
}
