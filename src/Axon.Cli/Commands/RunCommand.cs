using Axon.Cli.Running;
using Axon.Language;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.Providers;
using Axon.Runtime.Tools;
using Axon.Runtime.Tracing;

namespace Axon.Cli.Commands;

/// <summary>A compiled program with its backend and runtime options, ready to run or resume.</summary>
internal sealed record RunSetup(string Path, string FileName, AxonProgram Program, BackendChoice Choice, AxonRunOptions Options, TraceRecorder? Trace);

/// <summary><c>axon run FILE [-b BACKEND] [--trace] [--tool-mode stub|real|hybrid] [--arg name=value|@path|@-]…</c>: compile and execute every run.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(string path, string? backend, bool trace, string toolMode, IReadOnlyList<string> argSpecs, CliConsole console, CancellationToken ct)
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
        // Inputs are read before anything runs: a bad --arg is a usage error with nothing executed or written.
        var (inputs, argError) = RunInputs.Parse(argSpecs, () => Console.In);
        if (argError is not null)
        {
            console.Error.WriteLine("✗ " + argError);
            return ExitCodes.Usage;
        }
        // Created here, not in SetupAsync: it marks this async flow as its own (an AsyncLocal set inside an awaited method does not flow back).
        using var observer = new RunObserver(console);
        var (setup, exit) = await SetupAsync(path, read, backend, trace, toolMode, console, observer, ct).ConfigureAwait(false);
        if (setup is null) return exit;
        var (fileName, program, choice, options, recorder) = (setup.FileName, setup.Program, setup.Choice, setup.Options, setup.Trace);
        if (RunInputs.CheckNames(inputs, program) is { } unknown)
        {
            console.Error.WriteLine("✗ " + unknown);
            return ExitCodes.Usage;
        }

        console.Out.WriteLine($"▶ {fileName}: {program.Runs.Count} run(s) on {choice.Description}");
        if (choice.Synthetic) console.Out.WriteLine(console.Warn("  Outputs are synthetic (stub backend): they show the program's shape, not a model's answer."));
        if (program.Runs.Count == 0)
        {
            console.Out.WriteLine("  Nothing to execute: the program has no run statement.");
            return await SaveTraceAsync(recorder, TracePath(path), console, ct).ConfigureAwait(false) ?? ExitCodes.Ok;
        }

        var runtime = new AxonRuntime(options).Register(program);
        var programDirectory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        int failed = 0;
        for (int i = 0; i < program.Runs.Count; i++)
        {
            var run = program.Runs[i];
            var label = Label(run);
            var notes = new List<string>();
            var arguments = RunInputs.ForRun(run, inputs, programDirectory, notes);
            observer.BeginRun($"run {i + 1}/{program.Runs.Count} {run.Flow.Name}");
            AxonRunResult? result = null;
            try
            {
                // The run's stream drives the progress line; cancelling ct (Ctrl+C) ends the enumeration and cancels the run.
                await foreach (var update in runtime.StreamAsync(run, arguments, observer.StreamOptions, ct).ConfigureAwait(false))
                {
                    if (update is AxonRunCompleted last) result = last.Result;
                    else observer.OnUpdate(update);
                }
                if (result is null) throw new InvalidOperationException("the run's stream ended without its result");
            }
            catch (AxonRunFailedException ex)
            {
                result = ex.Result;
            }
            catch (AxonRuntimeException ex)
            {
                // Problems found before the flow starts (arguments, definitions) fail this run only.
                result = new AxonRunResult { FlowName = run.Flow.Name, Status = RunStatus.Failed, Error = ex.Message, ErrorName = ex.ErrorName };
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C: stop, but keep what the trace has so far.
                observer.EndRun();
                console.Error.WriteLine($"{console.Fail("✗")} Cancelled during run {i + 1}/{program.Runs.Count}");
                await SaveTraceAsync(recorder, TracePath(path), console, CancellationToken.None).ConfigureAwait(false);
                return ExitCodes.Errors;
            }
            finally
            {
                observer.EndRun();
            }
            if (result.Status == RunStatus.Failed) failed++;
            ResultPrinter.Print(console, i + 1, program.Runs.Count, label, result, observer.TakeRouting(), choice.Synthetic, notes);
        }

        console.Out.WriteLine();
        int completed = program.Runs.Count - failed;
        if (failed == 0) console.Out.WriteLine($"{console.Ok("✓")} {completed} run(s) finished");
        else console.Error.WriteLine($"{console.Fail("✗")} {failed} of {program.Runs.Count} run(s) failed");
        var traceExit = await SaveTraceAsync(recorder, TracePath(path), console, ct).ConfigureAwait(false);
        return failed > 0 ? ExitCodes.Errors : traceExit ?? ExitCodes.Ok;
    }

    /// <summary>
    /// Compiles the program, resolves the backend and builds the runtime options <c>run</c> and <c>resume</c>
    /// share: the state store, output directory (the working directory), trace, tool mode and secrets.
    /// </summary>
    internal static async Task<(RunSetup? Setup, int Exit)> SetupAsync(string path, SourceFiles.ReadResult read, string? backend, bool trace, string toolMode,
        CliConsole console, RunObserver observer, CancellationToken ct)
    {
        Compilation? compiled = read.Text != null ? AxonCompiler.Compile(read.Text) : null;
        var diagnostics = compiled?.Diagnostics ?? [read.EncodingError!];
        DiagnosticPrinter.PrintCanonical(console.Error, path, diagnostics);
        if (compiled is not { Success: true, Ir: not null })
        {
            console.Error.WriteLine($"{console.Fail("✗")} {System.IO.Path.GetFileName(path)}  {diagnostics.Count(d => d.IsError)} error(s); nothing was run");
            return (null, ExitCodes.Errors);
        }

        var fileName = System.IO.Path.GetFileName(path);
        var registry = AxonProviderRegistry.CreateDefault();
        var prices = new ModelPriceTable();
        BackendChoice choice;
        try
        {
            choice = await BackendResolver.ResolveAsync(backend, registry, console.Environment, prices, observer, ct).ConfigureAwait(false);
        }
        catch (BackendException ex)
        {
            console.Error.WriteLine("✗ " + ex.Message);
            return (null, ex.ExitCode);
        }

        AxonProgram program;
        try
        {
            program = ProgramLoader.Load(compiled.Ir, fileName, choice.Backend == "routed" ? Backends.Default : choice.Backend);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or System.Text.Json.JsonException)
        {
            console.Error.WriteLine($"✗ IR mapping failed: {ex.Message}");
            return (null, ExitCodes.Errors);
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
            ProviderAttempts = int.TryParse(console.Environment("AXON_ATTEMPTS"), out var attempts) && attempts > 0 ? attempts : 2,
            Source = fileName,
            // Relative output_to paths resolve against the working directory, as any command-line tool's paths do.
            OutputDirectory = console.WorkingDirectory,
            ProgramPath = System.IO.Path.GetFullPath(path),
            ProgramFingerprint = Fingerprint(read.Text!),
        };
        foreach (var secret in BackendResolver.Secrets(registry, console.Environment)) options.Secrets.Add(secret);
        // Hibernated runs and memories go to the configured store, where `axon resume` finds them (nothing is created
        // until a flow hibernates or remembers).
        if (StateStoreSelection.Apply(options, console) is { } storeError)
        {
            console.Error.WriteLine("✗ " + storeError);
            return (null, ExitCodes.Usage);
        }
        return (new RunSetup(path, fileName, program, choice, options, recorder), ExitCodes.Ok);
    }

    /// <summary>SHA-256 of the program text (a resume refuses a program that changed since the run hibernated).</summary>
    internal static string Fingerprint(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

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

    internal static async Task<int?> SaveTraceAsync(TraceRecorder? recorder, string target, CliConsole console, CancellationToken ct)
    {
        if (recorder is null) return null;
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
