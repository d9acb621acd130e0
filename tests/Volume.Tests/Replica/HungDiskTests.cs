using ActorStore.Blocks;
using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using ActorStore.Volume.Engine;
using ActorStore.Volume.Io;
using ActorStore.Volume.Protocol;
using ActorStore.Volume.Replicas;
using ActorStore.Volume.Tests.Engine;
using Xunit;
using BlockReplica = ActorStore.Blocks.Replica;

namespace ActorStore.Volume.Tests.Replicas;

/// <summary>
/// Found by trying it: with the file system of a local replica frozen, every write waited as long as the
/// freeze lasted (the in-process path had no deadline). Now a local replica has the same deadline as a remote
/// one: past it the request answers TimedOut, the engine goes on with the other replicas, and the write the
/// disk held finishes with its own bytes once the disk lets it go.
/// </summary>
[Collection(Measured.Name)] // a frozen disk holds threads: not beside tests that count them
public sealed class HungDiskTests
{
    private static readonly ReplicaChannelOptions Short = new() { RequestTimeout = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task A_write_to_a_frozen_local_replica_times_out_and_lands_intact_after_the_thaw()
    {
        using var disk = new LoopDisk(128);
        Assert.Equal(ReplicaStatus.Ok, BlockReplica.Create(LinuxFileSystem.Instance, disk.Sub("r"), new ReplicaIdentity(Guid.NewGuid(), "r", 1), 16 << 20, out var replica));
        using (replica)
        {
            var (status, channel) = LocalReplicaChannel.Open(replica!, 1, Short);
            Assert.Equal(ReplicaStatus.Ok, status);
            var data = new byte[1 << 20];
            data.AsSpan().Fill(0x5c);
            Assert.Equal(ReplicaStatus.Ok, await channel!.WriteAsync(0, data));
            Assert.Equal(ReplicaStatus.Ok, await channel.FlushAsync());

            data.AsSpan().Fill(0x7d);
            disk.Freeze();
            try
            {
                var stuck = channel.WriteAsync(4 << 20, data).AsTask();
                Assert.Equal(ReplicaStatus.TimedOut, await stuck.WaitAsync(TimeSpan.FromSeconds(20)));
                Assert.True(AbandonedMemory.IsHeld(data), "the abandoned write still reads the caller's buffer: it must stay held");
                Assert.Equal(ReplicaStatus.TimedOut, await channel.FlushAsync()); // given up on for good
                Assert.False(channel.TryReadCached(0, new byte[4096]));
            }
            finally
            {
                disk.Thaw();
            }
            await Wait.UntilAsync(() => !AbandonedMemory.IsHeld(data), "the write the disk held to finish");
            var back = new byte[1 << 20];
            Assert.Equal(ReplicaStatus.Ok, replica!.Read(4 << 20, back));
            Assert.True(back.AsSpan().IndexOfAnyExcept((byte)0x7d) < 0, "the held write must land with its own bytes");
            await channel.DisposeAsync();
        }
    }

    /// <summary>Many requests in flight and queued when the disk freezes: every one is answered, none waits for the thaw.</summary>
    [Fact]
    public async Task Every_request_in_flight_or_queued_when_the_disk_freezes_is_answered_and_a_new_epoch_serves_after_the_thaw()
    {
        using var disk = new LoopDisk(128);
        Assert.Equal(ReplicaStatus.Ok, BlockReplica.Create(LinuxFileSystem.Instance, disk.Sub("r"), new ReplicaIdentity(Guid.NewGuid(), "r", 1), 16 << 20, out var replica));
        using (replica)
        {
            var (_, channel) = LocalReplicaChannel.Open(replica!, 1, Short);
            var buffers = Enumerable.Range(0, 64).Select(i => new byte[64 * 1024]).ToArray();
            for (var i = 0; i < buffers.Length; i++) buffers[i].AsSpan().Fill((byte)(i + 1));
            disk.Freeze();
            try
            {
                var pending = buffers.Select((b, i) => channel!.WriteAsync((long)i * b.Length, b).AsTask())
                    .Concat(Enumerable.Range(0, 8).Select(_ => channel!.FlushAsync().AsTask())).ToArray();
                var answers = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.All(answers, a => Assert.True(a is ReplicaStatus.TimedOut or ReplicaStatus.Ok, $"{a}"));
                Assert.Contains(ReplicaStatus.TimedOut, answers);
                Assert.Equal(ReplicaStatus.TimedOut, await channel!.WriteAsync(0, buffers[0]));
            }
            finally
            {
                disk.Thaw();
            }
            await Wait.UntilAsync(() => buffers.All(b => !AbandonedMemory.IsHeld(b)), "every write the disk held to be let go");
            var (status, fresh) = LocalReplicaChannel.Open(replica!, 2, Short);
            Assert.Equal(ReplicaStatus.Ok, status);
            Assert.Equal(ReplicaStatus.TimedOut, await channel!.WriteAsync(0, buffers[0])); // given up on for good
            Assert.Equal(ReplicaStatus.Ok, await fresh!.WriteAsync(0, buffers[5]));
            Assert.Equal(ReplicaStatus.Ok, await fresh.FlushAsync());
            var back = new byte[64 * 1024];
            Assert.Equal(ReplicaStatus.Ok, await fresh.ReadAsync(0, back));
            Assert.Equal(buffers[5], back);
            await fresh.DisposeAsync();
        }
    }

    /// <param name="deferred">As the NBD frontend calls the engine: the disk work runs on the caller's thread once it awaits (DeferredIo).</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task With_one_of_two_replicas_frozen_writes_and_flushes_go_on_and_only_the_frozen_one_fails(bool deferred)
    {
        using var frozen = new LoopDisk(128);
        using var healthy = new TempDirectory();
        var replicas = new List<BlockReplica>();
        try
        {
            var members = new List<ReplicaSetView.Member>();
            foreach (var (name, dir) in new[] { ("cold", frozen.Sub("r")), ("warm", healthy.Sub("r")) })
            {
                Assert.Equal(ReplicaStatus.Ok, BlockReplica.Create(LinuxFileSystem.Instance, dir, new ReplicaIdentity(Guid.NewGuid(), name, 1), 16 << 20, out var r));
                replicas.Add(r!);
                var (status, channel) = LocalReplicaChannel.Open(r!, 1, Short);
                Assert.Equal(ReplicaStatus.Ok, status);
                members.Add(new ReplicaSetView.Member(name, ReplicaMode.ReadWrite, channel!));
            }
            var sink = new FakeFailureSink();
            var io = new VolumeIo("v", 16 << 20, new ReplicaSetView(members), sink);
            sink.OnFail = failed => io.Publish(new ReplicaSetView(members.Where(m => failed.All(f => f.ReplicaId != m.ReplicaId)).ToList()));
            var data = new byte[64 * 1024];
            data.AsSpan().Fill(0x42);

            // Deferred, the caller's thread runs the disk work after it started waiting: it may be the thread the frozen disk holds.
            Task<IoStatus> Call(Func<ValueTask<IoStatus>> call)
            {
                if (!deferred) return call().AsTask();
                var answer = new TaskCompletionSource<Task<IoStatus>>();
                _ = Task.Run(() =>
                {
                    DeferredIo.Begin();
                    var pending = call();
                    DeferredIo.End();
                    answer.SetResult(pending.AsTask());
                    DeferredIo.RunPending();
                });
                return answer.Task.Unwrap();
            }

            frozen.Freeze();
            try
            {
                Assert.Equal(IoStatus.Ok, await Call(() => io.WriteAsync(0, data, fua: false)).WaitAsync(TimeSpan.FromSeconds(20)));
                Assert.Equal(IoStatus.Ok, await Call(() => io.FlushAsync()).WaitAsync(TimeSpan.FromSeconds(20)));
                Assert.Equal(IoStatus.Ok, await Call(() => io.WriteAsync(1 << 20, data, fua: true)).WaitAsync(TimeSpan.FromSeconds(20)));
                var failure = Assert.Single(sink.Failures);
                Assert.Equal(("cold", ReplicaStatus.TimedOut), (failure.ReplicaId, failure.Status));
                var back = new byte[64 * 1024];
                Assert.Equal(IoStatus.Ok, await io.ReadAsync(1 << 20, back));
                Assert.Equal(data, back);
            }
            finally
            {
                frozen.Thaw();
            }
        }
        finally
        {
            foreach (var r in replicas) r.Dispose();
        }
    }
}
