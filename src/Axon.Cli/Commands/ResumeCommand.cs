using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Cli.Running;
using Axon.Language;
using Axon.Runtime.Execution;

namespace Axon.Cli.Commands;

/// <summary>
/// <c>axon resume ID [--payload JSON|@file|@-] [-b BACKEND] [--trace] [--tool-mode …]</c>: continues a run that
/// hibernated, from the state store <c>axon run</c> saved it to, exactly once.
/// </summary>
internal static class ResumeCommand
{
    public static async Task<int> RunAsync(string id, string? payloadSpec, string? backend, bool trace, string toolMode, CliConsole console, CancellationToken ct)
    {
        if (backend is not null && !BackendResolver.IsAccepted(backend))
        {
            console.Error.WriteLine("✗ " + Backends.UnknownMessage(backend) + ", auto");
            return ExitCodes.Usage;
        }
        if (id.Length == 0 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            console.Error.WriteLine($"✗ '{id}' is not a continuation id (axon run prints it when a run hibernates)");
            return ExitCodes.Usage;
        }
        var (payload, payloadError) = ReadPayload(payloadSpec);
        if (payloadError is not null)
        {
            console.Error.WriteLine("✗ " + payloadError);
            return ExitCodes.Usage;
        }

        var (stores, storeError) = StateStoreSelection.Open(console);
        if (stores is null)
        {
            console.Error.WriteLine("✗ " + storeError);
            return ExitCodes.Usage;
        }
        var store = stores.State;
        SuspendedRunInfo? info;
        try
        {
            info = await new AxonRuntime(new AxonRunOptions { StateStore = store }).FindSuspendedAsync(id, ct).ConfigureAwait(false);
        }
        catch (AxonResumeException ex)
        {
            console.Error.WriteLine("✗ " + ex.Message);
            return ExitCodes.Errors;
        }
        if (info is null)
        {
            console.Error.WriteLine($"✗ Continuation '{id}' is unknown or has already been resumed (state store {StateStoreSelection.Describe(console)}; AXON_STATE_PROVIDER / AXON_STATE_PATH choose another)");
            return ExitCodes.Errors;
        }
        if (info.ProgramPath is not { } path)
        {
            console.Error.WriteLine($"✗ Continuation '{id}' ({info.FlowName}) does not say which program it came from; resume it from code with AxonRuntime.ResumeAsync");
            return ExitCodes.Errors;
        }
        var read = SourceFiles.Read(path);
        if (read.IoError != null)
        {
            console.Error.WriteLine($"✗ The program of continuation '{id}' cannot be read: {read.IoError}");
            return ExitCodes.Errors;
        }
        if (read.Text is { } text && info.ProgramFingerprint is { } expected && RunCommand.Fingerprint(text) != expected)
        {
            console.Error.WriteLine($"✗ {path} changed since the run hibernated; continuation '{id}' can only resume the program it suspended");
            return ExitCodes.Errors;
        }

        using var observer = new RunObserver(console);
        var (setup, exit) = await RunCommand.SetupAsync(path, read, backend, trace, toolMode, console, observer, ct).ConfigureAwait(false);
        if (setup is null) return exit;
        setup.Options.StateStore = store;
        var runtime = new AxonRuntime(setup.Options).Register(setup.Program);
        console.Out.WriteLine($"▶ {setup.FileName}: resuming {info.FlowName} (continuation {id}) with event '{info.EventName}' on {setup.Choice.Description}");
        if (setup.Choice.Synthetic) console.Out.WriteLine(console.Warn("  Outputs are synthetic (stub backend): they show the program's shape, not a model's answer."));
        observer.BeginRun($"resume {info.FlowName}");
        AxonRunResult result;
        try
        {
            result = await runtime.ResumeAsync(id, payload, ct).ConfigureAwait(false);
        }
        catch (AxonRunFailedException ex)
        {
            result = ex.Result;
        }
        catch (AxonResumeException ex)
        {
            observer.EndRun();
            console.Error.WriteLine("✗ " + ex.Message);
            return ExitCodes.Errors;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            observer.EndRun();
            console.Error.WriteLine($"{console.Fail("✗")} Cancelled while resuming {info.FlowName}");
            return ExitCodes.Errors;
        }
        finally
        {
            observer.EndRun();
        }
        ResultPrinter.Print(console, 1, 1, $"{info.FlowName} (resumed)", result, observer.TakeRouting(), setup.Choice.Synthetic);
        console.Out.WriteLine();
        if (result.Status == RunStatus.Failed) console.Error.WriteLine($"{console.Fail("✗")} the resumed run failed");
        else console.Out.WriteLine($"{console.Ok("✓")} resumed run {(result.Status == RunStatus.Suspended ? "hibernated again" : "finished")}");
        var traceExit = await RunCommand.SaveTraceAsync(setup.Trace, ResumeTracePath(path), console, ct).ConfigureAwait(false);
        return result.Status == RunStatus.Failed ? ExitCodes.Errors : traceExit ?? ExitCodes.Ok;
    }

    /// <summary>The trace of a resumed segment: <c>x.axon</c> → <c>x.resume.trace.json</c> (the run's own trace stays).</summary>
    public static string ResumeTracePath(string path) =>
        (path.EndsWith(".axon", StringComparison.Ordinal) ? path[..^5] : path) + ".resume.trace.json";

    /// <summary>The payload: JSON text, <c>@file</c> or <c>@-</c> (stdin); a JSON string is passed as its text.</summary>
    private static (object? Payload, string? Error) ReadPayload(string? spec)
    {
        if (spec is null) return (null, null);
        string text;
        if (spec == "@-") text = Console.In.ReadToEnd();
        else if (spec.StartsWith('@'))
        {
            try { text = File.ReadAllText(spec[1..]); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return (null, $"Cannot read '{spec[1..]}' for --payload: {ex.Message}");
            }
        }
        else text = spec;
        try
        {
            var node = JsonNode.Parse(text);
            return (node is JsonValue v && v.TryGetValue<string>(out var s) ? (object)s : node, null);
        }
        catch (JsonException ex)
        {
            return (null, $"--payload is not JSON ({ex.Message}); pass a JSON value, e.g. --payload '{{\"approved\": true}}' or --payload '\"yes\"'");
        }
    }
}
