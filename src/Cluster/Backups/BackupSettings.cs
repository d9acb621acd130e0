using ActorStore.Backup;
using ActorStore.Volume;
using Akka.Configuration;

namespace ActorStore.Cluster.Backups;

/// <summary>The node's backup settings (<c>actorstore.backup</c>); <see cref="Create"/> fails naming the bad key.</summary>
public sealed record BackupSettings(BackupStoreOptions Store, TimeSpan Silence, TimeSpan StandbyPoll)
{
    public static BackupSettings Create(Config config)
    {
        var compression = Settings.String(config, "actorstore.backup.compression") switch
        {
            "lz4" => Compression.Lz4,
            "zstd" => Compression.Zstd,
            "none" => Compression.None,
            var other => throw Settings.Bad("actorstore.backup.compression", $"'{other}' must be lz4, zstd or none"),
        };
        return new BackupSettings(
            new BackupStoreOptions
            {
                Parallelism = (int)Settings.Long(config, "actorstore.backup.parallelism", 1, 64),
                Compression = compression,
                LeaseTime = Settings.Duration(config, "actorstore.backup.lease-time"),
            },
            Settings.Duration(config, "actorstore.backup.silence"),
            Settings.Duration(config, "actorstore.backup.standby-poll"));
    }
}
