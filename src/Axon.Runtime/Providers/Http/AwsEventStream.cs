using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Axon.Runtime.Providers.Http;

/// <summary>One decoded <c>application/vnd.amazon.eventstream</c> message.</summary>
internal sealed record AwsEventMessage(IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Payload)
{
    public string? EventType => Headers.GetValueOrDefault(":event-type");
    public string? MessageType => Headers.GetValueOrDefault(":message-type");
    public string? ExceptionType => Headers.GetValueOrDefault(":exception-type");
}

/// <summary>
/// Decoder for the AWS event-stream binary framing used by Bedrock's <c>converse-stream</c>:
/// <c>[total length u32][headers length u32][prelude CRC32][headers][payload][message CRC32]</c>, big-endian.
/// A message cut short or with a bad checksum is an error, never a silent end.
/// </summary>
internal static class AwsEventStream
{
    private const int PreludeLength = 12;
    private const int MaxMessageLength = 16 * 1024 * 1024;

    public static async IAsyncEnumerable<AwsEventMessage> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prelude = new byte[PreludeLength];
        while (true)
        {
            var read = await ReadFullAsync(stream, prelude, cancellationToken).ConfigureAwait(false);
            if (read == 0)
                yield break;
            if (read < PreludeLength)
                throw new InvalidDataException("event stream ended inside a message prelude");
            var total = BinaryPrimitives.ReadInt32BigEndian(prelude);
            var headersLength = BinaryPrimitives.ReadInt32BigEndian(prelude.AsSpan(4));
            if (Crc32.Compute(prelude.AsSpan(0, 8)) != BinaryPrimitives.ReadUInt32BigEndian(prelude.AsSpan(8)))
                throw new InvalidDataException("event stream prelude checksum mismatch");
            if (total < PreludeLength + 4 || total > MaxMessageLength || headersLength < 0 || headersLength > total - PreludeLength - 4)
                throw new InvalidDataException("event stream message has an invalid length");

            var message = new byte[total];
            prelude.CopyTo(message, 0);
            if (await ReadFullAsync(stream, message.AsMemory(PreludeLength), cancellationToken).ConfigureAwait(false) < total - PreludeLength)
                throw new InvalidDataException("event stream ended inside a message");
            if (Crc32.Compute(message.AsSpan(0, total - 4)) != BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(total - 4)))
                throw new InvalidDataException("event stream message checksum mismatch");

            var headers = ParseHeaders(message.AsSpan(PreludeLength, headersLength));
            var payloadStart = PreludeLength + headersLength;
            yield return new AwsEventMessage(headers, message.AsMemory(payloadStart, total - 4 - payloadStart));
        }
    }

    private static Dictionary<string, string> ParseHeaders(ReadOnlySpan<byte> span)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        while (span.Length > 0)
        {
            int nameLength = span[0];
            var name = Encoding.UTF8.GetString(span.Slice(1, nameLength));
            span = span[(1 + nameLength)..];
            var type = span[0];
            span = span[1..];
            switch (type)
            {
                case 0 or 1: // bool true / false
                    headers[name] = type == 0 ? "true" : "false";
                    break;
                case 2: headers[name] = span[0].ToString(); span = span[1..]; break;
                case 3: headers[name] = BinaryPrimitives.ReadInt16BigEndian(span).ToString(); span = span[2..]; break;
                case 4: headers[name] = BinaryPrimitives.ReadInt32BigEndian(span).ToString(); span = span[4..]; break;
                case 5 or 8: headers[name] = BinaryPrimitives.ReadInt64BigEndian(span).ToString(); span = span[8..]; break;
                case 6 or 7: // bytes / string, u16 length
                    var length = BinaryPrimitives.ReadUInt16BigEndian(span);
                    headers[name] = type == 7 ? Encoding.UTF8.GetString(span.Slice(2, length)) : Convert.ToBase64String(span.Slice(2, length));
                    span = span[(2 + length)..];
                    break;
                case 9: headers[name] = new Guid(span[..16], bigEndian: true).ToString(); span = span[16..]; break;
                default: throw new InvalidDataException($"event stream header type {type} is unknown");
            }
        }
        return headers;
    }

    /// <summary>Encodes a message (used by tests and emulators; Bedrock itself only sends).</summary>
    public static byte[] Encode(IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> payload)
    {
        var headerBytes = new List<byte>();
        foreach (var (name, value) in headers)
        {
            var n = Encoding.UTF8.GetBytes(name);
            var v = Encoding.UTF8.GetBytes(value);
            headerBytes.Add((byte)n.Length);
            headerBytes.AddRange(n);
            headerBytes.Add(7);
            headerBytes.Add((byte)(v.Length >> 8));
            headerBytes.Add((byte)v.Length);
            headerBytes.AddRange(v);
        }
        var total = PreludeLength + headerBytes.Count + payload.Length + 4;
        var message = new byte[total];
        BinaryPrimitives.WriteInt32BigEndian(message, total);
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), headerBytes.Count);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), Crc32.Compute(message.AsSpan(0, 8)));
        headerBytes.CopyTo(message, PreludeLength);
        payload.CopyTo(message.AsSpan(PreludeLength + headerBytes.Count));
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4), Crc32.Compute(message.AsSpan(0, total - 4)));
        return message;
    }

    private static async Task<int> ReadFullAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }
}

/// <summary>CRC-32 (IEEE 802.3, reflected 0xEDB88320), as the event-stream format uses.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }
}
