using System.Runtime.CompilerServices;
using System.Text;

namespace Axon.Runtime.Providers.Http;

/// <summary>One server-sent event.</summary>
internal readonly record struct SseEvent(string? Event, string Data);

/// <summary>Readers for the line-based streaming formats (SSE and NDJSON).</summary>
internal static class StreamReaders
{
    /// <summary>
    /// Yields complete server-sent events. An event not closed by a blank line when the stream ends is
    /// dropped (as the SSE spec says), so a cut stream never yields half an event.
    /// </summary>
    public static async IAsyncEnumerable<SseEvent> ReadSseAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096);
        string? eventName = null;
        var data = new StringBuilder();
        var hasData = false;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                    yield return new SseEvent(eventName, data.ToString());
                eventName = null;
                data.Clear();
                hasData = false;
                continue;
            }
            if (line[0] == ':')
                continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
                value = value[1..];
            if (field == "event")
                eventName = value;
            else if (field == "data")
            {
                if (hasData)
                    data.Append('\n');
                data.Append(value);
                hasData = true;
            }
        }
    }

    /// <summary>Yields the non-empty lines of a newline-delimited JSON stream.</summary>
    public static async IAsyncEnumerable<string> ReadLinesAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            if (line.Length > 0)
                yield return line;
    }
}
