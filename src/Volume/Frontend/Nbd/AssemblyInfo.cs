[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("ActorStore.Volume.Tests")]
