using System.Globalization;
using ActorStore.Cluster.Protocol;
using ActorStore.Volume.Protocol;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActorStore.Cluster.Api;

/// <summary>
/// The one place that turns failures into RFC 7807 problem details (STYLE: one place maps errors).
/// The detail is always text written for the caller (the actor's Detail, or ours); exception messages
/// and stack traces never reach a response.
/// </summary>
internal static class Problems
{
    public static int StatusOf(VolumeError error) => error switch
    {
        VolumeError.InvalidArgument => StatusCodes.Status400BadRequest,
        VolumeError.NotFound => StatusCodes.Status404NotFound,
        VolumeError.WrongState => StatusCodes.Status409Conflict,
        VolumeError.NoSpace => StatusCodes.Status507InsufficientStorage,
        VolumeError.Unavailable => StatusCodes.Status503ServiceUnavailable,
        VolumeError.NotImplemented => StatusCodes.Status501NotImplemented,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static string TitleOf(VolumeError error) => error switch
    {
        VolumeError.InvalidArgument => "Invalid argument",
        VolumeError.NotFound => "Not found",
        VolumeError.WrongState => "Wrong state",
        VolumeError.NoSpace => "No space",
        VolumeError.Unavailable => "Unavailable",
        VolumeError.NotImplemented => "Not implemented",
        _ => "Internal error",
    };

    /// <summary>Any answer an endpoint did not expect as success: refusals, timeouts, failures, surprises.</summary>
    public static ProblemHttpResult From(object answer) => answer switch
    {
        VolumeProtocol.Refused r => Of(r.Error, r.Detail),
        NodeProtocol.NodeRefused r => Of(r.Error, r.Detail),
        NoAnswer n => Timeout(n),
        Status.Failure => Problem(StatusCodes.Status500InternalServerError, "Internal error",
            "the actor failed while handling the request; the node's log has the cause", VolumeError.Internal),
        _ => Problem(StatusCodes.Status500InternalServerError, "Internal error",
            $"the gateway got an answer it does not know ({answer.GetType().Name}); this is a bug, please report it", VolumeError.Internal),
    };

    public static ProblemHttpResult Of(VolumeError error, string detail) => Problem(StatusOf(error), TitleOf(error), detail, error);

    public static ProblemHttpResult Invalid(string detail) => Of(VolumeError.InvalidArgument, detail);

    public static ProblemHttpResult Internal(string detail) => Of(VolumeError.Internal, detail);

    public static ProblemHttpResult Timeout(NoAnswer n) => Problem(StatusCodes.Status504GatewayTimeout, "Gateway timeout",
        $"{n.Who} did not answer within {Seconds(n.After)} s; it may be busy with a long operation; retry", VolumeError.Unavailable);

    /// <summary>For responses the framework produced without a body (unknown route, wrong method, …).</summary>
    public static ProblemHttpResult ForStatus(int status, HttpRequest request) => status switch
    {
        StatusCodes.Status404NotFound => Problem(status, "Not found",
            $"there is no route {request.Method} {request.Path}; /openapi/v1.json lists the routes", VolumeError.NotFound),
        StatusCodes.Status405MethodNotAllowed => Problem(status, "Method not allowed",
            $"{request.Path} does not take {request.Method}; /openapi/v1.json lists the methods of each route", VolumeError.InvalidArgument),
        StatusCodes.Status413PayloadTooLarge => TooLarge(),
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType(request),
        < 500 => Problem(status, "Bad request", "the request was refused; /openapi/v1.json describes what each route takes", VolumeError.InvalidArgument),
        _ => Problem(status, "Internal error", "the gateway failed to handle the request; the node's log has the cause", VolumeError.Internal),
    };

    /// <summary>The most a request body may hold: every route takes a small JSON object.</summary>
    public const long MaxBodyBytes = 1 << 20;

    public static ProblemHttpResult Unauthorized(HttpRequest request) => Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
        request.Headers.Authorization.Count == 0
            ? "this gateway needs its API token: send Authorization: Bearer TOKEN (pbm: --token TOKEN or PBM_TOKEN)"
            : "the API token is wrong: use the one in actorstore.api.token of this node's configuration", VolumeError.InvalidArgument);

    public static ProblemHttpResult TooLarge() => Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large",
        $"the request body is over the {MaxBodyBytes >> 20} MiB this gateway accepts; its routes take small JSON objects (/openapi/v1.json)", VolumeError.InvalidArgument);

    public static ProblemHttpResult UnsupportedMediaType(HttpRequest request) => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
        $"the body was sent as {(string.IsNullOrEmpty(request.ContentType) ? "no content type" : $"'{request.ContentType}'")}; send it as JSON with Content-Type: application/json",
        VolumeError.InvalidArgument);

    public static ProblemHttpResult Problem(int status, string title, string detail, VolumeError error) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title,
            extensions: new Dictionary<string, object?> { ["error"] = ErrorCode(error) });

    /// <summary>A stable machine-readable code beside the status, so clients need not parse titles.</summary>
    private static string ErrorCode(VolumeError error) => error switch
    {
        VolumeError.InvalidArgument => "invalid-argument",
        VolumeError.NotFound => "not-found",
        VolumeError.WrongState => "wrong-state",
        VolumeError.NoSpace => "no-space",
        VolumeError.Unavailable => "unavailable",
        VolumeError.NotImplemented => "not-implemented",
        _ => "internal",
    };

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
