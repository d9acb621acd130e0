// pbm: the operator's command line (DESIGN §8). The REST gateway it talks to lands with the volume
// service; until then it says so and exits non-zero rather than pretending.
Console.Error.WriteLine("pbm: no gateway yet: the node's REST API arrives with the volume service. See README.md.");
return 2;
