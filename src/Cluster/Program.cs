using ActorStore.Cluster.Hosting;

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}
var (config, error) = CommandLine.Parse(args);
if (config is null)
{
    Console.Error.WriteLine($"actorstore-node: {error}");
    return 2;
}
return await NodeHost.RunAsync(config);
