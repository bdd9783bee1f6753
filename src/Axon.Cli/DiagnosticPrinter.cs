using System.Text;
using System.Text.Json;
using Axon.Language;

namespace Axon.Cli;

/// <summary>Prints diagnostics in MSBuild canonical form or as JSON.</summary>
internal static class DiagnosticPrinter
{
    /// <summary>More than this many diagnostics of one file are summarised, so garbage input cannot flood a terminal.</summary>
    public const int MaxPrinted = 200;

    public static void PrintCanonical(TextWriter writer, string path, IReadOnlyList<Diagnostic> diagnostics)
    {
        int printed = 0;
        foreach (var d in diagnostics)
        {
            if (printed == MaxPrinted)
            {
                writer.WriteLine($"{path}: info AXN0001: {diagnostics.Count - MaxPrinted} more diagnostic(s) not shown");
                break;
            }
            writer.WriteLine(d.ToCanonicalString(path));
            printed++;
        }
    }

    /// <summary>One file's result as a JSON object (for <c>--format json</c>).</summary>
    public static void WriteJson(Utf8JsonWriter json, string path, bool valid, int? tokens, int? declarations,
        IReadOnlyList<Diagnostic> diagnostics, string? ioError)
    {
        json.WriteStartObject();
        json.WriteString("path", path);
        json.WriteBoolean("valid", valid);
        if (ioError != null) json.WriteString("error", ioError);
        if (tokens is int t) json.WriteNumber("tokens", t); else json.WriteNull("tokens");
        if (declarations is int d) json.WriteNumber("declarations", d); else json.WriteNull("declarations");
        json.WriteStartArray("diagnostics");
        foreach (var diag in diagnostics)
        {
            json.WriteStartObject();
            json.WriteString("code", diag.Code);
            json.WriteString("severity", Diagnostic.SeverityText(diag.Severity));
            json.WriteString("phase", diag.Phase.ToString().ToLowerInvariant());
            json.WriteString("message", diag.Message);
            json.WriteNumber("line", diag.Span.StartLine);
            json.WriteNumber("column", diag.Span.StartColumn);
            json.WriteNumber("endLine", diag.Span.EndLine);
            json.WriteNumber("endColumn", diag.Span.EndColumn);
            if (diag.Related.Count > 0)
            {
                json.WriteStartArray("related");
                foreach (var r in diag.Related)
                {
                    json.WriteStartObject();
                    json.WriteNumber("line", r.Span.StartLine);
                    json.WriteNumber("column", r.Span.StartColumn);
                    json.WriteString("message", r.Message);
                    if (r.IsReferencePosition) json.WriteBoolean("reference", true);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static Utf8JsonWriter CreateJsonWriter(Stream stream) =>
        new(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public static string Utf8(MemoryStream stream) => Encoding.UTF8.GetString(stream.ToArray());
}
