using System.Runtime.CompilerServices;

// The wire codec is internal (only the channels and the server speak it); the tests build raw and
// malformed frames with it.
[assembly: InternalsVisibleTo("ActorStore.Volume.Tests")]
