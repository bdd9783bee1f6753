using System.Text.Json;
using System.Text.Json.Serialization;

// The subset of the LSP 3.17 types the server uses (names and shapes as in the specification).
namespace Axon.LanguageServer.Protocol;

#pragma warning disable CS1591 // protocol shapes mirror the LSP specification one to one; their docs are the specification's

public sealed record Position(int Line, int Character);

public sealed record Range(Position Start, Position End);

public sealed record Location(string Uri, Range Range);

public sealed record TextDocumentIdentifier(string Uri);

public sealed record VersionedTextDocumentIdentifier(string Uri, int Version);

public sealed record TextDocumentItem(string Uri, string LanguageId, int Version, string Text);

public sealed record DidOpenTextDocumentParams(TextDocumentItem TextDocument);

public sealed record TextDocumentContentChangeEvent(Range? Range, string Text);

public sealed record DidChangeTextDocumentParams(VersionedTextDocumentIdentifier TextDocument, TextDocumentContentChangeEvent[] ContentChanges);

public sealed record DidCloseTextDocumentParams(TextDocumentIdentifier TextDocument);

public sealed record DidSaveTextDocumentParams(TextDocumentIdentifier TextDocument);

public sealed record TextDocumentPositionParams(TextDocumentIdentifier TextDocument, Position Position);

public sealed record ReferenceContext(bool IncludeDeclaration);

public sealed record ReferenceParams(TextDocumentIdentifier TextDocument, Position Position, ReferenceContext? Context);

public sealed record RenameParams(TextDocumentIdentifier TextDocument, Position Position, string NewName);

public sealed record DocumentParams(TextDocumentIdentifier TextDocument);

public sealed record WorkspaceFolder(string Uri, string Name);

public sealed record InitializeParams(int? ProcessId, string? RootUri, string? RootPath, WorkspaceFolder[]? WorkspaceFolders, JsonElement? InitializationOptions);

public static class DiagnosticSeverityCode
{
    public const int Error = 1;
    public const int Warning = 2;
    public const int Information = 3;
}

public sealed record DiagnosticRelatedInformation(Location Location, string Message);

public sealed record LspDiagnostic(Range Range, int Severity, string Code, string Source, string Message,
    DiagnosticRelatedInformation[]? RelatedInformation, JsonElement? Data = null);

public sealed record PublishDiagnosticsParams(string Uri, int? Version, LspDiagnostic[] Diagnostics);

public sealed record MarkupContent(string Kind, string Value);

public sealed record Hover(MarkupContent Contents, Range Range);

public sealed record CompletionItem(string Label, int Kind, string? Detail, MarkupContent? Documentation, string? InsertText,
    int? InsertTextFormat, string? SortText, string? FilterText);

public sealed record CompletionList(bool IsIncomplete, CompletionItem[] Items);

public static class CompletionItemKindCode
{
    public const int Function = 3;
    public const int Field = 5;
    public const int Variable = 6;
    public const int Class = 7;
    public const int Interface = 8;
    public const int Module = 9;
    public const int Property = 10;
    public const int Value = 12;
    public const int Enum = 13;
    public const int Keyword = 14;
    public const int Snippet = 15;
    public const int EnumMember = 20;
    public const int Constant = 21;
    public const int Struct = 22;
    public const int Event = 23;
    public const int TypeParameter = 25;
}

public static class SymbolKindCode
{
    public const int Module = 2;
    public const int Namespace = 3;
    public const int Class = 5;
    public const int Method = 6;
    public const int Property = 7;
    public const int Field = 8;
    public const int Interface = 11;
    public const int Function = 12;
    public const int Variable = 13;
    public const int Constant = 14;
    public const int Object = 19;
    public const int Key = 20;
    public const int Event = 24;
    public const int Struct = 23;
    public const int TypeParameter = 26;
}

public sealed record DocumentSymbol(string Name, string? Detail, int Kind, Range Range, Range SelectionRange, DocumentSymbol[]? Children);

public sealed record TextEdit(Range Range, string NewText);

public sealed record WorkspaceEdit(Dictionary<string, TextEdit[]> Changes);

public sealed record PrepareRenameResult(Range Range, string Placeholder);

public sealed record FoldingRange(int StartLine, int EndLine, string? Kind);

public sealed record LogMessageParams(int Type, string Message);

/// <summary>JSON options of the wire: camelCase names, nulls left out (as LSP clients expect of optional fields).</summary>
public static class Json
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create() => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
