using ActorStore.Cluster;

return await NodeProgram.RunAsync(args);
