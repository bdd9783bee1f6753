using BenchmarkDotNet.Running;

// Usage: dotnet run -c Release --project tests/Axon.Benchmarks -- --filter '*FrontEnd*' [--job short]
// Benchmarks run in-process: BenchmarkDotNet's out-of-process build passes an absolute
// IntermediateOutputPath, which Antlr4BuildTasks (the grammar build of Axon.Language) mis-joins.
var arguments = args.Any(a => a.Equals("--inProcess", StringComparison.OrdinalIgnoreCase)) ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(arguments);
