using ActorStore.EndToEnd.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace ActorStore.EndToEnd.Tests.Clients;

/// <summary>Replicas on the node reached in-process (no socket, no copy).</summary>
[Collection(SharedNodeCollection.Name)]
public sealed class RealClientsInProcessTests(SharedNodeFixture fixture, ITestOutputHelper output) : RealClientTests(fixture, output);
