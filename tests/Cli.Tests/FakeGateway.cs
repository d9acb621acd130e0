using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorStore.Cli.Tests;

/// <summary>
/// A tiny HTTP server on 127.0.0.1 standing in for a node's REST gateway: it records every request and answers
/// with whatever <see cref="Respond"/> says.
/// </summary>
public sealed class FakeGateway : IAsyncDisposable
{
    public sealed record Request(string Method, string Path, string Body, string? ContentType, string? Authorization = null);

    public sealed record Reply(int Status, string Body = "", string ContentType = "application/json", TimeSpan Delay = default);

    private readonly HttpListener _listener;
    private readonly Task _loop;

    private FakeGateway(HttpListener listener, int port)
    {
        _listener = listener;
        Port = port;
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>HOST:PORT, as given to --node.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public ConcurrentQueue<Request> Requests { get; } = new();

    public Func<Request, Reply> Respond { get; set; } = _ => new Reply(200, "{}");

    public static FakeGateway Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new FakeGateway(listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>A port nothing listens on (it was free a moment ago).</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var request = new Request(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, body, context.Request.ContentType, context.Request.Headers["Authorization"]);
        Requests.Enqueue(request);
        var reply = Respond(request);
        try
        {
            if (reply.Delay > TimeSpan.Zero) await Task.Delay(reply.Delay);
            context.Response.StatusCode = reply.Status;
            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            if (bytes.Length > 0) context.Response.ContentType = reply.ContentType;
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
            // the client gave up (timeout tests)
        }
    }
}
