using ActorStore.Tests.Shared;
namespace ActorStore.EndToEnd.Tests.Harness;

/// <summary>
/// Seeded writes and checks of a byte range through nbdsh: what the durability tests write, flush and read
/// back. The bytes come from Python's <c>random.Random(seed)</c> in both directions, so nothing large is passed
/// between the test and the tool and the test only compares a printed verdict.
/// </summary>
public static class NbdData
{
    private const int Chunk = 1 << 20;

    /// <summary>Writes [offset, offset+length) with seeded bytes, then FLUSH; prints "flushed".</summary>
    public static async Task WriteAndFlushAsync(string uri, long offset, long length, int seed)
    {
        var result = (await NbdSh.RunAsync(uri, $"""
            import random
            r = random.Random({seed})
            for off in range({offset}, {offset + length}, {Chunk}):
                h.pwrite(r.randbytes(min({Chunk}, {offset + length} - off)), off)
            h.flush()
            print("flushed")
            """, TimeSpan.FromMinutes(2))).EnsureSuccess();
        if (!result.StdOut.Contains("flushed")) throw new ToolFailedException(result);
    }

    /// <summary>Reads the range and compares it with the seeded bytes; fails with the first bad offset.</summary>
    public static async Task VerifyAsync(string uri, long offset, long length, int seed)
    {
        var result = (await NbdSh.RunAsync(uri, $"""
            import random
            r = random.Random({seed})
            bad = None
            for off in range({offset}, {offset + length}, {Chunk}):
                n = min({Chunk}, {offset + length} - off)
                if h.pread(n, off) != r.randbytes(n) and bad is None:
                    bad = off
            print("match" if bad is None else "mismatch in the MiB at %d" % bad)
            """, TimeSpan.FromMinutes(2))).EnsureSuccess();
        if (!result.StdOut.Contains("match") || result.StdOut.Contains("mismatch"))
            throw new Xunit.Sdk.XunitException($"{uri} [{offset}, +{length}) does not hold seed {seed}'s bytes: {result.StdOut.Trim()}");
    }

    /// <summary>
    /// Starts a writer that overwrites the range with random bytes forever, never flushing; prints "writing"
    /// after its first MiB so the test knows I/O is in flight before it kills the node.
    /// </summary>
    public static RunningTool StartEndlessWriter(string uri, long offset, long length) =>
        Tool.Start("nbdsh", ["-u", uri, "-c", $$"""
            import os, sys
            first = True
            while True:
                for off in range({{offset}}, {{offset + length}}, 65536):
                    h.pwrite(os.urandom(65536), off)
                    if first:
                        print("writing"); sys.stdout.flush(); first = False
            """], Tool.DebianPythonFirst);
}
