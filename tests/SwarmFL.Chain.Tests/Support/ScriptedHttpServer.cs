using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SwarmFL.Chain.Tests.Support;

/// <summary>What the scripted server does with one request: answer with a status and body, hang, or drop the connection.</summary>
public abstract record ScriptedReply
{
    public sealed record Answer(int Status, string Body) : ScriptedReply;
    public sealed record Hang : ScriptedReply;
    public sealed record Drop : ScriptedReply;
}

/// <summary>
/// A tiny HTTP/1.1 server on a loopback TcpListener that replies to each request as the test scripts it, so the RPC
/// client can be fed malformed JSON, HTTP errors, dropped connections and silence over a real socket.
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, string, ScriptedReply> _reply;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    /// <param name="reply">Given the request number (from 1) and its body.</param>
    public ScriptedHttpServer(Func<int, string, ScriptedReply> reply)
    {
        _reply = reply;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
    public int Requests => Volatile.Read(ref _requests);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        try
        {
            while (true)
            {
                var body = await ReadRequestAsync(stream);
                if (body is null) return;
                var reply = _reply(Interlocked.Increment(ref _requests), body);
                switch (reply)
                {
                    case ScriptedReply.Drop:
                        client.Client.LingerState = new LingerOption(true, 0);
                        return;
                    case ScriptedReply.Hang:
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                        return;
                    case ScriptedReply.Answer answer:
                        var payload = Encoding.UTF8.GetBytes(answer.Body);
                        var head = $"HTTP/1.1 {answer.Status} Scripted\r\nContent-Type: application/json\r\nContent-Length: {payload.Length}\r\n\r\n";
                        await stream.WriteAsync((byte[])[.. Encoding.ASCII.GetBytes(head), .. payload]);
                        break;
                }
            }
        }
        catch (Exception)
        {
            // The client went away or the server stopped.
        }
    }

    private static async Task<string?> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(buffer))
        {
            if (await stream.ReadAsync(one) == 0) return null;
            buffer.Add(one[0]);
        }
        var headers = Encoding.ASCII.GetString(buffer.ToArray());
        var length = headers.Split("\r\n")
            .Where(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(h => int.Parse(h["Content-Length:".Length..].Trim())).FirstOrDefault();
        var body = new byte[length];
        await stream.ReadExactlyAsync(body);
        return Encoding.UTF8.GetString(body);
    }

    private static bool EndsWithBlankLine(List<byte> b) =>
        b.Count >= 4 && b[^4] == '\r' && b[^3] == '\n' && b[^2] == '\r' && b[^1] == '\n';

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop;
    }
}
