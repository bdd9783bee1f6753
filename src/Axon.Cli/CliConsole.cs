namespace Axon.Cli;

/// <summary>
/// The CLI's output streams, whether they are a terminal (progress, colour), and the environment
/// the command reads (the process environment, or a test's own table so tests can run in parallel).
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, bool color, bool isTerminal = false, Func<string, string?>? environment = null, string? workingDirectory = null)
    {
        WorkingDirectory = System.IO.Path.GetFullPath(workingDirectory ?? Directory.GetCurrentDirectory());
        Out = output;
        Error = error;
        Color = color;
        IsTerminal = isTerminal;
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public bool Color { get; set; }

    /// <summary>True when stdout is a terminal: live progress is drawn only then.</summary>
    public bool IsTerminal { get; }

    /// <summary>The directory relative <c>output_to</c> paths and the default state store resolve against.</summary>
    public string WorkingDirectory { get; }

    /// <summary>Reads an environment variable (keys, base URLs, routing settings).</summary>
    public Func<string, string?> Environment { get; }

    public string Ok(string text) => Color ? "\u001b[32m" + text + "\u001b[0m" : text;

    public string Fail(string text) => Color ? "\u001b[31m" + text + "\u001b[0m" : text;

    public string Warn(string text) => Color ? "\u001b[33m" + text + "\u001b[0m" : text;

    public string Dim(string text) => Color ? "\u001b[2m" + text + "\u001b[0m" : text;

    public string Bold(string text) => Color ? "\u001b[1m" + text + "\u001b[0m" : text;

    public string Cyan(string text) => Color ? "\u001b[36m" + text + "\u001b[0m" : text;
}
