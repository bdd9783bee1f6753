using System.Net;
using System.Net.Sockets;
using Axon.Runtime.State;
using Axon.Runtime.Tests.Routing;

namespace Axon.Runtime.Tests.State;

/// <summary>Wrong settings and unusable stores: typed errors that name the setting and never leak a password.</summary>
public sealed class StoreBadInputTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("axon-state-bad");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_unreachable_database_is_a_typed_error_naming_the_connection_string()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var stores = new AxonStateOptions
        {
            Provider = AxonStateProvider.Postgres,
            ConnectionString = $"Host=127.0.0.1;Port={port};Username=app;Password=hunter2-secret;Database=axon;Timeout=3",
        }.Open();
        var error = await Assert.ThrowsAsync<AxonStateStoreException>(() => stores.State.SaveAsync("a", "x"u8.ToArray(), Ct).AsTask());
        Assert.Equal("Axon:State:ConnectionString", error.Setting);
        Assert.Contains($"port {port}", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
        Assert.DoesNotContain("hunter2", error.ToString());
        var recall = await Assert.ThrowsAsync<AxonStateStoreException>(() => stores.Memory.RetrieveAsync("m", "q", 3, Ct).AsTask());
        Assert.Equal("Axon:State:ConnectionString", recall.Setting);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Pasword=hunter2-secret;Nonsense")]
    [InlineData("this is not a connection string hunter2-secret")]
    public void A_wrong_connection_string_is_a_typed_error_without_the_secret(string connectionString)
    {
        var error = Assert.Throws<AxonStateStoreException>(() =>
            new AxonStateOptions { Provider = AxonStateProvider.Postgres, ConnectionString = connectionString }.Open());
        Assert.Equal("Axon:State:ConnectionString", error.Setting);
        Assert.DoesNotContain("hunter2", error.ToString());
    }

    [Fact]
    public void Missing_connection_string_and_bad_settings_are_named()
    {
        Assert.Equal("Axon:State:ConnectionString",
            Assert.Throws<AxonStateStoreException>(() => new AxonStateOptions { Provider = AxonStateProvider.Postgres }.Open()).Setting);
        var config = new MemoryConfiguration(new() { ["Axon:State:Provider"] = "mongo" });
        Assert.Equal("Axon:State:Provider", Assert.Throws<AxonStateStoreException>(() => AxonStateOptions.FromConfiguration(config)).Setting);
        var lease = new MemoryConfiguration(new() { ["Axon:State:LeaseSeconds"] = "-1" });
        Assert.Equal("Axon:State:LeaseSeconds", Assert.Throws<AxonStateStoreException>(() => AxonStateOptions.FromConfiguration(lease)).Setting);
        Assert.Equal("AXON_STATE_PROVIDER",
            Assert.Throws<AxonStateStoreException>(() => AxonStateOptions.FromEnvironment(n => n == "AXON_STATE_PROVIDER" ? "redis" : null)).Setting);
        var schema = new AxonStateOptions { Provider = AxonStateProvider.Postgres, ConnectionString = "Host=127.0.0.1", Schema = "x; drop table y" };
        Assert.Equal("Axon:State:Schema", Assert.Throws<AxonStateStoreException>(() => schema.Open()).Setting);
    }

    [Fact]
    public void Configuration_and_environment_bind_every_setting()
    {
        var config = new MemoryConfiguration(new()
        {
            ["Axon:State:Provider"] = "postgres", ["Axon:State:ConnectionString"] = "Host=db", ["Axon:State:Schema"] = "axon",
            ["Axon:State:LeaseSeconds"] = "12.5",
        });
        var o = AxonStateOptions.FromConfiguration(config);
        Assert.Equal((AxonStateProvider.Postgres, "Host=db", "axon", TimeSpan.FromSeconds(12.5)), (o.Provider, o.ConnectionString, o.Schema, o.LeaseDuration));
        var env = new Dictionary<string, string?> { ["AXON_STATE_PROVIDER"] = "file", ["AXON_STATE_PATH"] = "states" };
        var e = AxonStateOptions.FromEnvironment(env.GetValueOrDefault);
        Assert.Equal((AxonStateProvider.File, "states"), (e.Provider, e.Path));
        Assert.Equal(AxonStateProvider.Sqlite, AxonStateOptions.FromEnvironment(_ => null).Provider); // the default
    }

    [Fact]
    public async Task A_sqlite_path_that_is_no_database_is_a_typed_error_naming_the_path_setting()
    {
        var notADb = Path.Combine(_dir.FullName, "notes.txt");
        await File.WriteAllTextAsync(notADb, new string('x', 4096), Ct);
        var a = await Assert.ThrowsAsync<AxonStateStoreException>(() => new SqliteExecutionStateStore(notADb).SaveAsync("a", "x"u8.ToArray(), Ct).AsTask());
        Assert.Equal("Axon:State:Path", a.Setting);
        Assert.Contains("not a valid SQLite database", a.Message);
        Assert.Equal(new string('x', 4096), await File.ReadAllTextAsync(notADb, Ct)); // nothing overwritten

        // A directory where the file should be: cannot be opened.
        var b = await Assert.ThrowsAsync<AxonStateStoreException>(() => new SqliteExecutionStateStore(_dir.FullName).ListPendingAsync(Ct).AsTask());
        Assert.Equal("Axon:State:Path", b.Setting);
    }

    [Fact]
    public async Task A_read_only_sqlite_file_is_a_typed_error_naming_the_path_setting_and_loses_nothing()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir.FullName, "ro")).FullName;
        var db = Path.Combine(dir, "state.db");
        await new SqliteExecutionStateStore(db).SaveAsync("kept", "saved before"u8.ToArray(), Ct);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var files = Directory.GetFiles(dir).Append(dir).ToArray();
        ReadOnly(files, true);
        try
        {
            var error = await Assert.ThrowsAsync<AxonStateStoreException>(() =>
                new SqliteExecutionStateStore(db).SaveAsync("new", "x"u8.ToArray(), Ct).AsTask());
            Assert.Equal("Axon:State:Path", error.Setting);
            Assert.Contains(db, error.Message);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            ReadOnly(files, false);
        }
        var kept = await new SqliteExecutionStateStore(db).LoadAsync("kept", Ct);
        Assert.Equal("saved before", System.Text.Encoding.UTF8.GetString(kept!));
    }

    /// <summary>
    /// Makes files read-only for real: root ignores file modes (CI runs as root), so there the files and the folder get the
    /// immutable attribute, which binds root too; elsewhere the write bits are removed.
    /// </summary>
    private static void ReadOnly(string[] paths, bool on)
    {
        if (Environment.UserName == "root")
        {
            var psi = new System.Diagnostics.ProcessStartInfo("chattr") { RedirectStandardError = true };
            psi.ArgumentList.Add(on ? "+i" : "-i");
            foreach (var p in paths) psi.ArgumentList.Add(p);
            using var chattr = System.Diagnostics.Process.Start(psi)!;
            var err = chattr.StandardError.ReadToEnd();
            chattr.WaitForExit();
            Assert.True(chattr.ExitCode == 0, "chattr failed: " + err);
            return;
        }
        Assert.False(OperatingSystem.IsWindows(), "this test makes files read-only with Unix modes");
        if (OperatingSystem.IsWindows()) return;
        foreach (var p in paths)
            File.SetUnixFileMode(p, on
                ? (Directory.Exists(p) ? UnixFileMode.UserRead | UnixFileMode.UserExecute : UnixFileMode.UserRead)
                : (Directory.Exists(p) ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute : UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { _dir.Delete(true); } catch (IOException) { }
    }
}
