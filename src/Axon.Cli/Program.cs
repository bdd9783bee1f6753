using System.Text;
using Axon.Cli;

Console.OutputEncoding = new UTF8Encoding(false);
return AxonCli.Run(args, Console.Out, Console.Error, isTerminal: !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") == null);
