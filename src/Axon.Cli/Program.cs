using System.Text;
using Axon.Cli;

Console.OutputEncoding = new UTF8Encoding(false);
// Colour and live progress only when stdout is a terminal; NO_COLOR and --no-color turn colour off.
return AxonCli.Run(args, Console.Out, Console.Error, isTerminal: !Console.IsOutputRedirected);
