using Axon.Runtime.Execution;
using Axon.Runtime.State;

namespace Axon.Cli.Running;

/// <summary>
/// The state and memory stores of <c>axon run</c> and <c>axon resume</c> (one setting for both, so a continuation id
/// printed by one process resumes in another): <c>AXON_STATE_PROVIDER</c> (sqlite by default, postgres, file, memory),
/// <c>AXON_STATE_PATH</c> (default <c>.axon/state.db</c>, or <c>.axon/state/</c> for the file store, relative to the
/// working directory), <c>AXON_STATE_CONNECTION_STRING</c>, <c>AXON_STATE_SCHEMA</c>, <c>AXON_STATE_LEASE_SECONDS</c>.
/// Nothing is created until a flow hibernates or remembers.
/// </summary>
internal static class StateStoreSelection
{
    /// <summary>Puts the configured stores into <paramref name="options"/>; returns an error message for a bad setting.</summary>
    public static string? Apply(AxonRunOptions options, CliConsole console)
    {
        var (stores, error) = Open(console);
        if (stores is null) return error;
        options.StateStore = stores.State;
        options.MemoryStore = stores.Memory;
        return null;
    }

    /// <summary>Opens the configured stores, or says which setting is wrong.</summary>
    public static (AxonStores? Stores, string? Error) Open(CliConsole console)
    {
        try
        {
            return (Settings(console).Open(console.WorkingDirectory), null);
        }
        catch (AxonStateStoreException ex)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>Where the store is, for messages (never the connection string: it may hold a password).</summary>
    public static string Describe(CliConsole console)
    {
        try
        {
            var s = Settings(console);
            return s.Provider switch
            {
                AxonStateProvider.Sqlite => "sqlite " + Path.GetFullPath(s.Path ?? AxonStateOptions.DefaultSqlitePath, console.WorkingDirectory),
                AxonStateProvider.File => "file " + Path.GetFullPath(s.Path ?? AxonStateOptions.DefaultFileDirectory, console.WorkingDirectory),
                AxonStateProvider.Postgres => "postgres (AXON_STATE_CONNECTION_STRING)",
                _ => "memory",
            };
        }
        catch (AxonStateStoreException ex)
        {
            return ex.Message;
        }
    }

    private static AxonStateOptions Settings(CliConsole console) => AxonStateOptions.FromEnvironment(console.Environment);
}
