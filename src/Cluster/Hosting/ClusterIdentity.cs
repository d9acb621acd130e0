namespace ActorStore.Cluster.Hosting;

/// <summary>
/// The cluster id this node belongs to, kept in its data directory (created on first start). Shown by
/// <c>GET /cluster</c>; a later issue stores it in the journal so a node refuses a foreign journal (DESIGN §6).
/// </summary>
public static class ClusterIdentity
{
    public static string Read(string dataDir)
    {
        var path = Path.Combine(dataDir, "cluster.id");
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var id = Guid.NewGuid().ToString("N")[..12];
        File.WriteAllText(path, id);
        return id;
    }
}
