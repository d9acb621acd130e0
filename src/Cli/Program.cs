return await ActorStore.Cli.Pbm.RunAsync(args, Console.Out, Console.Error);
