// The echo server on the generic host: configuration (appsettings.json, environment, command line), validation at
// start, graceful stop on SIGTERM/SIGINT that drains the replies in flight, metrics (dotnet-counters) and logs.
// Usage: dotnet run -c Release --project samples/EchoService -- [--port 9000] [--threads 2] [--work 0]
//        [--handler-delay 00:00:00.100] [--max-connections 10000] [--framing Chunk|LengthPrefixed] [--drain-timeout 00:00:10]
// Exit code: 0 after a stop, 1 when it could not start (the reason is the last line on standard error).
return await EchoService.EchoHost.RunAsync(args);
