using System.Text;
using System.Text.Json;
using Axon.Cli.Tracing;

namespace Axon.Cli.Commands;

/// <summary><c>axon trace FILE [--html OUT.html]</c>: render a trace on the terminal or as a timeline page.</summary>
internal static class TraceCommand
{
    public static int Run(string path, string? html, CliConsole console)
    {
        if (Directory.Exists(path))
        {
            console.Error.WriteLine($"✗ Not a file: {path} is a directory");
            return ExitCodes.Usage;
        }
        if (!File.Exists(path))
        {
            console.Error.WriteLine($"✗ File not found: {path}");
            return ExitCodes.Usage;
        }
        TraceDocument doc;
        try
        {
            doc = TraceDocument.Parse(File.ReadAllText(path, Encoding.UTF8));
        }
        catch (JsonException ex)
        {
            console.Error.WriteLine($"✗ Invalid JSON: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or DecoderFallbackException)
        {
            console.Error.WriteLine($"✗ Cannot read {path}: {ex.Message}");
            return ExitCodes.Usage;
        }

        if (html is null)
        {
            TraceTextRenderer.Render(doc, console);
            return ExitCodes.Ok;
        }
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(html));
            if (dir is not null) Directory.CreateDirectory(dir);
            File.WriteAllText(html, TraceHtmlRenderer.Render(doc), new UTF8Encoding(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"✗ Cannot write {html}: {ex.Message}");
            return ExitCodes.Usage;
        }
        console.Out.WriteLine($"{console.Ok("✓")} Timeline written → {html}");
        return ExitCodes.Ok;
    }
}
