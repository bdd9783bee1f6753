using BenchmarkDotNet.Running;

// Usage: dotnet run -c Release --project tests/Axon.Benchmarks -- --filter '*FrontEnd*' [--job short]
// Benchmarks run in-process, as the README's figures were measured.
var arguments = args.Any(a => a.Equals("--inProcess", StringComparison.OrdinalIgnoreCase)) ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(arguments);
