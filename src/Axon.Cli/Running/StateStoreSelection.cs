using Axon.Runtime.Execution;
using Axon.Runtime.State;

namespace Axon.Cli.Running;

/// <summary>
/// The state and memory stores of <c>axon run</c> (and any command that resumes): <c>AXON_STATE_PROVIDER</c>
/// (sqlite by default, postgres, file, memory), <c>AXON_STATE_PATH</c> (default <c>.axon/state.db</c>, or
/// <c>.axon/state/</c> for the file store, relative to the working directory), <c>AXON_STATE_CONNECTION_STRING</c>,
/// <c>AXON_STATE_SCHEMA</c>, <c>AXON_STATE_LEASE_SECONDS</c>. Nothing is created until a flow hibernates or remembers.
/// </summary>
internal static class StateStoreSelection
{
    /// <summary>Puts the configured stores into <paramref name="options"/>; returns an error message for a bad setting.</summary>
    public static string? Apply(AxonRunOptions options, CliConsole console)
    {
        try
        {
            var stores = AxonStateOptions.FromEnvironment(console.Environment).Open(Directory.GetCurrentDirectory());
            options.StateStore = stores.State;
            options.MemoryStore = stores.Memory;
            return null;
        }
        catch (AxonStateStoreException ex)
        {
            return ex.Message;
        }
    }
}
