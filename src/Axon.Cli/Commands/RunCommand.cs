using Axon.Cli.Running;
using Axon.Language;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.Providers;
using Axon.Runtime.Tools;
using Axon.Runtime.Tracing;

namespace Axon.Cli.Commands;

/// <summary><c>axon run FILE [-b BACKEND] [--trace] [--tool-mode stub|real|hybrid]</c>: compile and execute every run.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(string path, string? backend, bool trace, string toolMode, CliConsole console, CancellationToken ct)
    {
        if (backend is not null && !BackendResolver.IsAccepted(backend))
        {
            console.Error.WriteLine("✗ " + Backends.UnknownMessage(backend) + ", auto");
            return ExitCodes.Usage;
        }
        var read = SourceFiles.Read(path);
        if (read.IoError != null)
        {
            console.Error.WriteLine("✗ " + read.IoError);
            return ExitCodes.Usage;
        }
        Compilation? compiled = read.Text != null ? AxonCompiler.Compile(read.Text) : null;
        var diagnostics = compiled?.Diagnostics ?? [read.EncodingError!];
        DiagnosticPrinter.PrintCanonical(console.Error, path, diagnostics);
        if (compiled is not { Success: true, Ir: not null })
        {
            console.Error.WriteLine($"{console.Fail("✗")} {Path.GetFileName(path)}  {diagnostics.Count(d => d.IsError)} error(s); nothing was run");
            return ExitCodes.Errors;
        }

        var fileName = Path.GetFileName(path);
        var registry = AxonProviderRegistry.CreateDefault();
        var prices = new ModelPriceTable();
        using var observer = new RunObserver(console);
        BackendChoice choice;
        try
        {
            choice = await BackendResolver.ResolveAsync(backend, registry, console.Environment, prices, observer, ct).ConfigureAwait(false);
        }
        catch (BackendException ex)
        {
            console.Error.WriteLine("✗ " + ex.Message);
            return ex.ExitCode;
        }

        AxonProgram program;
        try
        {
            program = ProgramLoader.Load(compiled.Ir, fileName, choice.Backend == "routed" ? Backends.Default : choice.Backend);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or System.Text.Json.JsonException)
        {
            console.Error.WriteLine($"✗ IR mapping failed: {ex.Message}");
            return ExitCodes.Errors;
        }

        var recorder = trace ? new TraceRecorder(fileName, choice.Backend) { AxonVersion = AxonCompiler.LanguageVersion } : null;
        observer.Trace = recorder;
        var options = new AxonRunOptions
        {
            Backend = choice.Backend,
            ChatClient = choice.Client,
            ToolMode = toolMode switch { "real" => ToolMode.Real, "hybrid" => ToolMode.Hybrid, _ => ToolMode.Stub },
            Trace = recorder,
            PriceTable = prices,
            Source = fileName,
            // Relative output_to paths land next to the program, like the trace file.
            OutputDirectory = Path.GetDirectoryName(Path.GetFullPath(path)),
        };
        foreach (var secret in BackendResolver.Secrets(registry, console.Environment)) options.Secrets.Add(secret);
        if (StateStoreSelection.Apply(options, console) is { } storeError)
        {
            console.Error.WriteLine("✗ " + storeError);
            return ExitCodes.Usage;
        }

        console.Out.WriteLine($"▶ {fileName}: {program.Runs.Count} run(s) on {choice.Description}");
        if (choice.Synthetic) console.Out.WriteLine(console.Warn("  Outputs are synthetic (stub backend): they show the program's shape, not a model's answer."));
        if (program.Runs.Count == 0)
        {
            console.Out.WriteLine("  Nothing to execute: the program has no run statement.");
            return await SaveTraceAsync(recorder, path, console, ct).ConfigureAwait(false) ?? ExitCodes.Ok;
        }

        var runtime = new AxonRuntime(options).Register(program);
        int failed = 0;
        for (int i = 0; i < program.Runs.Count; i++)
        {
            var run = program.Runs[i];
            var label = Label(run);
            observer.BeginRun($"run {i + 1}/{program.Runs.Count} {run.Flow.Name}");
            AxonRunResult result;
            try
            {
                result = await runtime.RunAsync(run, (IReadOnlyDictionary<string, object?>?)null, ct).ConfigureAwait(false);
            }
            catch (AxonRunFailedException ex)
            {
                result = ex.Result;
            }
            catch (AxonRuntimeException ex)
            {
                // Problems found before the flow starts (arguments, definitions) fail this run only.
                result = new AxonRunResult { FlowName = run.Flow.Name, Status = RunStatus.Failed, Error = ex.Message, ErrorName = ex.GetType().Name };
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C: stop, but keep what the trace has so far.
                observer.EndRun();
                console.Error.WriteLine($"{console.Fail("✗")} Cancelled during run {i + 1}/{program.Runs.Count}");
                await SaveTraceAsync(recorder, path, console, CancellationToken.None).ConfigureAwait(false);
                return ExitCodes.Errors;
            }
            finally
            {
                observer.EndRun();
            }
            if (result.Status == RunStatus.Failed) failed++;
            ResultPrinter.Print(console, i + 1, program.Runs.Count, label, result, observer.TakeRouting(), choice.Synthetic);
        }

        console.Out.WriteLine();
        int completed = program.Runs.Count - failed;
        if (failed == 0) console.Out.WriteLine($"{console.Ok("✓")} {completed} run(s) finished");
        else console.Error.WriteLine($"{console.Fail("✗")} {failed} of {program.Runs.Count} run(s) failed");
        var traceExit = await SaveTraceAsync(recorder, path, console, ct).ConfigureAwait(false);
        return failed > 0 ? ExitCodes.Errors : traceExit ?? ExitCodes.Ok;
    }

    private static string Label(RunDefinition run)
    {
        var label = $"{run.Flow.Name}({string.Join(", ", run.Arguments)})";
        if (run.Persona is { } p) label += " as " + p.Name;
        if (run.Context is { } c) label += " within " + c.Name;
        return label;
    }

    /// <summary>The trace file of <paramref name="path"/>: <c>x.axon</c> → <c>x.trace.json</c>.</summary>
    public static string TracePath(string path) =>
        (path.EndsWith(".axon", StringComparison.Ordinal) ? path[..^5] : path) + ".trace.json";

    private static async Task<int?> SaveTraceAsync(TraceRecorder? recorder, string path, CliConsole console, CancellationToken ct)
    {
        if (recorder is null) return null;
        var target = TracePath(path);
        try
        {
            await recorder.SaveAsync(target, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"✗ Cannot write {target}: {ex.Message}");
            return ExitCodes.Usage;
        }
        console.Out.WriteLine($"📋 Trace saved → {target}");
        return null;
    }
}
