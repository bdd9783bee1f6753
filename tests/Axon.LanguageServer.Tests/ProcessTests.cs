using System.Diagnostics;
using System.Text.Json;
using Axon.LanguageServer.Protocol;
using StreamJsonRpc;

namespace Axon.LanguageServer.Tests;

/// <summary><c>axon lsp</c> as a real process: the CLI command, stdio framing, exit codes.</summary>
public sealed class ProcessTests
{
    private static Process Start()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "axon.dll"));
        psi.ArgumentList.Add("lsp");
        return Process.Start(psi)!;
    }

    [Fact]
    public async Task Axon_lsp_serves_over_stdio_and_exits_0_after_shutdown_and_exit()
    {
        using var p = Start();
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = Json.Options };
        using var rpc = new JsonRpc(new HeaderDelimitedMessageHandler(p.StandardInput.BaseStream, p.StandardOutput.BaseStream, formatter));
        var published = new TaskCompletionSource<JsonElement>();
        rpc.AddLocalRpcMethod("textDocument/publishDiagnostics", new Action<JsonElement, JsonElement?, JsonElement>((uri, version, diagnostics) => published.TrySetResult(diagnostics.Clone())));
        rpc.StartListening();
        var ct = TestContext.Current.CancellationToken;
        await rpc.InvokeWithParameterObjectAsync<JsonElement>("initialize", new { processId = Environment.ProcessId, capabilities = new { } }, ct);
        await rpc.NotifyWithParameterObjectAsync("textDocument/didOpen", new { textDocument = new { uri = "file:///p.axon", languageId = "axon", version = 1, text = "persona P { tone: loud }" } });
        var diags = await published.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        Assert.Equal("AXN2002", diags[0].GetProperty("code").GetString());
        await rpc.InvokeWithCancellationAsync<object?>("shutdown", null, ct);
        await rpc.NotifyAsync("exit");
        await p.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
        Assert.True(p.ExitCode == 0, await stderr);
    }

    [Fact]
    public async Task Axon_lsp_exits_1_with_a_message_when_stdin_closes()
    {
        using var p = Start();
        var ct = TestContext.Current.CancellationToken;
        var stderr = p.StandardError.ReadToEndAsync(ct);
        p.StandardInput.Close();
        await p.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
        Assert.Equal(1, p.ExitCode);
        var err = await stderr;
        Assert.Contains("closed the connection", err);
        Assert.DoesNotContain("   at ", err);
    }
}
