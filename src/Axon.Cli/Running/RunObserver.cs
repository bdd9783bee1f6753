using System.Diagnostics;
using Axon.Runtime.Routing;
using Axon.Runtime.Tracing;

namespace Axon.Cli.Running;

/// <summary>
/// Watches one <c>axon run</c>: records routing decisions (into the trace and a tally for the report)
/// and draws live progress on a terminal (the run, the running step, elapsed time). It learns the
/// running step from the runtime's <c>axon.step</c> activities, sampled only for this command's own
/// async flow so that concurrent in-process runs (tests) do not see each other.
/// </summary>
internal sealed class RunObserver : IRoutingDecisionSink, IDisposable
{
    private static readonly AsyncLocal<RunObserver?> Current = new();
    private static readonly string[] Spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

    private readonly ActivityListener _listener;
    private readonly CliConsole _console;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _chosen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _stepProvider = new(StringComparer.Ordinal);
    private readonly Stopwatch _runClock = new();
    private Timer? _timer;
    private string _runLabel = "";
    private string? _step;
    private int _frame;
    private bool _drawn;

    public RunObserver(CliConsole console)
    {
        _console = console;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AxonTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) =>
                Current.Value is not null ? ActivitySamplingResult.AllData : ActivitySamplingResult.None,
            // Tags are set after the step activity starts, so the step is read from its name ("axon.step X").
            ActivityStarted = a =>
            {
                if (Current.Value is { } owner && a.OperationName.StartsWith("axon.step ", StringComparison.Ordinal))
                    owner.StepStarted(a.OperationName["axon.step ".Length..]);
            },
        };
        ActivitySource.AddActivityListener(_listener);
        Current.Value = this;
    }

    /// <summary>Where routing decisions are recorded (null = no trace file).</summary>
    public TraceRecorder? Trace { get; set; }

    /// <summary>How many calls each provider was chosen for in the current run, and the provider of each step's last call.</summary>
    public (IReadOnlyDictionary<string, int> Tally, IReadOnlyDictionary<string, string> StepProviders) TakeRouting()
    {
        lock (_gate)
        {
            var tally = new Dictionary<string, int>(_chosen, StringComparer.Ordinal);
            var steps = new Dictionary<string, string>(_stepProvider, StringComparer.Ordinal);
            _chosen.Clear();
            _stepProvider.Clear();
            return (tally, steps);
        }
    }

    /// <inheritdoc />
    public void OnDecision(in RoutingDecision decision)
    {
        var step = StepOf(Activity.Current);
        Trace?.RecordRouteDecision(decision.Strategy, decision.CandidatesToArray(), decision.Chosen, decision.Attempt,
            RoutingDecision.ReasonName(decision.Reason), step);
        lock (_gate)
        {
            _chosen[decision.Chosen] = _chosen.GetValueOrDefault(decision.Chosen) + 1;
            if (step is not null) _stepProvider[step] = decision.Chosen;
        }
    }

    private static string? StepOf(Activity? activity)
    {
        for (var a = activity; a is not null; a = a.Parent)
        {
            if (a.GetTagItem("axon.step.name") is string s) return s;
            if (a.OperationName.StartsWith("axon.step ", StringComparison.Ordinal)) return a.OperationName["axon.step ".Length..];
        }
        return null;
    }

    /// <summary>A run begins: progress shows its label until <see cref="EndRun"/>.</summary>
    public void BeginRun(string label)
    {
        lock (_gate)
        {
            _runLabel = label;
            _step = null;
            _runClock.Restart();
        }
        if (_console.IsTerminal) _timer ??= new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>The run ended: the progress line is erased so the report starts on a clean line.</summary>
    public void EndRun()
    {
        lock (_gate)
        {
            _runClock.Stop();
            if (_drawn)
            {
                _console.Error.Write("\r\u001b[K");
                _console.Error.Flush();
                _drawn = false;
            }
        }
    }

    private void StepStarted(string step)
    {
        lock (_gate) _step = step;
    }

    private void Draw()
    {
        lock (_gate)
        {
            if (!_runClock.IsRunning) return;
            var elapsed = _runClock.Elapsed.TotalSeconds;
            var step = _step is null ? "starting" : "step " + _step;
            _console.Error.Write($"\r\u001b[K{_console.Cyan(Spinner[_frame++ % Spinner.Length])} {_runLabel} · {step} · {elapsed:0.0}s");
            _console.Error.Flush();
            _drawn = true;
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        EndRun();
        _listener.Dispose();
        if (Current.Value == this) Current.Value = null;
    }
}
