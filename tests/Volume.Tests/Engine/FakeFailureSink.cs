using System.Collections.Concurrent;
using ActorStore.Volume.Engine;

namespace ActorStore.Volume.Tests.Engine;

/// <summary>
/// Stands in for the volume actor: records failures and fencing, and (like the actor) publishes a view
/// without the failed replicas before it answers. The test decides the answer and when it comes.
/// </summary>
public sealed class FakeFailureSink : IReplicaFailureSink
{
    private readonly ConcurrentQueue<ReplicaFailure> _failures = new();
    private readonly ConcurrentQueue<string> _fenced = new();
    private readonly TaskCompletionSource _called = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<bool>? _hold;

    /// <summary>What FailAsync answers when it is not held: true = persisted.</summary>
    public bool Persisted { get; set; } = true;

    /// <summary>Called with each batch before FailAsync answers (the bed republishes the view here).</summary>
    public Action<IReadOnlyList<ReplicaFailure>>? OnFail { get; set; }

    public IReadOnlyList<ReplicaFailure> Failures => _failures.ToArray();

    public IReadOnlyList<string> FencedReplicas => _fenced.ToArray();

    public int FailCalls;

    /// <summary>Completes when FailAsync is first called.</summary>
    public Task Called => _called.Task;

    /// <summary>FailAsync waits for the returned source, which carries its answer.</summary>
    public TaskCompletionSource<bool> Hold() =>
        _hold = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<bool> FailAsync(IReadOnlyList<ReplicaFailure> failures)
    {
        Interlocked.Increment(ref FailCalls);
        foreach (var f in failures) _failures.Enqueue(f);
        OnFail?.Invoke(failures);
        _called.TrySetResult();
        return _hold is { } hold ? await hold.Task.ConfigureAwait(false) : Persisted;
    }

    public void Fenced(string replicaId, long epoch) => _fenced.Enqueue(replicaId);
}
