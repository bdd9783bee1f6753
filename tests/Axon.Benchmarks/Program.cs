using BenchmarkDotNet.Running;

// Usage: dotnet run -c Release --project tests/Axon.Benchmarks -- --filter '*FrontEnd*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
