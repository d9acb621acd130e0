using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Clients;

/// <summary>Every replica reached through its TCP data endpoint (<c>--force-socket</c>).</summary>
[Collection(SocketNodeCollection.Name)]
public sealed class RealClientsSocketTests(SocketNodeFixture fixture, ITestOutputHelper output) : RealClientTests(fixture, output);
