using System.Globalization;

namespace ActorStore.Blocks.Tests.Model;

public enum OpKind { Write, Zero, Trim, Snapshot, Delete, Purge, Revert, Expand, Flush, Reopen, Rebuilding }

/// <summary>
/// One step of a random operation sequence, applied alike to a <see cref="Replica"/> and to the
/// <see cref="ChainModel"/>. It prints as one line and parses back, so the SIGKILL worker can report
/// what it is doing. Write data comes from <see cref="DataSeed"/>, so both sides make the same bytes.
/// </summary>
public sealed record Operation(OpKind Kind, long Offset = 0, long Length = 0, int DataSeed = 0, string Name = "", bool Allocate = false)
{
    public byte[] Data()
    {
        var data = new byte[Length];
        new Random(DataSeed).NextBytes(data);
        return data;
    }

    public ReplicaStatus Apply(Replica replica) => Kind switch
    {
        OpKind.Write => replica.Write(Offset, Data()),
        OpKind.Zero => replica.WriteZeroes(Offset, Length, Allocate),
        OpKind.Trim => replica.Trim(Offset, Length),
        OpKind.Snapshot => replica.Snapshot(Name),
        OpKind.Delete => replica.DeleteSnapshot(Name),
        OpKind.Purge => replica.Purge(),
        OpKind.Revert => replica.Revert(Name),
        OpKind.Expand => replica.Expand(Length),
        OpKind.Flush => replica.Flush(),
        OpKind.Rebuilding => replica.SetRebuilding(Allocate),
        _ => throw new InvalidOperationException($"{Kind} is applied by the harness"),
    };

    public override string ToString() =>
        string.Join(' ', Kind, Offset.ToString(CultureInfo.InvariantCulture), Length.ToString(CultureInfo.InvariantCulture), DataSeed.ToString(CultureInfo.InvariantCulture), Name.Length == 0 ? "-" : Name, Allocate ? "1" : "0");

    public static Operation Parse(string line)
    {
        var p = line.Split(' ');
        return new Operation(Enum.Parse<OpKind>(p[0]), long.Parse(p[1], CultureInfo.InvariantCulture), long.Parse(p[2], CultureInfo.InvariantCulture),
            int.Parse(p[3], CultureInfo.InvariantCulture), p[4] == "-" ? "" : p[4], p[5] == "1");
    }
}
