Console.Error.WriteLine("pbm: not built yet");
return 2;
