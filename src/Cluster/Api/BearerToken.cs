using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ActorStore.Cluster.Api;

/// <summary>
/// The gateway's optional bearer token (<c>actorstore.api.token</c>): when set, every request must carry
/// <c>Authorization: Bearer TOKEN</c>, else it is answered 401 with a problem that says how (pbm: --token or
/// PBM_TOKEN). Compared in constant time.
/// </summary>
internal sealed class BearerToken(string token)
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes("Bearer " + token);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var given = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
        if (CryptographicOperations.FixedTimeEquals(given, _expected))
        {
            await next(context);
            return;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.Unauthorized(context.Request).ExecuteAsync(context);
    }
}
