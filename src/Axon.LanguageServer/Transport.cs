using System.Text.Json;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Axon.LanguageServer;

/// <summary>
/// StreamJsonRpc's Content-Length framing, except that a frame whose JSON is malformed (or not a JSON-RPC object)
/// becomes a <c>$/axon/malformedMessage</c> notification instead of ending the connection: the frame itself was
/// well delimited, so the next one can still be read and the session keeps serving.
/// </summary>
internal sealed class TolerantMessageHandler : HeaderDelimitedMessageHandler
{
    public const string MalformedMethod = "$/axon/malformedMessage";

    public TolerantMessageHandler(Stream output, Stream input, IJsonRpcMessageFormatter formatter) : base(output, input, formatter)
    {
    }

    /// <summary>Why the last malformed frame was rejected.</summary>
    public string? LastError { get; private set; }

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await base.ReadCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsMalformed(ex))
        {
            LastError = ex.Message;
            return new JsonRpcRequest { Method = MalformedMethod };
        }
    }

    private static bool IsMalformed(Exception ex) =>
        ex is JsonException or FormatException || ex.InnerException is JsonException or FormatException;
}

/// <summary>JsonRpc whose error responses carry a code and a message only: no stack traces or type names for the client.</summary>
internal sealed class LspJsonRpc : JsonRpc
{
    public LspJsonRpc(IJsonRpcMessageHandler handler) : base(handler)
    {
    }

    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        if (exception is LocalRpcException local)
            return new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)local.ErrorCode, Message = local.Message };
        // Arguments that do not bind (a string where a number goes, a missing field) are invalid params.
        var json = exception as JsonException ?? exception.InnerException as JsonException;
        if (json != null)
            return new JsonRpcError.ErrorDetail { Code = JsonRpcErrorCode.InvalidParams, Message = "Invalid params: " + json.Message };
        return new JsonRpcError.ErrorDetail { Code = JsonRpcErrorCode.InternalError, Message = "Internal error: " + exception.Message };
    }
}
