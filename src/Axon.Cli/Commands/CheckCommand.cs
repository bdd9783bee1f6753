using Axon.Language;

namespace Axon.Cli.Commands;

/// <summary><c>axon check FILE…</c>: lex, parse, check and lower to IR (backend-agnostic); report every diagnostic.</summary>
internal static class CheckCommand
{
    public static int Run(IReadOnlyList<string> files, bool json, CliConsole console)
    {
        int exit = ExitCodes.Ok;
        using var buffer = new MemoryStream();
        using (var writer = DiagnosticPrinter.CreateJsonWriter(buffer))
        {
            if (json) { writer.WriteStartObject(); writer.WriteStartArray("files"); }
            foreach (var path in files)
            {
                var read = SourceFiles.Read(path);
                if (read.IoError != null)
                {
                    exit = ExitCodes.Usage;
                    if (json) DiagnosticPrinter.WriteJson(writer, path, false, null, null, Array.Empty<Diagnostic>(), read.IoError);
                    else console.Error.WriteLine("✗ " + read.IoError);
                    continue;
                }
                Compilation? result = read.Text != null ? AxonCompiler.Compile(read.Text, generateIr: true) : null;
                var diagnostics = result?.Diagnostics ?? new[] { read.EncodingError! };
                int errors = diagnostics.Count(d => d.IsError);
                if (errors > 0 && exit == ExitCodes.Ok) exit = ExitCodes.Errors;
                if (json)
                {
                    DiagnosticPrinter.WriteJson(writer, path, errors == 0, result?.TokenCount, result?.DeclarationCount, diagnostics, null);
                    continue;
                }
                DiagnosticPrinter.PrintCanonical(errors > 0 ? console.Error : console.Out, path, diagnostics);
                string name = Path.GetFileName(path);
                if (errors == 0)
                    console.Out.WriteLine($"{console.Ok("✓")} {name}  {result!.TokenCount} tokens · {result.DeclarationCount} declarations · 0 errors");
                else
                    console.Error.WriteLine($"{console.Fail("✗")} {name}  {errors} error(s)");
            }
            if (json) { writer.WriteEndArray(); writer.WriteEndObject(); }
        }
        if (json) console.Out.WriteLine(DiagnosticPrinter.Utf8(buffer));
        return exit;
    }
}
