using Axon.Language;
using Axon.Language.IR;

namespace Axon.Cli.Commands;

/// <summary><c>axon compile FILE [-b BACKEND] [-o OUT | --stdout]</c>: write the IR JSON.</summary>
internal static class CompileCommand
{
    public static int Run(string path, string backend, string? output, bool toStdout, bool json, CliConsole console)
    {
        if (!Backends.IsKnown(backend))
        {
            console.Error.WriteLine("✗ " + Backends.UnknownMessage(backend));
            return ExitCodes.Usage;
        }
        var read = SourceFiles.Read(path);
        if (read.IoError != null)
        {
            console.Error.WriteLine("✗ " + read.IoError);
            return ExitCodes.Usage;
        }
        Compilation? result = read.Text != null ? AxonCompiler.Compile(read.Text) : null;
        var diagnostics = result?.Diagnostics ?? new[] { read.EncodingError! };
        bool ok = result is { Success: true, Ir: not null };
        if (json)
        {
            using var buffer = new MemoryStream();
            using (var writer = DiagnosticPrinter.CreateJsonWriter(buffer))
                DiagnosticPrinter.WriteJson(writer, path, ok, result?.TokenCount, result?.DeclarationCount, diagnostics, null);
            (ok ? console.Error : console.Out).WriteLine(DiagnosticPrinter.Utf8(buffer));
        }
        else
        {
            DiagnosticPrinter.PrintCanonical(console.Error, path, diagnostics);
        }
        if (!ok)
        {
            if (!json) console.Error.WriteLine($"{console.Fail("✗")} {Path.GetFileName(path)}  {diagnostics.Count(d => d.IsError)} error(s)");
            return ExitCodes.Errors;
        }

        string irJson = IrJson.Write(result!.Ir!, path, backend, AxonCompiler.LanguageVersion);
        if (toStdout)
        {
            console.Out.WriteLine(irJson);
            return ExitCodes.Ok;
        }
        string target = output ?? DefaultOutput(path);
        try
        {
            // Write next to the target first so a failure never leaves a half-written IR file behind.
            string temp = target + ".tmp";
            File.WriteAllText(temp, irJson, new System.Text.UTF8Encoding(false));
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"✗ Cannot write {target}: {ex.Message}");
            return ExitCodes.Usage;
        }
        console.Out.WriteLine($"{console.Ok("✓")} Compiled → {target}");
        return ExitCodes.Ok;
    }

    private static string DefaultOutput(string path) =>
        (path.EndsWith(".axon", StringComparison.Ordinal) ? path[..^5] : path) + ".ir.json";
}
