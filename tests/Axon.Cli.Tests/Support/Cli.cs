using System.Diagnostics;
using System.Text;

namespace Axon.Cli.Tests.Support;

/// <summary>What one CLI invocation printed and returned.</summary>
public sealed record CliResult(int Exit, string Out, string Err)
{
    public string All => Out + Err;

    public override string ToString() => $"exit {Exit}\n--- stdout ---\n{Out}\n--- stderr ---\n{Err}";
}

/// <summary>Runs the CLI in-process with its own environment table (so tests can clear keys without touching the process).</summary>
public static class InProc
{
    public static CliResult Run(params string[] args) => Run(new Dictionary<string, string?>(), false, args);

    public static CliResult Run(IReadOnlyDictionary<string, string?> env, params string[] args) => Run(env, false, args);

    public static CliResult Run(IReadOnlyDictionary<string, string?> env, bool terminal, params string[] args) => RunIn(SharedWorkingDirectory, env, terminal, args);

    /// <summary>Runs with <paramref name="workingDirectory"/> as the command's working directory (output_to, the state store).</summary>
    public static CliResult RunIn(string workingDirectory, IReadOnlyDictionary<string, string?> env, params string[] args) => RunIn(workingDirectory, env, false, args);

    public static CliResult RunIn(string workingDirectory, IReadOnlyDictionary<string, string?> env, bool terminal, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = AxonCli.Run(args, stdout, stderr, terminal, name => env.TryGetValue(name, out var v) ? v : null, workingDirectory);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Where tests that do not care run (so nothing lands in the test output folder).</summary>
    private static string SharedWorkingDirectory
    {
        get
        {
            var dir = Path.Combine(Path.GetTempPath(), "axon-cli-tests", "cwd");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }
}

/// <summary>Runs the built <c>axon.dll</c> as a separate process (<c>dotnet axon.dll …</c>).</summary>
public static class AxonProcess
{
    /// <summary>The CLI next to the tests (the project reference copies it with its runtimeconfig).</summary>
    public static string Dll
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "axon.dll");
            Assert.True(File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")),
                $"axon.dll and axon.runtimeconfig.json are expected in the test output ({AppContext.BaseDirectory}); build the test project.");
            return dll;
        }
    }

    public static CliResult Run(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string?>? env, params string[] args) =>
        Exec("dotnet", [Dll, .. args], workingDirectory, timeout, env);

    /// <summary>Runs a program; output is read asynchronously so large outputs cannot deadlock.</summary>
    public static CliResult Exec(string file, IEnumerable<string> args, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string?>? env = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // A clean provider environment: no key or routing setting of the machine leaks into a test.
        foreach (var key in ProviderVariables) psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (env is not null)
            foreach (var (k, v) in env)
                if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s");
        }
        p.WaitForExit();
        return new CliResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static readonly string[] ProviderVariables =
    [
        "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "API_KEY_GEMINI", "GEMINI_API_KEY", "GEMINI_BASE_URL",
        "OLLAMA_HOST", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_BASE_URL", "AWS_BEARER_TOKEN_BEDROCK", "BEDROCK_BASE_URL",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AXON_CUSTOM_BASE_URL", "AXON_CUSTOM_API_KEY", "AXON_CUSTOM_MODEL",
        "LLM_ROUTING_STRATEGY", "LLM_PROVIDERS", "PROVIDER_WEIGHTS", "DEFAULT_LLM_PROVIDER", "PROVIDER_COSTS", "NO_COLOR",
    ];
}

/// <summary>A fresh temporary directory, deleted afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "axon-cli-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The conformance corpus copied next to the tests.</summary>
public static class Corpus
{
    public static string Dir => System.IO.Path.Combine(AppContext.BaseDirectory, "corpus");

    public static string File(string name) => System.IO.Path.Combine(Dir, name);

    public static string ContractAnalyzer => File("example-contract_analyzer.axon");

    /// <summary>A corpus program copied into <paramref name="dir"/> (its trace is written next to it).</summary>
    public static string CopyTo(TempDir dir, string name)
    {
        var target = dir.File(System.IO.Path.GetFileName(name));
        System.IO.File.Copy(File(name), target, overwrite: true);
        return target;
    }
}

/// <summary>A TCP port on 127.0.0.1 that nothing listens on (bound, then released).</summary>
public static class Ports
{
    public static int Closed()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
