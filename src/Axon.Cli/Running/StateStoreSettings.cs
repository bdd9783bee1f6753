using Axon.Runtime.State;

namespace Axon.Cli.Running;

/// <summary>
/// The state store that <c>axon run</c> saves hibernated runs to and <c>axon resume</c> reads them from: one
/// setting for both commands, so a continuation id printed by one process resumes in another.
/// </summary>
internal static class StateStoreSettings
{
    /// <summary>The variable that overrides the state directory.</summary>
    public const string DirectoryVariable = "AXON_STATE_DIR";

    /// <summary>The directory: <c>AXON_STATE_DIR</c>, else <c>.axon/state</c> under the working directory.</summary>
    public static string DirectoryOf(CliConsole console) =>
        Path.GetFullPath(console.Environment(DirectoryVariable) is { Length: > 0 } dir ? dir : Path.Combine(".axon", "state"), console.WorkingDirectory);

    /// <summary>Opens the configured store (creates its directory).</summary>
    public static IExecutionStateStore Open(CliConsole console) => new FileSystemExecutionStateStore(DirectoryOf(console));
}
