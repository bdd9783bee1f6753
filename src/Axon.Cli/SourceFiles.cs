using System.Text;
using Axon.Language;

namespace Axon.Cli;

/// <summary>Reads .axon files with clear errors for every way a path can be wrong.</summary>
internal static class SourceFiles
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The outcome of reading one file.</summary>
    public sealed record ReadResult(string? Text, string? IoError, Diagnostic? EncodingError);

    public static ReadResult Read(string path)
    {
        try
        {
            if (Directory.Exists(path)) return new(null, $"Not a file: {path} is a directory", null);
            if (!File.Exists(path)) return new(null, $"File not found: {path}", null);
            byte[] bytes = File.ReadAllBytes(path);
            try
            {
                // The reference reads UTF-8 without stripping a BOM, so a BOM stays in the text (and is an unexpected character).
                return new(StrictUtf8.GetString(bytes), null, null);
            }
            catch (DecoderFallbackException ex)
            {
                int offset = ex.Index >= 0 ? ex.Index : 0;
                var (line, col) = Position(bytes, offset);
                var d = new Diagnostic(DiagnosticCodes.InvalidEncoding, DiagnosticSeverity.Error, DiagnosticPhase.Lex,
                    $"The file is not UTF-8 text (invalid byte 0x{bytes[Math.Min(offset, bytes.Length - 1)]:X2} at offset {offset})",
                    new TextSpan(line, col, line, col + 1));
                return new(null, null, d);
            }
        }
        catch (UnauthorizedAccessException)
        {
            return new(null, $"Permission denied: {path}", null);
        }
        catch (IOException ex)
        {
            return new(null, $"Cannot read {path}: {ex.Message}", null);
        }
    }

    // Line and column (in code points) of a byte offset, counting only the valid prefix.
    private static (int Line, int Column) Position(byte[] bytes, int offset)
    {
        int line = 1, col = 1;
        for (int i = 0; i < offset && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n') { line++; col = 1; }
            else if ((bytes[i] & 0xC0) != 0x80) col++;
        }
        return (line, col);
    }
}
