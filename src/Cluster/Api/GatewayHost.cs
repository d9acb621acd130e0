using Akka;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ActorStore.Cluster.Api;

/// <summary>
/// A running gateway. <see cref="StartAsync"/> binds and starts it and registers its stop with the actor
/// system's CoordinatedShutdown (service-unbind: before the node leaves, no request reaches actors that are going away).
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private int _stopped;

    private GatewayHost(WebApplication app, Uri url)
    {
        App = app;
        Url = url;
    }

    public WebApplication App { get; }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:43817/</c> (the real port when 0 was asked for).</summary>
    public Uri Url { get; }

    public static async Task<GatewayHost> StartAsync(GatewayTargets targets, GatewayOptions options, CancellationToken cancellationToken = default)
    {
        var app = Gateway.Build(targets, options);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        var host = new GatewayHost(app, new Uri(addresses.First()));
        CoordinatedShutdown.Get(targets.System).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-rest-gateway", async () =>
        {
            await host.StopAsync();
            return Done.Instance;
        });
        return host;
    }

    /// <summary>Stops listening, lets requests in flight finish (up to the host's shutdown timeout), releases the port. Idempotent.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await App.StopAsync(cancellationToken);
        await App.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
