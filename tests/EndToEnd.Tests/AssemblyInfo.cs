// The end-to-end tests drive Linux tools (libnbd, qemu, fio, FUSE, loop devices) and Linux signals.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Crash tests, the shared node and PostgreSQL are heavy on 2 cores; collections run one at a time so
// timeouts measure the node, not contention between test classes.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
