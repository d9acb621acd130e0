using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace ActorStore.Cli;

/// <summary>
/// HttpClient over one node's REST gateway. Never throws for the network or the server: every outcome is a
/// <see cref="GatewayResult"/>, so the command layer has one place that turns failures into a line and an exit code.
/// </summary>
public sealed class GatewayClient : IDisposable
{
    private const int MaxDetailLength = 300;
    private readonly HttpClient _http;
    private readonly NodeAddress _node;
    private readonly TimeSpan _timeout;

    /// <param name="token">The gateway's API token, sent as a bearer token (null: none).</param>
    public GatewayClient(NodeAddress node, TimeSpan timeout, string? token = null)
    {
        _node = node;
        _timeout = timeout;
        _http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = timeout };
        _http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        _http.DefaultRequestHeaders.Accept.ParseAdd("application/problem+json");
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("pbm/1.0");
        if (token is not null) _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    }

    public async Task<GatewayResult> SendAsync(Call call, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(call.Method, call.Path);
        if (call.Body is { } body) request.Content = JsonContent.Create(body, body.GetType(), options: Json.Options);
        try
        {
            using var response = await _http.SendAsync(request, cancellation);
            var text = await response.Content.ReadAsStringAsync(cancellation);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? GatewayResult.Success(status, text)
                : GatewayResult.Refused(status, ProblemDetail(text, response.ReasonPhrase));
        }
        catch (HttpRequestException e)
        {
            return GatewayResult.Unreachable(_node, Reason(e));
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return GatewayResult.Unreachable(_node, $"no answer within {_timeout.TotalSeconds:0.#} s; see --timeout");
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The detail of an RFC 7807 problem, else its title, else what little the response says.</summary>
    private static string ProblemDetail(string body, string? reasonPhrase)
    {
        var text = TryReadProblem(body) ?? (body.TrimStart().StartsWith('<') ? null : body) ?? "";
        text = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (text.Length == 0) text = string.IsNullOrEmpty(reasonPhrase) ? "the request failed" : reasonPhrase;
        return text.Length > MaxDetailLength ? text[..MaxDetailLength] + "…" : text;
    }

    private static string? TryReadProblem(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            foreach (var field in (string[])["detail", "title"])
            {
                if (document.RootElement.TryGetProperty(field, out var value)
                    && value.ValueKind == JsonValueKind.String
                    && value.GetString() is { Length: > 0 } text)
                    return text;
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Reason(HttpRequestException e)
    {
        if (e.InnerException is SocketException socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "unknown host",
                SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
                SocketError.TimedOut => "timed out",
                _ => socket.Message.ToLowerInvariant(),
            };
        }

        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "unknown host",
            HttpRequestError.ResponseEnded => "the connection closed before an answer",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            _ => e.Message.TrimEnd('.'),
        };
    }
}
