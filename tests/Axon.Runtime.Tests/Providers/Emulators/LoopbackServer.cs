using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Axon.Runtime.Tests.Providers.Emulators;

/// <summary>A request as the loopback server received it.</summary>
public sealed class RecordedRequest
{
    public required string Method { get; init; }
    public required string Target { get; init; }
    public required Dictionary<string, string> Headers { get; init; }
    public required byte[] Body { get; init; }

    public string Path => Target.Split('?')[0];
    public string Query => Target.Contains('?') ? Target[(Target.IndexOf('?') + 1)..] : "";
    public string BodyText => Encoding.UTF8.GetString(Body);
    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());

    public JsonElement Json()
    {
        using var doc = JsonDocument.Parse(Body);
        return doc.RootElement.Clone();
    }
}

/// <summary>Writes one HTTP/1.1 answer on the raw connection, including the broken ones.</summary>
public sealed class Responder(NetworkStream stream, Socket socket)
{
    internal bool Closed { get; private set; }

    public async Task JsonAsync(int status, string body, params (string Name, string Value)[] headers)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder($"HTTP/1.1 {status} {Reason(status)}\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\n");
        foreach (var (n, v) in headers)
            head.Append($"{n}: {v}\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    /// <summary>
    /// Announces the whole body's length, sends half of it, then closes the connection, or, given a
    /// <paramref name="stall"/> token, keeps it open and silent until that token is cancelled.
    /// </summary>
    public async Task JsonCutAsync(string body, CancellationToken? stall = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\n\r\n"));
        await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
        await stream.FlushAsync();
        if (stall is { } token)
            await Task.Delay(Timeout.Infinite, token);
        else
            Close(reset: false);
    }

    /// <summary>A chunked streaming answer; with <paramref name="complete"/> false the connection closes mid-body.</summary>
    public async Task StreamAsync(string contentType, IEnumerable<byte[]> chunks, bool complete = true)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n"));
        foreach (var chunk in chunks)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{chunk.Length:X}\r\n"));
            await stream.WriteAsync(chunk);
            await stream.WriteAsync("\r\n"u8.ToArray());
            await stream.FlushAsync();
        }
        if (complete)
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
        else
            Close(reset: false);
    }

    /// <summary>Starts a streamed answer, sends <paramref name="chunks"/>, then goes silent with the connection open.</summary>
    public async Task StreamThenStallAsync(string contentType, IEnumerable<byte[]> chunks, CancellationToken token)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n"), token);
        foreach (var chunk in chunks)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{chunk.Length:X}\r\n"), token);
            await stream.WriteAsync(chunk, token);
            await stream.WriteAsync("\r\n"u8.ToArray(), token);
        }
        await stream.FlushAsync(token);
        await Task.Delay(Timeout.Infinite, token);
    }

    public Task StreamAsync(string contentType, IEnumerable<string> chunks, bool complete = true) =>
        StreamAsync(contentType, chunks.Select(Encoding.UTF8.GetBytes), complete);

    /// <summary>Accepts the request and never answers (until the server stops).</summary>
    public Task StallAsync(CancellationToken token) => Task.Delay(Timeout.Infinite, token);

    /// <summary>Drops the connection with a TCP reset before any answer.</summary>
    public void Reset() => Close(reset: true);

    private void Close(bool reset)
    {
        Closed = true;
        if (reset)
            socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK", 400 => "Bad Request", 401 => "Unauthorized", 404 => "Not Found", 418 => "Request Shape Mismatch",
        429 => "Too Many Requests", 500 => "Internal Server Error", _ => "Status",
    };
}

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 and a random port, written on <see cref="TcpListener"/> so tests
/// control the connection itself (stalls, resets, bodies cut short).
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RecordedRequest, Responder, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<Task> _connections = [];

    public LoopbackServer(Func<RecordedRequest, Responder, CancellationToken, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _connections.Add(Task.Run(() => ServeAsync(socket)));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        socket.NoDelay = true;
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = new BufferedReader(stream);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var request = await ReadRequestAsync(reader, _stop.Token);
                if (request is null)
                    return;
                Requests.Enqueue(request);
                var responder = new Responder(stream, socket);
                await _handler(request, responder, _stop.Token);
                if (responder.Closed)
                    return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static async Task<RecordedRequest?> ReadRequestAsync(BufferedReader reader, CancellationToken token)
    {
        var requestLine = await reader.ReadLineAsync(token);
        if (string.IsNullOrEmpty(requestLine))
            return null;
        var parts = requestLine.Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadLineAsync(token) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':');
            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }
        byte[] body;
        if (headers.TryGetValue("content-length", out var cl))
            body = await reader.ReadExactAsync(int.Parse(cl), token);
        else if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var ms = new MemoryStream();
            while (true)
            {
                var size = Convert.ToInt32((await reader.ReadLineAsync(token) ?? "0").Split(';')[0], 16);
                if (size == 0)
                {
                    while (await reader.ReadLineAsync(token) is { Length: > 0 })
                    {
                    }
                    break;
                }
                ms.Write(await reader.ReadExactAsync(size, token));
                await reader.ReadLineAsync(token);
            }
            body = ms.ToArray();
        }
        else
            body = [];
        return new RecordedRequest { Method = parts[0], Target = parts[1], Headers = headers, Body = body };
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        try
        {
            await Task.WhenAll(_connections).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }

    /// <summary>Byte-level reader for request lines and bodies.</summary>
    private sealed class BufferedReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16384];
        private int _start;
        private int _end;

        private async Task<bool> FillAsync(CancellationToken token)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            var n = await stream.ReadAsync(_buffer.AsMemory(_end), token);
            _end += n;
            return n > 0;
        }

        public async Task<string?> ReadLineAsync(CancellationToken token)
        {
            while (true)
            {
                var idx = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (idx >= 0)
                {
                    var line = Encoding.UTF8.GetString(_buffer, _start, idx - _start).TrimEnd('\r');
                    _start = idx + 1;
                    return line;
                }
                if (!await FillAsync(token))
                    return null;
            }
        }

        public async Task<byte[]> ReadExactAsync(int count, CancellationToken token)
        {
            var result = new byte[count];
            var copied = 0;
            while (copied < count)
            {
                if (_start == _end && !await FillAsync(token))
                    throw new IOException("body ended early");
                var n = Math.Min(count - copied, _end - _start);
                Buffer.BlockCopy(_buffer, _start, result, copied, n);
                _start += n;
                copied += n;
            }
            return result;
        }
    }
}
