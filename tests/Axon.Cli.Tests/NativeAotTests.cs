using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Axon.Cli.Tests.Support;

namespace Axon.Cli.Tests;

/// <summary>
/// Publishes <c>axon</c> with NativeAOT once (<c>dotnet publish src/Axon.Cli -r RID -p:AxonNative=true</c>) into a
/// temporary directory of its own, and keeps the binary and the publish log for the native tests. The publish
/// takes one to three minutes, so every native test shares this one.
/// </summary>
public sealed class NativeAxonFixture : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("axon-native-");

    public NativeAxonFixture()
    {
        var root = RepositoryRoot();
        var output = Path.Combine(_work.FullName, "out");
        var watch = Stopwatch.StartNew();
        // Own artifacts directory: the publish never races a build of the working tree's bin/ and obj/.
        var r = AxonProcess.Exec("dotnet",
            ["publish", Path.Combine(root, "src", "Axon.Cli", "Axon.Cli.csproj"), "-r", Rid, "-p:AxonNative=true",
             "--artifacts-path", Path.Combine(_work.FullName, "artifacts"), "-o", output, "-nologo", "-clp:NoSummary"],
            root, TimeSpan.FromMinutes(15));
        PublishTime = watch.Elapsed;
        PublishExit = r.Exit;
        PublishLog = r.All;
        Binary = Path.Combine(output, OperatingSystem.IsWindows() ? "axon.exe" : "axon");
    }

    /// <summary>The RID this machine builds natively for (linux-x64 here).</summary>
    public static string Rid => RuntimeInformation.RuntimeIdentifier;

    public int PublishExit { get; }

    public string PublishLog { get; }

    public TimeSpan PublishTime { get; }

    public string Binary { get; }

    /// <summary>Runs the native binary.</summary>
    public CliResult Run(string workingDirectory, params string[] args)
    {
        Assert.True(PublishExit == 0 && File.Exists(Binary), "the NativeAOT publish failed:\n" + PublishLog);
        return AxonProcess.Exec(Binary, args, workingDirectory, TimeSpan.FromSeconds(60));
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Axon.Toolchain.sln"))) return dir.FullName;
        throw new InvalidOperationException("Repository root (Axon.Toolchain.sln) not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        try { _work.Delete(recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// Issue 16: the native (NativeAOT) <c>axon</c> publishes without trim/AOT warnings and behaves as the JIT build
/// (<c>dotnet axon.dll</c>): the same bytes for check and compile on every corpus program, the same messages and
/// exit codes for bad input, and <c>run -b stub</c> works.
/// </summary>
public sealed class NativeAotTests(NativeAxonFixture native) : IClassFixture<NativeAxonFixture>
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(60);

    [Fact]
    public void Publishes_without_trim_or_aot_warnings()
    {
        Assert.True(native.PublishExit == 0, native.PublishLog);
        var warnings = native.PublishLog.Split('\n').Where(l => l.Contains(": warning ", StringComparison.Ordinal)).Distinct().ToArray();
        Assert.True(warnings.Length == 0, "warnings:\n" + string.Join('\n', warnings));
        Assert.True(File.Exists(native.Binary), native.PublishLog);
        TestContext.Current.SendDiagnosticMessage(
            $"NativeAOT publish ({NativeAxonFixture.Rid}): {native.PublishTime.TotalSeconds:F0} s, binary {new FileInfo(native.Binary).Length / 1024 / 1024.0:F1} MB");
    }

    /// <summary>
    /// Start-up: the image is linked at a fixed address (ELF type EXEC, not the position-independent DYN), so nothing in
    /// its data is relocated when it starts, and its process settings give the first generation a 64 MB budget.
    /// </summary>
    [Fact]
    public void The_image_is_fixed_address_with_a_large_first_generation()
    {
        Assert.True(native.PublishExit == 0, native.PublishLog);
        if (!OperatingSystem.IsLinux()) return; // the ELF check below is Linux's; other platforms have their own formats
        var header = new byte[18];
        using (var file = File.OpenRead(native.Binary)) file.ReadExactly(header);
        Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, header[..4]);
        const ushort ElfExecutable = 2, ElfSharedObject = 3;
        ushort type = BitConverter.ToUInt16(header, 16); // e_type, little-endian on the platforms NativeAOT targets
        Assert.NotEqual(ElfSharedObject, type);
        Assert.Equal(ElfExecutable, type);
        // The runtime setting is compiled into the image as a key and its value, each NUL-terminated (the GC's own code
        // names GCgen0size too, so the name alone would prove nothing).
        var image = File.ReadAllBytes(native.Binary);
        Assert.True(image.AsSpan().IndexOf("GCgen0size\u00004000000\u0000"u8) >= 0, "GCgen0size=4000000 is not in the image's runtime configuration");
    }

    /// <summary>Every conformance and runtime corpus program: check, check --format json and compile --stdout, byte for byte.</summary>
    [Fact]
    public void Check_and_compile_output_is_byte_identical_to_the_jit_build_on_every_corpus_program()
    {
        var programs = Directory.GetFiles(Corpus.Dir, "*.axon").Select(f => ("corpus", Path.GetFileName(f)))
            .Concat(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "runtime-corpus"), "*.axon").Select(f => ("runtime-corpus", Path.GetFileName(f))))
            .Order().ToArray();
        Assert.True(programs.Length >= 80, $"expected the whole corpus, found {programs.Length} programs");
        var compared = 0;
        foreach (var (folder, file) in programs)
        {
            var dir = Path.Combine(AppContext.BaseDirectory, folder);
            foreach (var args in new[] { new[] { "check", file }, ["check", "--format", "json", file], ["compile", file, "--stdout"] })
            {
                var jit = AxonProcess.Run(dir, Quick, null, args);
                var aot = native.Run(dir, args);
                Assert.True(jit.Exit == aot.Exit && jit.Out == aot.Out && jit.Err == aot.Err,
                    $"axon {string.Join(' ', args)} in {folder} differs.\nJIT: {jit}\nnative: {aot}");
                compared++;
            }
        }
        TestContext.Current.SendDiagnosticMessage($"{compared} native invocations matched the JIT build byte for byte");
    }

    [Fact]
    public void Run_on_the_stub_works_natively_with_a_trace()
    {
        using var dir = new TempDir();
        Corpus.CopyTo(dir, "example-contract_analyzer.axon");
        var r = native.Run(dir.Path, "run", "example-contract_analyzer.axon", "-b", "stub", "--trace");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("━━ run 1/1: AnalyzeContract(myContract)", r.Out);
        Assert.Contains("synthetic", r.Out);
        Assert.Contains("📋 Trace saved → example-contract_analyzer.trace.json", r.Out);
        Assert.DoesNotContain("Exception", r.All);

        var t = native.Run(dir.Path, "trace", "example-contract_analyzer.trace.json");
        Assert.True(t.Exit == 0, t.ToString());
        Assert.Contains("AXON Execution Trace", t.Out);
    }

    /// <summary>Every runtime corpus program runs natively on the stub (hibernate and the state store included) with the JIT build's result blocks.</summary>
    [Fact]
    public void Run_on_the_stub_gives_the_jit_results_for_the_runtime_corpus()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "runtime-corpus");
        var ran = 0;
        foreach (var file in Directory.GetFiles(dir, "*.axon").Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            using var work = new TempDir();
            File.Copy(Path.Combine(dir, file!), work.File(file!));
            var jit = AxonProcess.Run(work.Path, Quick, null, "run", file!, "-b", "stub");
            var aot = native.Run(work.Path, "run", file!, "-b", "stub");
            Assert.True(jit.Exit == aot.Exit, $"{file}: JIT {jit}\nnative {aot}");
            // Durations and continuation ids differ between runs, and par branches finish in either order (the step list
            // is in completion order): the same lines (steps, outputs, tokens, anchors), in any order.
            Assert.True(Lines(jit.Out) == Lines(aot.Out), $"{file}:\nJIT: {jit}\nnative: {aot}");
            Assert.Equal(Timeless(jit.Err), Timeless(aot.Err));
            if (aot.Exit == 0) ran++;
        }
        Assert.True(ran >= 5, $"expected at least five corpus programs to run, {ran} did");
    }

    private static string Lines(string s) => string.Join('\n', Timeless(s).Split('\n').Order(StringComparer.Ordinal));

    private static string Timeless(string s) =>
        // A duration and the padding that right-aligns it in its column; a hibernated run's fresh continuation id.
        System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(s, @" *\d+(\.\d+)? ?(ms|s)\b", " <t>"), @"\b[0-9a-f]{32}\b", "<id>");

    /// <summary>The bad-input cases of the JIT CLI, natively: the same stdout, stderr and exit code.</summary>
    [Fact]
    public void Bad_input_gets_the_jit_builds_messages_and_exit_codes()
    {
        using var dir = new TempDir();
        dir.Write("broken.axon", Programs.SyntaxError);
        dir.Write("persona.axon", Programs.UnknownPersona);
        dir.Write("empty.axon", "");
        dir.Write("norun.axon", Programs.NoRun);
        File.WriteAllBytes(dir.File("binary.axon"), [0xFF, 0xFE, 0x00, 0x01, 0xC3, 0x28, 0x80]);
        dir.Write("nesting.axon", "flow F() { " + string.Concat(Enumerable.Repeat("if x { ", 5000)) + " }");
        dir.Write("bad.trace.json", "{ not json");
        Directory.CreateDirectory(dir.File("folder.axon"));
        Corpus.CopyTo(dir, "example-contract_analyzer.axon");
        string[][] cases =
        [
            ["check", "nope.axon"],
            ["compile", "nope.axon"],
            ["run", "nope.axon", "-b", "stub"],
            ["trace", "nope.trace.json"],
            ["trace", "bad.trace.json"],
            ["check", "folder.axon"],
            ["check", "broken.axon"],
            ["check", "--format", "json", "broken.axon"],
            ["compile", "broken.axon"],
            ["run", "broken.axon", "-b", "stub"],
            ["check", "persona.axon"],
            ["compile", "persona.axon", "--stdout"],
            ["check", "empty.axon"],
            ["check", "binary.axon"],
            ["check", "nesting.axon"],
            ["run", "norun.axon", "-b", "stub"],
            ["check"],
            ["check", "--bogus", "broken.axon"],
            ["check", "--format", "xml", "broken.axon"],
            ["frobnicate"],
            ["compile", "example-contract_analyzer.axon", "-o", "x.json", "--stdout"],
            ["run", "example-contract_analyzer.axon", "-b", "nosuchbackend"],
            ["run", "example-contract_analyzer.axon"],
            ["run", "example-contract_analyzer.axon", "-b", "stub", "--tool-mode", "sometimes"],
            ["run", "example-contract_analyzer.axon", "-b", "stub", "--arg", "novalue"],
            ["run", "example-contract_analyzer.axon", "-b", "stub", "--arg", "myContract=@missing.txt"],
            ["run", "example-contract_analyzer.axon", "-b", "stub", "--timeout", "soon"],
            ["resume", "no-such-continuation"],
            ["models", "-b", "nosuchbackend"],
            ["--help"],
            ["-V"],
            ["version"],
        ];
        foreach (var args in cases)
        {
            var jit = AxonProcess.Run(dir.Path, Quick, null, args);
            var aot = native.Run(dir.Path, args);
            Assert.True(jit.Exit == aot.Exit && jit.Out == aot.Out && jit.Err == aot.Err,
                $"axon {string.Join(' ', args)} differs.\nJIT: {jit}\nnative: {aot}");
            Assert.DoesNotContain("   at ", aot.All);
        }
    }

    /// <summary>The language server is left out of the native build: it says so and exits as a usage error.</summary>
    [Fact]
    public void Lsp_says_it_needs_the_dotnet_tool()
    {
        using var dir = new TempDir();
        var r = native.Run(dir.Path, "lsp");
        Assert.Equal(ExitCodes.Usage, r.Exit);
        Assert.Equal("", r.Out);
        Assert.Equal(AxonCli.LspNeedsJit + "\n", r.Err);
    }
}
