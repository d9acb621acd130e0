using Xunit;

namespace ActorStore.Cli.Tests;

public sealed class NodeAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:9500", "http://127.0.0.1:9500/", "127.0.0.1:9500")]
    [InlineData("node-2", "http://node-2:9500/", "node-2:9500")]
    [InlineData("node-2:80", "http://node-2/", "node-2:80")]
    [InlineData("http://10.0.0.5:7000", "http://10.0.0.5:7000/", "10.0.0.5:7000")]
    [InlineData("https://gw.example/actorstore/", "https://gw.example/actorstore/", "gw.example:443")]
    [InlineData("[::1]:9500", "http://[::1]:9500/", "[::1]:9500")]
    public void Parses(string text, string baseAddress, string display)
    {
        Assert.True(NodeAddress.TryParse(text, out var address, out var error), error);
        Assert.Equal(baseAddress, address.BaseAddress.ToString());
        Assert.Equal(display, address.Display);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ftp://host:21")]
    [InlineData("host:notaport")]
    [InlineData("http://host:9500/?x=1")]
    public void Rejects(string text)
    {
        Assert.False(NodeAddress.TryParse(text, out _, out var error));
        Assert.StartsWith("invalid node address", error);
    }
}
