namespace Axon.Cli;

/// <summary>The CLI's output streams, and whether colour is wanted (only on a terminal, never with --no-color).</summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, bool color)
    {
        Out = output;
        Error = error;
        Color = color;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public bool Color { get; set; }

    public string Ok(string text) => Color ? "\u001b[32m" + text + "\u001b[0m" : text;

    public string Fail(string text) => Color ? "\u001b[31m" + text + "\u001b[0m" : text;

    public string Dim(string text) => Color ? "\u001b[2m" + text + "\u001b[0m" : text;
}
