using System.Text.Json;
using Axon.Cli.Tests.Support;

namespace Axon.Cli.Tests;

/// <summary>Issue 2: <c>axon check</c>, <c>axon compile</c>, <c>axon version</c> — exit codes, canonical diagnostics, JSON.</summary>
public sealed class CheckCompileTests
{
    [Fact]
    public void Check_valid_file_prints_the_reference_success_line()
    {
        var r = InProc.Run("check", Corpus.ContractAnalyzer);
        Assert.Equal(0, r.Exit);
        Assert.Contains("✓ example-contract_analyzer.axon  168 tokens · 9 declarations · 0 errors", r.Out);
    }

    [Fact]
    public void Check_syntax_error_is_canonical_and_exits_1()
    {
        using var dir = new TempDir();
        var file = dir.Write("broken.axon", Programs.SyntaxError);
        var r = InProc.Run("check", file);
        Assert.Equal(1, r.Exit);
        Assert.Matches(@"broken\.axon\(2,8\): error AXN1100: Unexpected token \(expected COLON, found IDENTIFIER\(\x27precise\x27\)\)", r.Err);
        Assert.Contains("✗ broken.axon", r.Err);
    }

    [Fact]
    public void Check_semantic_error_is_canonical_and_exits_1()
    {
        using var dir = new TempDir();
        var file = dir.Write("persona.axon", Programs.UnknownPersona);
        var r = InProc.Run("check", file);
        Assert.Equal(1, r.Exit);
        Assert.Matches(@"persona\.axon\(8,\d+\): error AXN2\d{3}: .*NobodyKnowsMe", r.Err);
    }

    [Fact]
    public void Check_format_json_reports_each_file()
    {
        using var dir = new TempDir();
        var bad = dir.Write("broken.axon", Programs.SyntaxError);
        var r = InProc.Run("check", "--format", "json", Corpus.ContractAnalyzer, bad);
        Assert.Equal(1, r.Exit);
        using var json = JsonDocument.Parse(r.Out);
        var files = json.RootElement.GetProperty("files");
        Assert.Equal(2, files.GetArrayLength());
        Assert.True(files[0].GetProperty("valid").GetBoolean());
        Assert.Equal(168, files[0].GetProperty("tokens").GetInt32());
        Assert.False(files[1].GetProperty("valid").GetBoolean());
        var d = files[1].GetProperty("diagnostics")[0];
        Assert.StartsWith("AXN1", d.GetProperty("code").GetString());
        Assert.Equal(2, d.GetProperty("line").GetInt32());
        Assert.Equal(8, d.GetProperty("column").GetInt32());
        Assert.Equal("AXN1100", d.GetProperty("code").GetString());
    }

    [Fact]
    public void Compile_writes_ir_json_without_trailing_newline()
    {
        using var dir = new TempDir();
        var file = Corpus.CopyTo(dir, "example-contract_analyzer.axon");
        var r = InProc.Run("compile", file);
        Assert.Equal(0, r.Exit);
        var irPath = dir.File("example-contract_analyzer.ir.json");
        Assert.Contains("✓ Compiled → " + irPath, r.Out);
        var text = File.ReadAllText(irPath);
        Assert.False(text.EndsWith('\n'), "the IR file must not end with a newline (reference json.dump)");
        using var json = JsonDocument.Parse(text);
        Assert.Equal("anthropic", json.RootElement.GetProperty("_meta").GetProperty("backend").GetString());
        Assert.Equal("AnalyzeContract", json.RootElement.GetProperty("flows")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Compile_stdout_prints_the_same_ir_and_backend_goes_to_meta()
    {
        using var dir = new TempDir();
        var file = Corpus.CopyTo(dir, "example-contract_analyzer.axon");
        var r = InProc.Run("compile", file, "--stdout", "-b", "gemini");
        Assert.Equal(0, r.Exit);
        Assert.False(File.Exists(dir.File("example-contract_analyzer.ir.json")));
        using var json = JsonDocument.Parse(r.Out);
        Assert.Equal("gemini", json.RootElement.GetProperty("_meta").GetProperty("backend").GetString());
    }

    [Fact]
    public void Compile_output_option_and_errors()
    {
        using var dir = new TempDir();
        var file = Corpus.CopyTo(dir, "example-contract_analyzer.axon");
        var target = dir.File("out.json");
        Assert.Equal(0, InProc.Run("compile", file, "-o", target).Exit);
        Assert.True(File.Exists(target));

        var bad = dir.Write("broken.axon", Programs.SyntaxError);
        var r = InProc.Run("compile", bad);
        Assert.Equal(1, r.Exit);
        Assert.Matches(@"broken\.axon\(2,8\): error AXN1100", r.Err);
        Assert.False(File.Exists(dir.File("broken.ir.json")));
    }

    [Fact]
    public void Compile_unknown_backend_is_a_usage_error()
    {
        var r = InProc.Run("compile", Corpus.ContractAnalyzer, "-b", "x");
        Assert.Equal(2, r.Exit);
        Assert.Contains("Backend error: Unknown backend 'x'", r.Err);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("compile")]
    [InlineData("run")]
    public void Missing_file_exits_2(string command)
    {
        var r = InProc.Run(command, "no/such/file.axon");
        Assert.Equal(2, r.Exit);
        Assert.Contains("✗ File not found: no/such/file.axon", r.Err);
        Assert.DoesNotContain("   at ", r.All);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("compile")]
    [InlineData("run")]
    public void Directory_instead_of_file_exits_2(string command)
    {
        using var dir = new TempDir();
        var r = InProc.Run(command, dir.Path);
        Assert.Equal(2, r.Exit);
        Assert.Contains("is a directory", r.Err);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("compile")]
    [InlineData("run")]
    public void Binary_non_utf8_file_is_a_clear_error(string command)
    {
        using var dir = new TempDir();
        var file = dir.File("binary.axon");
        File.WriteAllBytes(file, [0x70, 0x65, 0x72, 0xFF, 0xFE, 0x00, 0x01, 0xC3, 0x28, 0x0A]);
        var r = command == "check" ? InProc.Run(command, file) : InProc.Run(command, file, "-b", "stub");
        Assert.Equal(1, r.Exit);
        Assert.Contains("not UTF-8", r.Err);
        Assert.Matches(@"binary\.axon\(1,4\): error AXN", r.Err);
        Assert.DoesNotContain("Exception", r.All);
    }

    [Fact]
    public void Empty_file_checks_and_runs_nothing()
    {
        using var dir = new TempDir();
        var file = dir.Write("empty.axon", "");
        var check = InProc.Run("check", file);
        Assert.Equal(0, check.Exit);
        Assert.Contains("✓ empty.axon  1 tokens · 0 declarations · 0 errors", check.Out);
        var run = InProc.Run("run", file, "-b", "stub");
        Assert.Equal(0, run.Exit);
        Assert.Contains("no run statement", run.Out);
    }

    [Fact]
    public void Version_and_help()
    {
        var v = InProc.Run("version");
        Assert.Equal(0, v.Exit);
        Assert.StartsWith("axon-lang 0.7.0", v.Out);
        Assert.Equal(v.Out, InProc.Run("-V").Out);
        var help = InProc.Run();
        Assert.Equal(0, help.Exit);
        foreach (var command in new[] { "check", "compile", "run", "trace", "version" }) Assert.Contains(command, help.Out);
        var bad = InProc.Run("frobnicate");
        Assert.Equal(2, bad.Exit);
    }
}
