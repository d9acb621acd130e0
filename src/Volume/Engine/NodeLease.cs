using System.Diagnostics;

namespace ActorStore.Volume.Engine;

/// <summary>
/// This node's right to serve I/O (DESIGN §2 fencing): valid for a while after the node last heard a majority
/// of the cluster, renewed about every second by the node's lease keeper. A node that was frozen (SIGSTOP) or
/// cut off finds its lease expired when it runs again, before it could learn that the cluster downed it and
/// attached its volumes elsewhere: its engines then serve nothing, not one write lands, and its NBD clients
/// get errors. The lease is shorter than the time the cluster needs to down a node that stops answering
/// (checked at start), so an engine whose lease is valid has not been replaced yet. One read of the clock
/// per request; <see cref="Unlimited"/> for a process that is not part of a cluster (tests, benchmarks).
/// </summary>
public sealed class NodeLease
{
    private readonly long _durationTicks;
    private long _validUntil;

    public NodeLease(TimeSpan duration)
    {
        Duration = duration;
        _durationTicks = (long)(duration.TotalSeconds * Stopwatch.Frequency);
        _validUntil = Stopwatch.GetTimestamp() + _durationTicks;
    }

    public static NodeLease Unlimited { get; } = new(TimeSpan.FromDays(36500));

    public TimeSpan Duration { get; }

    public bool IsValid => Stopwatch.GetTimestamp() < Volatile.Read(ref _validUntil);

    /// <summary>A majority answered a round that began at <paramref name="startedAt"/> (a Stopwatch timestamp): valid until one lease after that.</summary>
    public void Renew(long startedAt)
    {
        var until = startedAt + _durationTicks;
        long seen;
        do
        {
            seen = Volatile.Read(ref _validUntil);
            if (until <= seen) return;
        }
        while (Interlocked.CompareExchange(ref _validUntil, until, seen) != seen);
    }

    /// <summary>Waits (polling) for the lease to be valid again, at most <paramref name="timeout"/>; false if it is not.</summary>
    public async ValueTask<bool> WaitValidAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!IsValid)
        {
            if (Stopwatch.GetTimestamp() >= deadline) return false;
            await Task.Delay(20).ConfigureAwait(false);
        }
        return true;
    }
}
