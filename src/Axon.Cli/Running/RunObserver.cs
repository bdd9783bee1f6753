using System.Diagnostics;
using System.Text;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.Routing;
using Axon.Runtime.Tracing;

namespace Axon.Cli.Running;

/// <summary>
/// Watches one <c>axon run</c>: records routing decisions (into the trace and a tally for the report)
/// and draws live progress on a terminal from the run's stream (<see cref="AxonRuntime.StreamAsync(RunDefinition, IReadOnlyDictionary{string, object?}?, AxonStreamOptions, CancellationToken)"/>):
/// the run, the running step, the provider serving it when routing, elapsed time and the tail of the text the model
/// is streaming. Routing decisions are attributed to steps through the runtime's <c>axon.step</c> activities
/// (parallel branches make "the step that started last" wrong), sampled only for this command's own async flow so
/// that concurrent in-process runs (tests) do not see each other.
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
    // The last TailLength characters of the running step's streamed text (of its newest attempt), on one line.
    private const int TailLength = 48;
    private readonly StringBuilder _tail = new();
    private int _attempt = 1;
    private int _frame;
    private bool _drawn;

    public RunObserver(CliConsole console)
    {
        _console = console;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AxonTelemetry.Name,
            // Sampled so that Activity.Current names the step a routing decision belongs to.
            Sample = (ref ActivityCreationOptions<ActivityContext> _) =>
                Current.Value is not null ? ActivitySamplingResult.AllData : ActivitySamplingResult.None,
        };
        ActivitySource.AddActivityListener(_listener);
        Current.Value = this;
    }

    /// <summary>Only a terminal shows streamed text; elsewhere model calls stay unstreamed, as in a plain run.</summary>
    public AxonStreamOptions StreamOptions => _console.IsTerminal ? AxonStreamOptions.Default : new AxonStreamOptions { TextDeltas = false };

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

    /// <summary>One event of the run's stream: moves the progress line on (drawn at once on a terminal).</summary>
    public void OnUpdate(AxonRunUpdate update)
    {
        lock (_gate)
        {
            switch (update)
            {
                case AxonStepStarted started:
                    _step = started.Step;
                    _tail.Clear();
                    _attempt = 1;
                    break;
                case AxonTextDelta delta when delta.Step == _step:
                    // A retried attempt streams from its start: show the newest attempt's text only.
                    if (delta.Attempt != _attempt) { _tail.Clear(); _attempt = delta.Attempt; }
                    AppendTail(delta.Text);
                    break;
                case AxonStepCompleted:
                    break;
                default:
                    return;
            }
        }
        if (_console.IsTerminal && update is not AxonTextDelta) Draw();
    }

    private void AppendTail(string text)
    {
        foreach (var c in text) _tail.Append(char.IsControl(c) ? ' ' : c);
        if (_tail.Length > TailLength) _tail.Remove(0, _tail.Length - TailLength);
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
            _tail.Clear();
            _attempt = 1;
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

    private void Draw()
    {
        lock (_gate)
        {
            if (!_runClock.IsRunning) return;
            var elapsed = _runClock.Elapsed.TotalSeconds;
            var step = _step is null ? "starting" : "step " + _step;
            if (_step is not null && _stepProvider.TryGetValue(_step, out var provider)) step += " via " + provider;
            var text = _tail.Length > 0 ? " · " + _console.Dim("…" + _tail.ToString().Trim()) : "";
            _console.Error.Write($"\r\u001b[K{_console.Cyan(Spinner[_frame++ % Spinner.Length])} {_runLabel} · {step} · {elapsed:0.0}s{text}");
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
