using System.Text.Json;
using ActorStore.Volume.Protocol;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace ActorStore.Cluster.Api;

/// <summary>
/// Turns what escapes an endpoint into a problem: request-binding failures become 400/415 with what to
/// send instead; anything else is a bug, logged here with its stack and answered as a bare 500.
/// </summary>
internal sealed class GatewayExceptionHandler(ILogger<GatewayExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => Problems.Invalid(
                $"the body is not valid JSON for this route ({Where(json)}); /openapi/v1.json describes what it takes"),
            BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } => Problems.UnsupportedMediaType(httpContext.Request),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Problems.TooLarge(),
            BadHttpRequestException when httpContext.Request.ContentLength is 0 or null => Problems.Invalid(
                "this route needs a JSON body; /openapi/v1.json describes it"),
            BadHttpRequestException bad => Problems.Problem(bad.StatusCode, "Bad request",
                "the request could not be read; /openapi/v1.json describes what each route takes", VolumeError.InvalidArgument),
            _ => null,
        };
        if (problem is null)
        {
            log.LogError(exception, "The gateway failed on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = Problems.Internal("the gateway failed to handle the request; the node's log has the cause");
        }
        await problem.ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>Where the JSON went wrong, from the exception's structured fields (its message is not for callers).</summary>
    private static string Where(JsonException json) =>
        $"at {json.Path ?? "$"}" + (json.LineNumber is { } line ? $", line {line + 1}" : "") + (json.BytePositionInLine is { } pos ? $", byte {pos + 1}" : "");
}
