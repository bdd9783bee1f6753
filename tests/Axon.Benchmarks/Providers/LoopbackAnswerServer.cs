using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Axon.Benchmarks.Providers;

/// <summary>
/// Minimal keep-alive HTTP/1.1 server on 127.0.0.1 (random port) answering every POST with a fixed JSON
/// body chosen by path, so the benchmark measures client cost rather than server work.
/// </summary>
internal sealed class LoopbackAnswerServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, string> _answerFor;
    private readonly CancellationTokenSource _stop = new();

    public LoopbackAnswerServer(Func<string, string> answerFor)
    {
        _answerFor = answerFor;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    private async Task AcceptAsync()
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
            socket.NoDelay = true;
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var s = socket;
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                int headerEnd;
                while ((headerEnd = IndexOf(buffer, filled, "\r\n\r\n"u8)) < 0)
                {
                    var n = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                    if (n == 0)
                        return;
                    filled += n;
                }
                var head = Encoding.ASCII.GetString(buffer, 0, headerEnd);
                var path = head.Split(' ', 3)[1];
                var length = 0;
                foreach (var line in head.Split("\r\n"))
                    if (line.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase))
                        length = int.Parse(line.AsSpan(15).Trim());
                var total = headerEnd + 4 + length;
                while (filled < total)
                {
                    var n = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                    if (n == 0)
                        return;
                    filled += n;
                }
                Buffer.BlockCopy(buffer, total, buffer, 0, filled - total);
                filled -= total;

                var body = Encoding.UTF8.GetBytes(_answerFor(path));
                var response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
                await socket.SendAsync(response.Concat(body).ToArray(), _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static int IndexOf(byte[] buffer, int count, ReadOnlySpan<byte> value) => buffer.AsSpan(0, count).IndexOf(value);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
