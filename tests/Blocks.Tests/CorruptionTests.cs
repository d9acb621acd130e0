using ActorStore.Blocks.Devices;
using ActorStore.Tests.Shared;
using Xunit;

namespace ActorStore.Blocks.Tests;

/// <summary>States no crash can leave are reported as corrupt, never repaired, and opening leaves the files as they were.</summary>
public sealed class CorruptionTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly IFileSystem _fs = LinuxFileSystem.Instance;
    private readonly string _dir;

    public CorruptionTests()
    {
        _dir = _temp.Sub("r");
        Assert.Equal(ReplicaStatus.Ok, Replica.Create(_fs, _dir, new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 1 << 20, out var r));
        Assert.Equal(ReplicaStatus.Ok, r!.Write(0, new byte[] { 1 }));
        Assert.Equal(ReplicaStatus.Ok, r.Snapshot("one"));
        r.Dispose();
    }

    public void Dispose() => _temp.Dispose();

    private void AssertCorrupt(string because)
    {
        var before = Fingerprint.Of(_fs, _dir);
        var e = Assert.Throws<ReplicaCorruptException>(() => Replica.Open(_fs, _dir, out _));
        Assert.Contains(because, e.Message);
        Assert.Equal(before, Fingerprint.Of(_fs, _dir));
    }

    private string PathOf(string file) => Path.Combine(_dir, file);

    [Fact]
    public void A_flipped_byte_in_volume_meta_fails_its_checksum()
    {
        var text = File.ReadAllText(PathOf("volume.meta"));
        File.WriteAllText(PathOf("volume.meta"), text.Replace("\"epoch\":1", "\"epoch\":2"));
        AssertCorrupt("checksum");
    }

    [Fact]
    public void A_flipped_byte_in_a_layer_meta_fails_its_checksum()
    {
        var text = File.ReadAllText(PathOf("volume-snap-one.img.meta"));
        File.WriteAllText(PathOf("volume-snap-one.img.meta"), text.Replace("\"userCreated\":true", "\"userCreated\":false"));
        AssertCorrupt("checksum");
    }

    [Fact]
    public void A_missing_layer_meta_is_corrupt()
    {
        File.Delete(PathOf("volume-snap-one.img.meta"));
        AssertCorrupt("missing");
    }

    [Fact]
    public void A_missing_layer_image_is_corrupt()
    {
        File.Delete(PathOf("volume-snap-one.img"));
        AssertCorrupt("missing");
    }

    [Fact]
    public void A_missing_volume_meta_is_corrupt_when_layers_remain()
    {
        File.Delete(PathOf("volume.meta"));
        AssertCorrupt("volume.meta is missing");
        Assert.Throws<ReplicaCorruptException>(() => Replica.Create(_fs, _dir, new ReplicaIdentity(Guid.NewGuid(), "r1", 1), 1 << 20, out _));
    }

    [Fact]
    public void Garbage_and_an_unknown_format_are_corrupt()
    {
        File.WriteAllText(PathOf("volume.meta"), "not json at all");
        AssertCorrupt("not valid metadata");
        File.WriteAllText(PathOf("volume.meta"), "{\"format\":99,\"crc32c\":\"0\",\"body\":{}}");
        AssertCorrupt("format 99");
    }

    [Fact]
    public void A_dirty_log_with_no_valid_header_is_corrupt()
    {
        using (var f = File.OpenWrite(PathOf("dirty.log"))) f.Write(new byte[8192]);
        AssertCorrupt("dirty.log");
    }

    [Fact]
    public void Leftovers_of_an_interrupted_operation_are_removed_not_reported()
    {
        File.WriteAllText(PathOf("volume.meta.tmp"), "half");
        File.WriteAllText(PathOf("volume-head-099.img"), "");
        File.WriteAllText(PathOf("volume-snap-ghost.img.meta"), "half");
        Assert.Equal(ReplicaStatus.Ok, Replica.Open(_fs, _dir, out var r));
        r!.Dispose();
        Assert.False(File.Exists(PathOf("volume.meta.tmp")));
        Assert.False(File.Exists(PathOf("volume-head-099.img")));
        Assert.False(File.Exists(PathOf("volume-snap-ghost.img.meta")));
    }

    [Fact]
    public void An_empty_directory_holds_no_replica()
    {
        Directory.CreateDirectory(_temp.Sub("empty"));
        Assert.Equal(ReplicaStatus.NotFound, Replica.Open(_fs, _temp.Sub("empty"), out _));
        Assert.Equal(ReplicaStatus.NotFound, Replica.Open(_fs, _temp.Sub("absent"), out _));
    }
}
