using System.Net;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorStore.Cluster.Api;

/// <summary>
/// Builds the REST gateway (DESIGN §8): an ASP.NET Core minimal API on Kestrel, hosted inside the node
/// process, that validates requests, asks actors and answers the shapes in <c>Api/Contracts</c>.
/// </summary>
public static class Gateway
{
    /// <summary>A configured, not yet started application bound to <paramref name="options"/>' address. <see cref="GatewayHost"/> starts it.</summary>
    public static WebApplication Build(GatewayTargets targets, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        targets.Validate();
        var address = ParseHost(options.Host);
        if (options.Port is < 0 or > 65535) throw new ArgumentException($"gateway port must be 0..65535, got {options.Port}");

        // Slim: Kestrel and routing only. No command line: the node owns its arguments.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(Gateway).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, options.Port);
            kestrel.Limits.MaxRequestBodySize = Problems.MaxBodyBytes;
        });
        // Warnings and errors only: a log line per request would drown the node's own log.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // The node, not ASP.NET, decides when the process stops (Akka's CoordinatedShutdown on SIGTERM).
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();

        builder.Services.AddSingleton(targets);
        builder.Services.AddSingleton<ActorAsks>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        // Binding failures must surface as problem details with a useful detail, not as empty 400s:
        // throw them, and let GatewayExceptionHandler write the problem.
        builder.Services.Configure<RouteHandlerOptions>(route => route.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<GatewayExceptionHandler>();
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "ActorStore gateway";
            document.Info.Description = "Volumes, snapshots, nodes, disks and cluster membership. Errors are RFC 7807 problem details.";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseExceptionHandler();
        if (options.Token is { Length: > 0 } token) app.Use(new BearerToken(token).InvokeAsync);
        // Responses the framework ends without a body (unknown route, wrong method) become problems too.
        app.UseStatusCodePages(context => Problems.ForStatus(context.HttpContext.Response.StatusCode, context.HttpContext.Request).ExecuteAsync(context.HttpContext));
        app.MapOpenApi().WithName("OpenApiDocument").ExcludeFromDescription();
        app.MapClusterEndpoints();
        app.MapVolumeEndpoints();
        app.MapSnapshotEndpoints();
        app.MapNodeEndpoints();
        app.MapHealingEndpoints();
        app.MapBackupEndpoints();
        app.MapJobEndpoints();
        return app;
    }

    private static IPAddress ParseHost(string host) =>
        host switch
        {
            "*" or "+" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(host, out var ip) => ip,
            _ => throw new ArgumentException($"gateway host must be an IP address such as 127.0.0.1, 0.0.0.0 or ::, got '{host}'"),
        };

    /// <summary>Lets the node's lifetime rule: ASP.NET's console lifetime would take SIGTERM and Ctrl+C for itself.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
