using System.Text;
using Axon.Cli;

Console.OutputEncoding = new UTF8Encoding(false);
// Colour and live progress only when stdout is a terminal; NO_COLOR and --no-color turn colour off.
// The first Ctrl+C cancels the command (a run stops its model call, reports and saves its trace); a second one ends the process.
using var cancel = new CancellationTokenSource();
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, context =>
{
    if (cancel.IsCancellationRequested) return;
    context.Cancel = true;
    cancel.Cancel();
});
return AxonCli.Run(args, Console.Out, Console.Error, !Console.IsOutputRedirected, null, null, cancel.Token);
