using System.Text.Json.Nodes;
using Axon.Cli.Tests.Support;

namespace Axon.Cli.Tests;

/// <summary>Issue 13: <c>axon run</c> inputs (<c>--arg</c>, file arguments), run-argument leniency, output paths and <c>axon resume</c>.</summary>
public sealed class InputsAndResumeTests
{
    private static readonly Dictionary<string, string?> NoKeys = new();

    /// <summary>The stub echoes the first line of the prompt (here the interpolated ask) into its output.</summary>
    private const string Triage = """
        flow Triage(ticket: Document, priority: String) -> Summary {
          step Read {
            ask: "Triage {{ticket}} at priority {{priority}}"
          }
        }

        run Triage(ticket.txt, low)
        """;

    [Fact]
    public void Arg_values_and_files_bind_parameters_and_override_the_run_literal()
    {
        using var dir = new TempDir();
        var file = dir.Write("triage.axon", Triage);
        dir.Write("urgent.txt", "Printer on fire in room 4");
        var r = InProc.RunIn(dir.Path, NoKeys, "run", file, "-b", "stub", "--arg", "priority=high", "--arg", "ticket=@" + dir.File("urgent.txt"));
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("input     priority = --arg value", r.Out);
        Assert.Contains("input     ticket ← urgent.txt (--arg, 25 characters)", r.Out);
        Assert.Contains("Triage Printer on fire in room 4 at priority high", r.Out);
    }

    [Fact]
    public void A_run_argument_naming_a_file_next_to_the_program_is_read_and_said_so()
    {
        using var dir = new TempDir();
        var file = dir.Write("triage.axon", Triage);
        dir.Write("ticket.txt", "Screen flickers");
        var r = InProc.RunIn(dir.Path, NoKeys, "run", file, "-b", "stub");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains($"input     ticket ← ticket.txt: read from {dir.File("ticket.txt")} (15 characters)", r.Out);
        Assert.Contains("Triage Screen flickers at priority low", r.Out);

        // Without the file the literal text is passed, as before.
        File.Delete(dir.File("ticket.txt"));
        var literal = InProc.RunIn(dir.Path, NoKeys, "run", file, "-b", "stub");
        Assert.True(literal.Exit == 0, literal.ToString());
        Assert.DoesNotContain("input     ticket", literal.Out);
        Assert.Contains("Triage ticket.txt at priority low", literal.Out);
    }

    [Fact]
    public void Arg_from_stdin_in_a_real_process()
    {
        using var dir = new TempDir();
        var file = dir.Write("triage.axon", Triage);
        var r = AxonProcess.Exec("sh", ["-c", $"printf 'Disk full on build agent' | dotnet \"{AxonProcess.Dll}\" run triage.axon -b stub --arg ticket=@-"], dir.Path, TimeSpan.FromSeconds(120));
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("input     ticket ← stdin (--arg, 24 characters)", r.Out);
        Assert.Contains("Triage Disk full on build agent at priority low", r.Out);
    }

    [Theory]
    [InlineData("--arg", "tikcet=x", "Unknown --arg 'tikcet': no flow this program runs has that parameter. Parameters: Triage(ticket: Document, priority: String)")]
    [InlineData("--arg", "ticket", "--arg expects name=value, name=@file or name=@- (got 'ticket')")]
    [InlineData("--arg", "ticket=@missing-file.txt", "Cannot read 'missing-file.txt' for --arg ticket:")]
    public void Bad_args_are_usage_errors_and_nothing_runs(string flag, string value, string message)
    {
        using var dir = new TempDir();
        var file = dir.Write("triage.axon", Triage);
        var r = InProc.RunIn(dir.Path, NoKeys, "run", file, "-b", "stub", "--trace", flag, value);
        Assert.Equal(2, r.Exit);
        Assert.Contains("✗ " + message, r.Err);
        Assert.DoesNotContain("━━ run", r.Out);
        Assert.False(File.Exists(dir.File("triage.trace.json")));
        Assert.DoesNotContain("   at ", r.All);
    }

    /// <summary>What the held-out programs that failed on the stub did: more run arguments than parameters, a typed know flow with numbers only, a require with no checker, a typed fallback.</summary>
    private const string HeldOutShapes = """
        type Figures {
          revenue: Float,
          margin: Float
        }

        type Verdict {
          verdict: String,
          why: String
        }

        anchor TieOut {
          require: amounts_tie_to_source
          on_violation: raise AnchorBreachError
        }

        anchor NoPersonalData {
          reject: [pii]
          on_violation: fallback("[removed: personal data]")
        }

        know {
          flow AnalyseCall(transcript: Document, account: String) -> Figures {
            step Numbers {
              given: transcript
              ask: "Extract revenue and margin"
              output: Figures
            }
          }
        }

        flow Moderate(post: String) -> Verdict {
          step Judge {
            given: post
            ask: "Judge the post"
            output: Verdict
          }
        }

        run AnalyseCall(call_0412, acme, q3, "east region") constrained_by [TieOut]
        run Moderate(post_17) constrained_by [NoPersonalData]
        """;

    [Fact]
    public void Held_out_shapes_complete_on_the_stub_with_the_extra_arguments_warned()
    {
        using var dir = new TempDir();
        var file = dir.Write("heldout.axon", HeldOutShapes);
        var r = InProc.RunIn(dir.Path, NoKeys, "run", file, "-b", "stub", "--trace");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Equal(2, r.Out.Split("✓ completed").Length - 1);
        Assert.Contains("warning   Run of 'AnalyseCall' passes 2 more argument(s) than the flow's 2 parameter(s) (first extra at position 3); ignored: q3, east region.", r.Out);
        Assert.Contains("sources   ", r.Out);
        Assert.DoesNotContain("attempts", r.Out);
        var trace = JsonNode.Parse(File.ReadAllText(dir.File("heldout.trace.json")))!;
        Assert.Contains(trace["events"]!.AsArray(), e => (string?)e!["data"]?["reason"] is { } reason && reason.Contains("not mechanically checked"));
        Assert.Contains(trace["events"]!.AsArray(), e => (string?)e!["type"] == "run_warning" && ((string?)e["data"]?["message"] ?? "").Contains("ignored: q3, east region"));
    }

    [Fact]
    public void Output_to_is_written_under_the_working_directory_and_the_full_path_is_printed()
    {
        using var program = new TempDir();
        using var work = new TempDir();
        var file = program.Write("out.axon", """
            flow Say(topic: String) -> Summary {
              step Write {
                given: topic
                ask: "Write about it"
              }
            }

            run Say(tides) output_to: "reports/review.json"
            """);
        var r = AxonProcess.Run(work.Path, TimeSpan.FromSeconds(120), null, "run", file, "-b", "stub");
        Assert.True(r.Exit == 0, r.ToString());
        var written = Path.Combine(work.Path, "reports", "review.json");
        Assert.True(File.Exists(written), r.ToString());
        Assert.Contains("written   " + written, r.Out);
        Assert.False(File.Exists(program.File("reports/review.json")));
    }

    private const string Approval = """
        flow Approve(request: String) -> Summary {
          step Draft {
            given: request
            ask: "Draft the purchase request"
          }
          hibernate until "manager_approval" timeout 7d
          step Finish {
            ask: "Record the decision {{manager_approval}}"
          }
        }

        run Approve(laptop) output_to: "approved.txt"
        """;

    [Fact]
    public void Resume_continues_a_hibernated_run_once_across_processes()
    {
        using var dir = new TempDir();
        var file = dir.Write("approve.axon", Approval);
        var run = AxonProcess.Run(dir.Path, TimeSpan.FromSeconds(120), null, "run", "approve.axon", "-b", "stub");
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Contains("⏸ suspended", run.Out);
        var id = System.Text.RegularExpressions.Regex.Match(run.Out, @"axon resume ([0-9a-f]{32})").Groups[1].Value;
        Assert.NotEmpty(id);
        // The default store: SQLite in the working directory.
        Assert.True(File.Exists(Path.Combine(dir.Path, ".axon", "state.db")));
        Assert.False(File.Exists(dir.File("approved.txt")));

        var resumed = AxonProcess.Run(dir.Path, TimeSpan.FromSeconds(120), null, "resume", id, "--payload", "\"approved by Dana\"", "-b", "stub", "--trace");
        Assert.True(resumed.Exit == 0, resumed.ToString());
        Assert.Contains($"resuming Approve (continuation {id}) with event 'manager_approval'", resumed.Out);
        Assert.Contains("✓ completed", resumed.Out);
        Assert.Matches(@"✓ Finish\s+step", resumed.Out);
        Assert.Contains("Record the decision approved by Dana.", resumed.Out);
        Assert.True(File.Exists(dir.File("approved.txt")));
        var trace = JsonNode.Parse(File.ReadAllText(dir.File("approve.resume.trace.json")))!;
        Assert.Contains(trace["events"]!.AsArray(), e => (string?)e!["type"] == "resume");

        // Exactly once: the second resume is refused and changes nothing.
        var again = AxonProcess.Run(dir.Path, TimeSpan.FromSeconds(120), null, "resume", id, "--payload", "\"approved\"", "-b", "stub");
        Assert.Equal(1, again.Exit);
        Assert.Contains($"✗ Continuation '{id}' is unknown or has already been resumed", again.Err);
        Assert.DoesNotContain("━━ run", again.Out);
    }

    [Fact]
    public void Resume_reads_the_file_store_named_by_AXON_STATE_PATH_and_a_payload_file()
    {
        using var dir = new TempDir();
        using var state = new TempDir();
        var file = dir.Write("approve.axon", Approval);
        var env = new Dictionary<string, string?> { ["AXON_STATE_PROVIDER"] = "file", ["AXON_STATE_PATH"] = state.Path };
        var run = InProc.RunIn(dir.Path, env, "run", file, "-b", "stub");
        var id = System.Text.RegularExpressions.Regex.Match(run.Out, @"axon resume ([0-9a-f]{32})").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(state.Path, id + ".state.json")), run.ToString());
        var payload = dir.Write("decision.json", """{"approved": true, "by": "Dana"}""");

        // Another working directory without the variable does not see it.
        var elsewhere = InProc.RunIn(state.Path, NoKeys, "resume", id, "-b", "stub");
        Assert.Equal(1, elsewhere.Exit);

        var resumed = InProc.RunIn(state.Path, env, "resume", id, "--payload", "@" + payload, "-b", "stub");
        Assert.True(resumed.Exit == 0, resumed.ToString());
        Assert.Contains("\"by\":\"Dana\"", resumed.Out);
    }

    [Theory]
    [InlineData(new[] { "resume", "0123456789abcdef0123456789abcdef" }, 1, "is unknown or has already been resumed")]
    [InlineData(new[] { "resume", "../etc/passwd" }, 2, "is not a continuation id")]
    [InlineData(new[] { "resume", "0123456789abcdef0123456789abcdef", "--payload", "{not json" }, 2, "--payload is not JSON")]
    [InlineData(new[] { "resume", "0123456789abcdef0123456789abcdef", "--payload", "@no-such-payload.json" }, 2, "Cannot read 'no-such-payload.json' for --payload")]
    public void Bad_resume_input_is_a_clear_error(string[] args, int exit, string message)
    {
        using var dir = new TempDir();
        var r = InProc.RunIn(dir.Path, NoKeys, args);
        Assert.Equal(exit, r.Exit);
        Assert.Contains(message, r.Err);
        Assert.DoesNotContain("   at ", r.All);
        Assert.DoesNotContain("Internal error", r.All);
    }

    [Fact]
    public void Resume_refuses_a_program_that_changed_since_it_hibernated()
    {
        using var dir = new TempDir();
        var file = dir.Write("approve.axon", Approval);
        var run = InProc.RunIn(dir.Path, NoKeys, "run", file, "-b", "stub");
        var id = System.Text.RegularExpressions.Regex.Match(run.Out, @"axon resume ([0-9a-f]{32})").Groups[1].Value;
        File.WriteAllText(file, Approval.Replace("Record the decision", "Log the decision"));
        var r = InProc.RunIn(dir.Path, NoKeys, "resume", id, "-b", "stub");
        Assert.Equal(1, r.Exit);
        Assert.Contains("changed since the run hibernated", r.Err);
    }
}
