using Spectre.Console;

var console = AnsiConsole.Console;
if (Console.IsOutputRedirected)
{
    console.Profile.Width = 240; // logs and pipes: keep table rows on one line
}
return Pool.Explorer.CommandLine.Run(args, console);
