using System.Diagnostics;

namespace ActorStore.Blocks.Bench;

/// <summary>One I/O pattern run by a fixed number of threads for a fixed time; the result is operations per second.</summary>
internal sealed record Workload(string Name, int BlockBytes, bool Write, bool Sequential)
{
    public static readonly Workload[] All =
    [
        new("4k-randwrite", 4096, Write: true, Sequential: false),
        new("4k-randread", 4096, Write: false, Sequential: false),
        new("1m-seqwrite", 1 << 20, Write: true, Sequential: true),
        new("1m-seqread", 1 << 20, Write: false, Sequential: true),
    ];

    public double Run(IBlockTarget target, long size, int threads, TimeSpan duration, int seed)
    {
        var counts = new long[threads];
        var stop = 0;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var buffer = new byte[BlockBytes];
            new Random(seed + t).NextBytes(buffer);
            var rng = new Random(seed * 31 + t);
            // Sequential threads each walk their own quarter of the volume.
            var span = size / threads / BlockBytes * BlockBytes;
            var position = t * span;
            long n = 0;
            while (Volatile.Read(ref stop) == 0)
            {
                long offset;
                if (Sequential)
                {
                    offset = position;
                    position += BlockBytes;
                    if (position + BlockBytes > (t + 1) * span) position = t * span;
                }
                else offset = rng.NextInt64(0, size / BlockBytes) * BlockBytes;
                if (Write) target.Write(offset, buffer);
                else target.Read(offset, buffer);
                n++;
            }
            counts[t] = n;
        })).ToList();
        var clock = Stopwatch.StartNew();
        workers.ForEach(w => w.Start());
        Thread.Sleep(duration);
        Volatile.Write(ref stop, 1);
        workers.ForEach(w => w.Join());
        return counts.Sum() / clock.Elapsed.TotalSeconds;
    }
}
