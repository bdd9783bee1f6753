using Axon.Benchmarks.Cli;
using Axon.Benchmarks.Generators;
using BenchmarkDotNet.Running;

// Usage: dotnet run -c Release --project tests/Axon.Benchmarks -- --filter '*FrontEnd*' [--job short]
// Two measurements are plain runners, not BenchmarkDotNet classes (see their comments):
//   -- whole-process [runs]      axon check as a whole process, JIT vs native
//   -- generated-code [runs]     generated C# bytes per .axon byte over the corpus; C# compile time of a 200-file project
switch (args.FirstOrDefault())
{
    case "whole-process": return WholeProcessBenchmark.Run(args[1..]);
    case "generated-code": return GeneratedCodeBenchmark.Run(args[1..]);
}
// Benchmarks run in-process, as the README's figures were measured.
var arguments = args.Any(a => a.Equals("--inProcess", StringComparison.OrdinalIgnoreCase)) ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(arguments);
return 0;
