namespace ActorStore.Cli;

/// <summary>One request to the gateway: method, route (see <see cref="Routes"/>) and the JSON body, if any.</summary>
public sealed record Call(HttpMethod Method, string Path, object? Body = null)
{
    public static Call Get(string path) => new(HttpMethod.Get, path);

    public static Call Post(string path, object? body = null) => new(HttpMethod.Post, path, body);

    public static Call Put(string path, object? body = null) => new(HttpMethod.Put, path, body);

    public static Call Delete(string path) => new(HttpMethod.Delete, path);
}
