using System.CommandLine;
using ActorStore.Cli.Output;
using ActorStore.Cluster.Api.Contracts;

namespace ActorStore.Cli.Commands;

/// <summary>pbm cluster show | leave NODE | down NODE.</summary>
public static class ClusterCommands
{
    public static Command Create(CommandRunner run) => new("cluster", "The cluster's members")
    {
        Show(run),
        Member(run, "leave", "Ask NODE to leave the cluster gracefully", node => $"node {node} is leaving the cluster"),
        Member(run, "down", "Mark an unreachable NODE as down, so the cluster moves on without it", node => $"node {node} marked down"),
    };

    private static Command Show(CommandRunner run)
    {
        var command = new Command("show", "Show the cluster: its members and leader");
        command.SetAction(run.Show<ClusterInfo>(_ => Call.Get(Routes.Cluster), (_, cluster, terminal) => Views.Cluster(cluster, terminal)));
        return command;
    }

    private static Command Member(CommandRunner run, string action, string description, Func<string, string> done)
    {
        var node = Arguments.Name("NODE", "node", "The member's node id");
        var command = new Command(action, description) { node };
        command.SetAction(run.Do(
            parse => Call.Post(Routes.Member(parse.GetRequiredValue(node), action)),
            (parse, terminal) => terminal.Line(done(parse.GetRequiredValue(node)))));
        return command;
    }
}
