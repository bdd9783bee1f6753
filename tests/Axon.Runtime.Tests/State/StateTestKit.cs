using System.Diagnostics;
using Axon.Runtime.State;
using Npgsql;

namespace Axon.Runtime.Tests.State;

/// <summary>Stores under test, the PostgreSQL server .ci/run starts, and the child process of the crash tests.</summary>
internal static class StateTestKit
{
    /// <summary>Set by .ci/run (and by hand: <c>.ci/postgres.sh start</c> prints it).</summary>
    public const string PostgresVariable = "AXON_TEST_POSTGRES";

    /// <summary>
    /// The test server's connection string. Without one the test is skipped on a developer machine and fails in CI
    /// (CI=true), where .ci/run must have started the server.
    /// </summary>
    public static string Postgres()
    {
        var cs = Environment.GetEnvironmentVariable(PostgresVariable);
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(cs))
        {
            if (ci) Assert.Fail($"{PostgresVariable} is not set: .ci/run should have started PostgreSQL on 127.0.0.1");
            Assert.Skip($"PostgreSQL tests need {PostgresVariable} (run .ci/postgres.sh start)");
        }
        try
        {
            using var c = new NpgsqlConnection(cs);
            c.Open();
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException)
        {
            if (ci) Assert.Fail($"PostgreSQL at {PostgresVariable} is not reachable: {ex.Message}");
            Assert.Skip($"PostgreSQL at {PostgresVariable} is not reachable: {ex.Message}");
        }
        return cs!;
    }

    /// <summary>A fresh schema name (tables are created in it on first use).</summary>
    public static string NewSchema() => "axon_t" + Guid.NewGuid().ToString("N")[..12];

    public static void DropSchema(string cs, string schema)
    {
        using var c = new NpgsqlConnection(cs);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE";
        cmd.ExecuteNonQuery();
    }

    public static string ChildDll()
    {
        // tests/Axon.Runtime.Tests/bin/<Configuration>/<tfm>/ → tests/Axon.StateChild/bin/<Configuration>/<tfm>/
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var tfm = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here)!);
        var tests = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(here)!)!)!)!;
        var dll = Path.Combine(tests, "Axon.StateChild", "bin", configuration, tfm, "Axon.StateChild.dll");
        Assert.True(File.Exists(dll), $"the child process is not built: {dll}");
        return dll;
    }

    public static ProcessStartInfo Child(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ChildDll());
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Runs the child to its end (bounded) and returns its standard output.</summary>
    public static async Task<string> RunChildAsync(CancellationToken ct, params string[] args)
    {
        using var p = Process.Start(Child(args))!;
        var output = p.StandardOutput.ReadToEndAsync(ct);
        var error = p.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        try { await p.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw; }
        Assert.True(p.ExitCode == 0, $"child exited {p.ExitCode}: {await error}");
        return await output;
    }

    public static async Task<ContinuationStatus> Status(IExecutionStateStore store, string id) =>
        await store.GetStatusAsync(id, TestContext.Current.CancellationToken);
}
