using ActorStore.Blocks.Devices;

namespace ActorStore.Blocks.Chain;

/// <summary>One layer file of the snapshot tree, open for I/O. <see cref="Id"/> is its read-index id, 0 when off the current chain.</summary>
internal sealed class Layer(string file, LayerMeta meta, IFileHandle handle)
{
    public string File { get; set; } = file;
    public LayerMeta Meta { get; set; } = meta;
    public IFileHandle Handle { get; set; } = handle;
    public byte Id { get; set; }
    public bool IsHead => Meta.Name is null;

    /// <summary>The data extents of this layer that lie inside a volume of <paramref name="volumeSize"/> bytes.</summary>
    public void DataExtents(long volumeSize, List<BlockExtent> into) => Handle.GetDataExtents(0, Math.Min(volumeSize, Handle.Length), into);
}
