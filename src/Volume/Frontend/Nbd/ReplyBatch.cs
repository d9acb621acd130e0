namespace ActorStore.Volume.Frontend.Nbd;

/// <summary>
/// Replies queued for one gathered send: a run of pieces, each either a range of the reused arena
/// (headers, small replies) or a READ payload referenced in its request's buffer. Pieces hold arena
/// offsets, not arrays, so the arena may grow while it fills.
/// </summary>
internal sealed class ReplyBatch
{
    private const int InitialArena = 64 * 1024;

    private byte[] _arena = new byte[InitialArena];
    private int _arenaUsed;
    private readonly List<Piece> _pieces = new(64);

    /// <summary>One piece of the stream: arena bytes when <see cref="Payload"/> is null, else a payload and the request that owns it.</summary>
    public readonly record struct Piece(int Start, int Length, byte[]? Payload, NbdRequestWork? Owner);

    public bool IsEmpty => _pieces.Count == 0;

    public int ArenaBytes => _arenaUsed;

    public int Count => _pieces.Count;

    public Piece this[int index] => _pieces[index];

    /// <summary>The bytes of <paramref name="piece"/>, valid until the batch is cleared.</summary>
    public ArraySegment<byte> Bytes(in Piece piece) =>
        new(piece.Payload ?? _arena, piece.Start, piece.Length);

    public Span<byte> GetSpan(int sizeHint) => GetMemory(sizeHint).Span;

    public Memory<byte> GetMemory(int sizeHint)
    {
        int need = Math.Max(sizeHint, 1);
        if (_arena.Length - _arenaUsed < need)
        {
            // Rare: a batch bigger than any before on this connection. The arena stays this size.
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaUsed + need));
        }

        return _arena.AsMemory(_arenaUsed);
    }

    public void Advance(int count)
    {
        if (count <= 0)
        {
            return;
        }

        int last = _pieces.Count - 1;
        if (last >= 0 && _pieces[last].Payload is null && _pieces[last].Start + _pieces[last].Length == _arenaUsed)
        {
            _pieces[last] = _pieces[last] with { Length = _pieces[last].Length + count };
        }
        else
        {
            _pieces.Add(new Piece(_arenaUsed, count, null, null));
        }

        _arenaUsed += count;
    }

    public void AppendPayload(ArraySegment<byte> payload, NbdRequestWork owner) =>
        _pieces.Add(new Piece(payload.Offset, payload.Count, payload.Array, owner));

    public void Clear()
    {
        _pieces.Clear();
        _arenaUsed = 0;
    }
}
