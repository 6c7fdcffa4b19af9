Console.Error.WriteLine("pool-explore: not built yet");
return 2;
