using System.Diagnostics;
using System.Globalization;
using Axon.Benchmarks.Language;
using Axon.Benchmarks.Support;

namespace Axon.Benchmarks.Cli;

/// <summary>
/// Whole-process cold start: <c>axon check</c> on a 2.4 KB corpus program and on the 1 MB benchmark program, the JIT
/// build against the native (NativeAOT) one, runs alternated so that load drift hits both alike; prints best and median
/// wall times. Not a BenchmarkDotNet class: each sample is a fresh process, and best-of-N over alternated runs is what
/// a shared machine allows. Usage:
/// <code>dotnet run -c Release --project tests/Axon.Benchmarks -- whole-process [runs]</code>
/// The JIT binary is src/Axon.Cli/bin/Release/net10.0/axon (or AXON_JIT_BIN); the native one is AXON_NATIVE_BIN
/// (<c>dotnet publish src/Axon.Cli -c Release -r linux-x64 -p:AxonNative=true -o DIR</c>). With AXON_FLOOR_BIN (the
/// native <c>axon-floor</c> of tests/Axon.NativeFloor) it also prints the floors under native <c>axon check</c>: a
/// native process that does nothing, one that runs only the ANTLR-generated lexer and parser over the same file, and
/// one that runs the whole front end (AST, checks, IR) without the CLI around it.
/// </summary>
internal static class WholeProcessBenchmark
{
    public static int Run(string[] args)
    {
        int runs = args.Length > 0 && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 15;
        if (RepositoryPaths.Corpus is not { } corpus)
        {
            Console.WriteLine("whole-process: the repository (Axon.Toolchain.sln) was not found above the benchmark; nothing measured.");
            return 1;
        }
        var binaries = new List<(string Name, string Path)>();
        string jit = Environment.GetEnvironmentVariable("AXON_JIT_BIN") is { Length: > 0 } j
            ? j : Path.Combine(RepositoryPaths.Root!, "src", "Axon.Cli", "bin", "Release", "net10.0", "axon");
        if (File.Exists(jit)) binaries.Add(("JIT", jit));
        else Console.WriteLine($"JIT axon not found at {jit}: build it (dotnet build -c Release src/Axon.Cli) or set AXON_JIT_BIN. No JIT figures.");
        if (Environment.GetEnvironmentVariable("AXON_NATIVE_BIN") is { Length: > 0 } native && File.Exists(native)) binaries.Add(("native", native));
        else Console.WriteLine("AXON_NATIVE_BIN is not set (or not a file): no native figures. Publish with: dotnet publish src/Axon.Cli -c Release -r linux-x64 -p:AxonNative=true -o DIR");
        if (binaries.Count == 0) return 1;
        if (Environment.GetEnvironmentVariable("AXON_FLOOR_BIN") is { Length: > 0 } floor && File.Exists(floor))
        {
            binaries.Add(("floor: empty process", floor));
            binaries.Add(("floor: ANTLR lex+parse", floor));
            binaries.Add(("floor: front end, no CLI", floor));
        }
        else Console.WriteLine("AXON_FLOOR_BIN is not set: no floors. Publish with: dotnet publish tests/Axon.NativeFloor -c Release -r linux-x64 -o DIR");

        string small = Path.Combine(corpus, "extra-03-grant-review.axon");
        string large = Path.Combine(Path.GetTempPath(), $"axon-bench-{Environment.ProcessId}.axon");
        File.WriteAllText(large, AxonSourceGenerator.Generate(1_000_000));
        var files = new[] { ("small", small), ("1 MB", large) };
        try
        {
            var samples = new Dictionary<(string, string), List<double>>();
            foreach (var b in binaries) Check(b.Path, small, b.Name); // first touch of the files and binaries, not counted
            for (int i = 0; i < runs; i++)
                foreach (var (fileName, file) in files)
                    foreach (var (name, path) in binaries)
                    {
                        double ms = Check(path, file, name);
                        if (!samples.TryGetValue((name, fileName), out var list)) samples[(name, fileName)] = list = [];
                        list.Add(ms);
                    }
            Console.WriteLine($"axon check, whole process, {runs} alternated runs each; {Environment.ProcessorCount} cores; load average {LoadAverage()}");
            Console.WriteLine($"{"binary",-24} {"file",-6} {"bytes",9} {"best ms",9} {"median ms",10}");
            foreach (var (fileName, file) in files)
                foreach (var (name, _) in binaries)
                {
                    var list = samples[(name, fileName)];
                    list.Sort();
                    Console.WriteLine($"{name,-24} {fileName,-6} {new FileInfo(file).Length,9} {list[0],9:F1} {list[list.Count / 2],10:F1}");
                }
            return 0;
        }
        finally
        {
            File.Delete(large);
        }
    }

    private static readonly HashSet<(string, string)> Warned = [];

    private static double Check(string binary, string file, string name)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (!name.StartsWith("floor", StringComparison.Ordinal)) start.ArgumentList.Add("check");
        if (name == "floor: front end, no CLI") start.ArgumentList.Add("--front-end");
        if (name != "floor: empty process") start.ArgumentList.Add(file);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        clock.Stop();
        // Exit 1 is a program with errors (checked all the same, e.g. an older build with a bug); anything else is a failure.
        if (process.ExitCode == 1 && Warned.Add((binary, file)))
            Console.WriteLine($"note: {binary} reports errors in {Path.GetFileName(file)} (exit 1); its times include printing them");
        else if (process.ExitCode is not (0 or 1))
            throw new InvalidOperationException($"{binary} check {file} exited {process.ExitCode}: {output.Result}{errors.Result}");
        return clock.Elapsed.TotalMilliseconds;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
