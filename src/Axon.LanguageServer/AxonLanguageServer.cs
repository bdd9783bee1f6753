using System.Text.Json;
using Axon.LanguageServer.Protocol;
using Microsoft.VisualStudio.Threading;
using StreamJsonRpc;

namespace Axon.LanguageServer;

/// <summary>
/// <c>axon lsp</c>: a Language Server Protocol 3.17 server for AXON over a pair of streams (stdio in the CLI).
/// JSON-RPC framing and dispatch are StreamJsonRpc's; every answer comes from the Axon.Language front end.
/// </summary>
public static class AxonLanguageServer
{
    /// <summary>
    /// Serves one client until it sends <c>exit</c> or goes away; returns the process exit code (0 after
    /// <c>shutdown</c> + <c>exit</c>, 1 otherwise, as LSP asks). Never throws for anything the client sends.
    /// </summary>
    public static async Task<int> RunAsync(Stream input, Stream output, TextWriter log, CancellationToken ct = default)
    {
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = Json.Options };
        using var handler = new TolerantMessageHandler(output, input, formatter);
        using var rpc = new LspJsonRpc(handler);
        // Notifications (didOpen, didChange, …) must be handled in the order they arrive.
        rpc.SynchronizationContext = new NonConcurrentSynchronizationContext(sticky: false);
        var server = new LanguageServerTarget(rpc, log, handler);
        rpc.AddLocalRpcTarget(server, new JsonRpcTargetOptions { DisposeOnDisconnect = false });
        rpc.StartListening();
        using var registration = ct.Register(() => server.RequestExit());
        var finished = await Task.WhenAny(rpc.Completion, server.Exited).ConfigureAwait(false);
        server.Stop();
        if (finished == rpc.Completion)
        {
            try
            {
                await rpc.Completion.ConfigureAwait(false);
                if (!server.ShutdownReceived) log.WriteLine("axon lsp: the client closed the connection without shutdown; exiting");
            }
            catch (Exception ex)
            {
                // A malformed message or a broken pipe ends the connection: say why on stderr and exit cleanly.
                log.WriteLine("axon lsp: connection ended: " + Describe(ex));
            }
        }
        return server.ShutdownReceived ? 0 : 1;
    }

    private static string Describe(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException != null && inner is not JsonException) inner = inner.InnerException;
        return inner.GetType().Name + ": " + inner.Message;
    }

    /// <summary>Serves stdin/stdout (what <c>axon lsp</c> runs).</summary>
    public static Task<int> RunStdioAsync(CancellationToken ct = default) =>
        RunAsync(Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error, ct);
}
