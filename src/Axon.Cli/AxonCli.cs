using System.CommandLine;
using System.CommandLine.Parsing;
using System.Reflection;
using Axon.Cli.Commands;
using Axon.Language;

namespace Axon.Cli;

/// <summary>The <c>axon</c> command line: check, compile, run, resume, trace, version.</summary>
public static class AxonCli
{
    /// <summary>The version line printed by <c>axon version</c> and <c>-V</c>.</summary>
    public static string VersionLine =>
        $"axon-lang {AxonCompiler.LanguageVersion} (Axon.Toolchain {typeof(AxonCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0"})";

    /// <summary>Runs the CLI with the given arguments and streams; returns the exit code. Never throws.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool isTerminal = false) =>
        Run(args, stdout, stderr, isTerminal, null);

    /// <summary>
    /// Runs the CLI reading provider keys, endpoints and routing settings through <paramref name="environment"/>
    /// (the process environment when null); returns the exit code. Never throws.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors and progress go.</param>
    /// <param name="isTerminal">True when stdout is a terminal: colour (unless <c>NO_COLOR</c> or <c>--no-color</c>) and live progress.</param>
    /// <param name="environment">Reads an environment variable.</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool isTerminal, Func<string, string?>? environment) =>
        Run(args, stdout, stderr, isTerminal, environment, null);

    /// <summary>
    /// Runs the CLI as <see cref="Run(string[], TextWriter, TextWriter, bool, Func{string, string?}?)"/>, with
    /// <paramref name="workingDirectory"/> (null: the process's) as the base of relative <c>output_to</c> paths and of
    /// the default state store. Never throws.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors and progress go.</param>
    /// <param name="isTerminal">True when stdout is a terminal.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="workingDirectory">The working directory of the command.</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool isTerminal, Func<string, string?>? environment, string? workingDirectory) =>
        Run(args, stdout, stderr, isTerminal, environment, workingDirectory, CancellationToken.None);

    /// <summary>
    /// Runs the CLI as <see cref="Run(string[], TextWriter, TextWriter, bool, Func{string, string?}?, string?)"/>;
    /// cancelling <paramref name="cancellationToken"/> (Ctrl+C in <c>axon</c>) cancels the running command: a run stops
    /// its model call, says where it stopped, saves its trace and exits 1. Never throws.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors and progress go.</param>
    /// <param name="isTerminal">True when stdout is a terminal.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="workingDirectory">The working directory of the command.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool isTerminal, Func<string, string?>? environment, string? workingDirectory,
        CancellationToken cancellationToken)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var console = new CliConsole(stdout, stderr, isTerminal && environment("NO_COLOR") == null, isTerminal, environment, workingDirectory);
        try
        {
            return RunCore(args, console, cancellationToken);
        }
        catch (Exception ex)
        {
            // A bug in the tool must not print a stack trace at the user.
            stderr.WriteLine($"✗ Internal error: {ex.GetType().Name}: {ex.Message}");
            if (Environment.GetEnvironmentVariable("AXON_DEBUG") == "1") stderr.WriteLine(ex);
            return ExitCodes.Errors;
        }
    }

    private static int RunCore(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        if (args.Length == 1 && args[0] is "-V" or "--version")
        {
            console.Out.WriteLine(VersionLine);
            return ExitCodes.Ok;
        }

        var noColor = new Option<bool>("--no-color") { Description = "Never colour the output.", Recursive = true };
        var format = new Option<string>("--format") { Description = "Diagnostic format: text (MSBuild canonical) or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");

        var checkFiles = new Argument<string[]>("files") { Description = "The .axon files to check.", Arity = ArgumentArity.OneOrMore };
        var check = new Command("check", "Lex, parse and check AXON files; report every diagnostic.") { checkFiles, format };
        check.SetAction(r => CheckCommand.Run(r.GetValue(checkFiles)!, r.GetValue(format) == "json", Colored(console, r, noColor)));

        var compileFile = new Argument<string>("file") { Description = "The .axon file to compile." };
        var backend = new Option<string>("--backend", "-b") { Description = "Backend recorded in _meta: " + string.Join(", ", Backends.Names) + ".", DefaultValueFactory = _ => Backends.Default };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the IR JSON (default: FILE with .ir.json)." };
        var toStdout = new Option<bool>("--stdout") { Description = "Print the IR JSON instead of writing a file." };
        var compileFormat = new Option<string>("--format") { Description = "Diagnostic format: text or json.", DefaultValueFactory = _ => "text" };
        compileFormat.AcceptOnlyFromAmong("text", "json");
        var compile = new Command("compile", "Compile an AXON file to IR JSON.") { compileFile, backend, output, toStdout, compileFormat };
        compile.SetAction(r =>
        {
            if (r.GetValue(output) != null && r.GetValue(toStdout))
            {
                console.Error.WriteLine("✗ --output and --stdout cannot be used together");
                return ExitCodes.Usage;
            }
            return CompileCommand.Run(r.GetValue(compileFile)!, r.GetValue(backend)!, r.GetValue(output), r.GetValue(toStdout),
                r.GetValue(compileFormat) == "json", Colored(console, r, noColor));
        });

        var runFile = new Argument<string>("file") { Description = "The .axon file to run." };
        var runBackend = new Option<string?>("--backend", "-b")
        {
            Description = "Backend: " + string.Join(", ", Backends.Names) + ", or auto (first provider with a key, then a reachable Ollama, then stub). " +
                "Default anthropic, or routing across the configured providers when LLM_ROUTING_STRATEGY or LLM_PROVIDERS is set.",
        };
        var runTrace = new Option<bool>("--trace") { Description = "Write FILE.trace.json (spans, events, routing decisions)." };
        var toolMode = new Option<string>("--tool-mode") { Description = "How tools run: stub, real or hybrid.", DefaultValueFactory = _ => "stub" };
        toolMode.AcceptOnlyFromAmong("stub", "real", "hybrid");
        var runTimeout = new Option<string?>("--timeout")
        {
            Description = "How long one model call waits for an answer (and between streamed chunks): seconds or 30s, 2m. Default 20s, or AXON_TIMEOUT.",
        };
        var runAttempts = new Option<int?>("--attempts")
        {
            Description = "How often a step calls a provider that fails transiently (timeout, 5xx, 429). Default 2, or AXON_ATTEMPTS.",
        };
        var runArgs = new Option<string[]>("--arg")
        {
            Description = "Bind a flow parameter: name=value, name=@path (the file's text), name=@- (stdin). Overrides the run statement's argument. Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var run = new Command("run", "Compile an AXON file and execute every run statement.") { runFile, runBackend, runTrace, toolMode, runTimeout, runAttempts, runArgs };
        run.SetAction((r, ct) =>
        {
            var timeout = r.GetValue(runTimeout);
            var attempts = r.GetValue(runAttempts);
            if (timeout is not null && Runtime.Providers.AxonProviderRegistry.ParseDuration(timeout) is null)
            {
                console.Error.WriteLine($"✗ --timeout '{timeout}' is not a duration (give seconds, or 30s, 2m)");
                return Task.FromResult(ExitCodes.Usage);
            }
            if (attempts is < 1)
            {
                console.Error.WriteLine("✗ --attempts must be at least 1");
                return Task.FromResult(ExitCodes.Usage);
            }
            // The flags win over the environment: the run reads them as AXON_TIMEOUT / AXON_ATTEMPTS.
            var env = console.Environment;
            var runConsole = timeout is null && attempts is null ? console
                : new CliConsole(console.Out, console.Error, console.Color, console.IsTerminal,
                    name => name == "AXON_TIMEOUT" && timeout is not null ? timeout
                        : name == "AXON_ATTEMPTS" && attempts is not null ? attempts.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
                        : env(name));
            return RunCommand.RunAsync(r.GetValue(runFile)!, r.GetValue(runBackend), r.GetValue(runTrace), r.GetValue(toolMode)!,
                r.GetValue(runArgs) ?? [], Colored(runConsole, r, noColor), ct);
        });

        var modelsBackend = new Option<string>("--backend", "-b") { Description = "The backend whose models to list: " + string.Join(", ", Backends.Names) + ".", Required = true };
        var models = new Command("models", "List the models the configured key can use on a backend (its list-models endpoint).") { modelsBackend };
        models.SetAction((r, ct) => ModelsCommand.RunAsync(r.GetValue(modelsBackend)!, Colored(console, r, noColor), ct));

        var resumeId = new Argument<string>("id") { Description = "The continuation id axon run printed when the run hibernated." };
        var payload = new Option<string?>("--payload") { Description = "The event's payload: JSON, @path (a JSON file) or @- (stdin)." };
        var resumeBackend = new Option<string?>("--backend", "-b") { Description = "Backend for the rest of the run (as for run)." };
        var resumeTrace = new Option<bool>("--trace") { Description = "Write FILE.resume.trace.json for the resumed segment." };
        var resumeToolMode = new Option<string>("--tool-mode") { Description = "How tools run: stub, real or hybrid.", DefaultValueFactory = _ => "stub" };
        resumeToolMode.AcceptOnlyFromAmong("stub", "real", "hybrid");
        var resume = new Command("resume", "Continue a hibernated run from the state store (exactly once).") { resumeId, payload, resumeBackend, resumeTrace, resumeToolMode };
        resume.SetAction((r, ct) => ResumeCommand.RunAsync(r.GetValue(resumeId)!, r.GetValue(payload), r.GetValue(resumeBackend), r.GetValue(resumeTrace),
            r.GetValue(resumeToolMode)!, Colored(console, r, noColor), ct));

        var traceFile = new Argument<string>("file") { Description = "A trace JSON file (from axon run --trace, or the reference's older shape)." };
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML timeline to this path instead of printing." };
        var trace = new Command("trace", "Render a trace file readably, or as an HTML timeline.") { traceFile, html };
        trace.SetAction(r => TraceCommand.Run(r.GetValue(traceFile)!, r.GetValue(html), Colored(console, r, noColor)));

        var version = new Command("version", "Print the version.");
        version.SetAction(_ =>
        {
            console.Out.WriteLine(VersionLine);
            return ExitCodes.Ok;
        });

        var lsp = new Command("lsp", "Serve the Language Server Protocol over stdin/stdout (for editors).");
#if AXON_NATIVE
        // The language server runs on StreamJsonRpc, which needs reflection and runtime code generation: the native
        // build leaves it out and says where to get it (a usage error: nothing ran).
        lsp.SetAction(_ =>
        {
            console.Error.WriteLine(LspNeedsJit);
            return ExitCodes.Usage;
        });
#else
        lsp.SetAction((_, ct) => Axon.LanguageServer.AxonLanguageServer.RunStdioAsync(ct));
#endif

        var root = new RootCommand("axon: check, compile, run, resume and trace AXON programs.") { check, compile, run, resume, models, trace, version, lsp, noColor };
        root.SetAction(r =>
        {
            // No subcommand: help, exit 0 (as the reference).
            return root.Parse("--help").Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false });
        });

        // No response files: "@path" is a value of --payload and --arg (a file to read), not more command-line tokens.
        ParseResult parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) console.Error.WriteLine("✗ " + error.Message);
            console.Error.WriteLine("Run 'axon --help' for usage.");
            return ExitCodes.Usage;
        }
        // The caller owns signals (Program turns Ctrl+C into the token); System.CommandLine installs no handler of its own.
        return parsed.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null },
            cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>What the native (NativeAOT) <c>axon</c> prints for <c>axon lsp</c>, which only the dotnet-tool build serves.</summary>
    public const string LspNeedsJit =
        "✗ 'axon lsp' is not part of the native axon build: the language server needs the .NET runtime. " +
        "Install the dotnet tool ('dotnet tool install -g Axon.Cli') and point the editor at its axon.";

    private static CliConsole Colored(CliConsole console, ParseResult r, Option<bool> noColor)
    {
        if (r.GetValue(noColor)) console.Color = false;
        return console;
    }
}
