using System.Globalization;
using Axon.Runtime.Execution;
using Axon.Runtime.Memory;
using Microsoft.Extensions.Configuration;

namespace Axon.Runtime.State;

/// <summary>Which store keeps hibernated state and <c>remember</c>/<c>recall</c> memory.</summary>
public enum AxonStateProvider
{
    /// <summary>One SQLite file (the default): several processes on one machine.</summary>
    Sqlite = 0,
    /// <summary>PostgreSQL: many app instances on many machines.</summary>
    Postgres,
    /// <summary>Plain files in a directory (state) and in-process memory: no dependencies, one machine.</summary>
    File,
    /// <summary>In-process only (tests): lost when the process exits.</summary>
    Memory,
}

/// <summary>A storage setting is invalid or the store cannot be used (unreachable database, read-only file…).</summary>
public sealed class AxonStateStoreException : AxonRuntimeException
{
    /// <summary>Creates the error for <paramref name="setting"/>.</summary>
    public AxonStateStoreException(string setting, string detail, Exception? inner = null)
        : base($"State store error: {setting}: {detail}", "StateStoreError", 6, null, inner)
    {
        Setting = setting;
    }

    /// <summary>The setting to look at (<c>Axon:State:ConnectionString</c>, <c>Axon:State:Path</c>…).</summary>
    public string Setting { get; }
}

/// <summary>The stores an <see cref="AxonStateOptions"/> opened.</summary>
/// <param name="State">Hibernate state.</param>
/// <param name="Memory"><c>remember</c>/<c>recall</c> memory.</param>
public sealed record AxonStores(IExecutionStateStore State, IAxonMemoryStore Memory);

/// <summary>
/// Storage settings, from code, <see cref="IConfiguration"/> (section <c>Axon:State</c>: <c>Provider</c>, <c>Path</c>,
/// <c>ConnectionString</c>, <c>Schema</c>, <c>LeaseSeconds</c>) or the environment (<c>AXON_STATE_PROVIDER</c>,
/// <c>AXON_STATE_PATH</c>, <c>AXON_STATE_CONNECTION_STRING</c>, <c>AXON_STATE_SCHEMA</c>, <c>AXON_STATE_LEASE_SECONDS</c>).
/// </summary>
public sealed class AxonStateOptions
{
    /// <summary>The configuration section.</summary>
    public const string ConfigurationSection = "Axon:State";

    /// <summary>Default SQLite file, relative to the base directory.</summary>
    public const string DefaultSqlitePath = ".axon/state.db";

    /// <summary>Default state directory of the file store, relative to the base directory.</summary>
    public const string DefaultFileDirectory = ".axon/state";

    /// <summary>The store; <see cref="AxonStateProvider.Sqlite"/> by default.</summary>
    public AxonStateProvider Provider { get; set; }

    /// <summary>SQLite file or file-store directory (relative to the base directory given to <see cref="Open"/>).</summary>
    public string? Path { get; set; }

    /// <summary>PostgreSQL connection string (required for <see cref="AxonStateProvider.Postgres"/>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>PostgreSQL schema for the tables (created on first use); <c>public</c> by default.</summary>
    public string Schema { get; set; } = "public";

    /// <summary>Claim lease of a resumer (renewed at a third of it while the resume runs); 30 s by default.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    internal static string Setting(string property) => ConfigurationSection + ":" + property switch
    {
        nameof(LeaseDuration) => "LeaseSeconds",
        _ => property,
    };

    /// <summary>Reads the <c>Axon:State</c> section (unset keys keep the defaults).</summary>
    /// <exception cref="AxonStateStoreException">A value cannot be parsed; the message names the key.</exception>
    public static AxonStateOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var s = configuration.GetSection(ConfigurationSection);
        return Parse(s["Provider"], s["Path"], s["ConnectionString"], s["Schema"], s["LeaseSeconds"], Setting);
    }

    /// <summary>Reads <c>AXON_STATE_*</c> variables (unset ones keep the defaults).</summary>
    /// <exception cref="AxonStateStoreException">A value cannot be parsed; the message names the variable.</exception>
    public static AxonStateOptions FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        static string Env(string property) => property switch
        {
            nameof(Provider) => "AXON_STATE_PROVIDER",
            nameof(Path) => "AXON_STATE_PATH",
            nameof(ConnectionString) => "AXON_STATE_CONNECTION_STRING",
            nameof(Schema) => "AXON_STATE_SCHEMA",
            _ => "AXON_STATE_LEASE_SECONDS",
        };
        return Parse(getVariable(Env(nameof(Provider))), getVariable(Env(nameof(Path))), getVariable(Env(nameof(ConnectionString))),
            getVariable(Env(nameof(Schema))), getVariable(Env(nameof(LeaseDuration))), Env);
    }

    private static AxonStateOptions Parse(string? provider, string? path, string? connectionString, string? schema, string? lease, Func<string, string> name)
    {
        var o = new AxonStateOptions();
        if (!string.IsNullOrWhiteSpace(provider))
        {
            o.Provider = provider.Trim().ToLowerInvariant() switch
            {
                "sqlite" => AxonStateProvider.Sqlite,
                "postgres" or "postgresql" or "npgsql" => AxonStateProvider.Postgres,
                "file" or "files" or "filesystem" => AxonStateProvider.File,
                "memory" or "inmemory" => AxonStateProvider.Memory,
                _ => throw new AxonStateStoreException(name(nameof(Provider)), $"unknown provider '{provider.Trim()}' (expected sqlite, postgres, file or memory)"),
            };
        }
        if (!string.IsNullOrWhiteSpace(path)) o.Path = path.Trim();
        if (!string.IsNullOrWhiteSpace(connectionString)) o.ConnectionString = connectionString;
        if (!string.IsNullOrWhiteSpace(schema)) o.Schema = schema.Trim();
        if (!string.IsNullOrWhiteSpace(lease))
        {
            if (!double.TryParse(lease.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds > 0) || seconds > 86_400)
                throw new AxonStateStoreException(name(nameof(LeaseDuration)), $"expected a number of seconds between 0 and 86400, got '{lease}'");
            o.LeaseDuration = TimeSpan.FromSeconds(seconds);
        }
        return o;
    }

    /// <summary>
    /// Opens the configured stores (creating the SQLite file, directory or PostgreSQL tables on first use).
    /// Relative paths resolve against <paramref name="baseDirectory"/> (the current directory when null).
    /// </summary>
    /// <exception cref="AxonStateStoreException">A setting is missing or wrong, or the store cannot be reached.</exception>
    public AxonStores Open(string? baseDirectory = null, TimeProvider? timeProvider = null)
    {
        var baseDir = baseDirectory ?? Directory.GetCurrentDirectory();
        string Resolve(string fallback) => System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDir, Path ?? fallback));
        switch (Provider)
        {
            case AxonStateProvider.Sqlite:
                var db = new SqliteStateDatabase(Resolve(DefaultSqlitePath), LeaseDuration, timeProvider);
                return new AxonStores(new SqliteExecutionStateStore(db), new SqliteMemoryStore(db));
            case AxonStateProvider.Postgres:
                if (string.IsNullOrWhiteSpace(ConnectionString))
                    throw new AxonStateStoreException(Setting(nameof(ConnectionString)), "the postgres provider needs a connection string");
                var pg = new PostgresStateDatabase(ConnectionString, Schema, LeaseDuration);
                return new AxonStores(new PostgresExecutionStateStore(pg), new PostgresMemoryStore(pg));
            case AxonStateProvider.File:
                return new AxonStores(new FileSystemExecutionStateStore(Resolve(DefaultFileDirectory)), new InMemoryMemoryStore(timeProvider));
            default:
                return new AxonStores(new InMemoryExecutionStateStore(timeProvider, LeaseDuration), new InMemoryMemoryStore(timeProvider));
        }
    }
}
