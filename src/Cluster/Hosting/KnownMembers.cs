using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorStore.Cluster.Hosting;

/// <summary>
/// The other cluster members this node last saw up, kept in <c>DATA/cluster-members</c>, one address a line. A node that
/// has been in a cluster joins it again through them when it restarts, also when it was started without seeds (it founded
/// the cluster): with itself first in the list Akka forms a new cluster only if none of them answers within
/// <c>akka.cluster.seed-node-timeout</c>. Without this, a founding node that restarted formed a second cluster beside the
/// one still running, both on the same journal and the same replicas.
/// </summary>
public sealed class KnownMembers : ReceiveActor
{
    public const string FileName = "cluster-members";
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly string _path;
    private readonly SortedSet<string> _up = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private Task _writing = Task.CompletedTask;

    public KnownMembers(string dataDir)
    {
        _path = Path.Combine(dataDir, FileName);
        Receive<ClusterEvent.MemberUp>(u => Change(u.Member, up: true));
        Receive<ClusterEvent.MemberRemoved>(r => Change(r.Member, up: false));
    }

    public static Props Props(string dataDir) => Akka.Actor.Props.Create(() => new KnownMembers(dataDir));

    /// <summary>Where to join: the configured seeds and the members last seen; with no seeds, this node first, so it may found the cluster.</summary>
    public static IReadOnlyList<Address> JoinTargets(Address self, IEnumerable<string> seeds, string dataDir)
    {
        var configured = seeds.Select(Address.Parse).ToList();
        var known = Load(dataDir).Where(a => a != self && !configured.Contains(a));
        return configured.Count > 0 ? [.. configured, .. known] : [self, .. known];
    }

    private static IEnumerable<Address> Load(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (!File.Exists(path)) yield break;
        // A line that is not an address (written by hand) is passed over: the others still serve.
        foreach (var line in File.ReadAllLines(path))
            if (TryParse(line.Trim()) is { } address) yield return address;
    }

    /// <summary>A node's remote address (akka.tcp://actorstore@HOST:PORT), or null when the text is not one.</summary>
    public static Address? TryParse(string text)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : Address.Parse(text);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return null;
        }
    }

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Change(Member member, bool up)
    {
        if (member.Address == _cluster.SelfAddress) return;
        var changed = up ? _up.Add(member.Address.ToString()) : _up.Remove(member.Address.ToString());
        if (!changed) return;
        // Written off the actor's thread, one write after another, each whole (a rename) so a crash leaves the old list or the new.
        var text = string.Concat(_up.Select(a => a + "\n"));
        var (path, log) = (_path, _log);
        _writing = _writing.ContinueWith(_ =>
        {
            try
            {
                File.WriteAllText(path + ".tmp", text);
                File.Move(path + ".tmp", path, overwrite: true);
            }
            catch (IOException e)
            {
                log.Warning("Could not record the cluster's members in {0}: {1}", path, e.Message);
            }
        }, TaskScheduler.Default);
    }
}
