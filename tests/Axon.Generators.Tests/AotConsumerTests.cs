using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Generators.Tests.Support;

namespace Axon.Generators.Tests;

/// <summary>
/// Issue 16: a fresh console app with <c>.axon</c> flows and <c>&lt;PublishAot&gt;true&lt;/PublishAot&gt;</c>, consuming the
/// packed Axon.Runtime and Axon.Toolchain, publishes with NativeAOT without a single warning and runs its flows (typed
/// records, ranged values, semantic types, lists, a record passed as an argument) on the stub backend and against a
/// loopback Ollama emulator. One publish (one to three minutes), two runs.
/// </summary>
public class AotConsumerTests
{
    private const string Flows = """
        type Risk(0.0..1.0)

        type Greeting {
          message: String,
          language: String
        }

        type Assessment {
          risk: Risk,
          view: Opinion,
          tags: List<String>,
          words: Integer,
          friendly: Boolean,
          note: String?
        }

        flow Greet(name: String) -> Greeting {
          step Hello {
            given: name
            ask: "Greet {{name}} warmly."
            output: Greeting
          }
        }

        flow Assess(greeting: Greeting) -> Assessment {
          step Judge {
            given: greeting
            ask: "Assess the greeting."
            output: Assessment
          }
        }

        flow Tags(text: String) -> List<String> {
          step Pick {
            given: text
            ask: "Pick tags for the text."
            output: String
          }
        }
        """;

    private const string Program = """
        using System.Globalization;
        using Greeter;
        using Microsoft.Extensions.DependencyInjection;

        // args[0]: the backend (stub, or ollama with OLLAMA_HOST pointing at the emulator).
        using var services = new ServiceCollection().AddAxon(o => o.Backend = args[0]).BuildServiceProvider();
        Greeting greeting = await services.GetRequiredService<GreetFlow>().RunAsync("Ada");
        Console.WriteLine($"GREETING={greeting.Message}|{greeting.Language}");
        Assessment a = await services.GetRequiredService<AssessFlow>().RunAsync(greeting);
        Console.WriteLine($"RISK={a.Risk.Value.ToString(CultureInfo.InvariantCulture)} VIEW={a.View.Claim} TAGS={a.Tags.Count} WORDS={a.Words} FRIENDLY={a.Friendly} NOTE={a.Note ?? "-"}");
        Console.WriteLine($"ROUNDTRIP={Assessment.FromJson(a.ToJson()).ToJson().ToJsonString() == a.ToJson().ToJsonString()}");
        var tags = await services.GetRequiredService<TagsFlow>().RunAsync("a friendly greeting");
        Console.WriteLine($"LIST={tags.Count}");
        """;

    [Fact]
    public async Task A_PublishAot_app_with_flows_publishes_without_warnings_and_runs_on_the_stub_and_an_emulated_provider()
    {
        using var consumer = await PackedConsumer.CreateAsync("axon-aot-app-", "0.1.0-aot");
        var app = consumer.App;
        consumer.WriteProject("""
            <PublishAot>true</PublishAot>
            <InvariantGlobalization>true</InvariantGlobalization>
            """);
        Directory.CreateDirectory(Path.Combine(app, "flows"));
        File.WriteAllText(Path.Combine(app, "flows", "greet.axon"), Flows);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);

        var output = Path.Combine(consumer.Work, "out");
        var (publishExit, publishOutput) = await Dotnet.RunAsync(app, "publish", "-r", RuntimeInformation.RuntimeIdentifier, "-o", output, "-nologo", "-clp:NoSummary");
        Assert.True(publishExit == 0, publishOutput);
        var warnings = publishOutput.Split('\n').Where(l => l.Contains(": warning ", StringComparison.Ordinal)).Distinct().ToArray();
        Assert.True(warnings.Length == 0, "warnings:\n" + string.Join('\n', warnings));
        var binary = Path.Combine(output, OperatingSystem.IsWindows() ? "App.exe" : "App");
        Assert.True(File.Exists(binary), publishOutput);
        Assert.False(File.Exists(Path.Combine(output, "App.dll")), "a NativeAOT publish has no managed entry assembly");

        var stub = Exec(binary, output, new() { ["OLLAMA_HOST"] = null }, "stub");
        Assert.True(stub.Exit == 0, stub.Output);
        Assert.Matches(@"GREETING=[^|\n]+\|[^\n]+", stub.Output);
        Assert.Matches(@"RISK=(0(\.\d+)?|1) VIEW=[^\n]+ TAGS=\d+ WORDS=-?\d+ FRIENDLY=(True|False) NOTE=", stub.Output);
        Assert.Contains("ROUNDTRIP=True", stub.Output);
        Assert.Matches(@"LIST=\d+", stub.Output);

        using var ollama = new OllamaEmulator();
        var emulated = Exec(binary, output, new() { ["OLLAMA_HOST"] = ollama.BaseUrl }, "ollama");
        Assert.True(emulated.Exit == 0, emulated.Output + "\nrequests:\n" + string.Join('\n', ollama.Requests));
        // The emulator answers every schema with its own values: these are them, read through the generated code.
        Assert.Contains("GREETING=emulated|emulated", emulated.Output);
        Assert.Contains("RISK=0.25 VIEW=emulated TAGS=1 WORDS=7 FRIENDLY=True NOTE=emulated", emulated.Output);
        Assert.Contains("ROUNDTRIP=True", emulated.Output);
        Assert.Contains("LIST=1", emulated.Output);
        Assert.Equal(3, ollama.Requests.Count);
        // The record passed to Assess reached the model as the JSON the emulator wrote for Greet.
        Assert.Contains("emulated", ollama.Requests[1]);
    }

    private static (int Exit, string Output) Exec(string file, string workingDirectory, Dictionary<string, string?> env, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env)
            if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} did not finish within 60 s");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>
    /// A loopback Ollama (<c>POST /api/chat</c>, one JSON answer or NDJSON when streaming) that answers a structured request
    /// with a value built from its <c>format</c> schema: "emulated" for strings, 0.25 (or the minimum) for numbers, 7 for
    /// integers, true, one item per array. It records each request body.
    /// </summary>
    private sealed class OllamaEmulator : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public OllamaEmulator()
        {
            for (var attempt = 0; ; attempt++)
            {
                var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                Port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
                try { _listener.Start(); break; }
                catch (HttpListenerException) when (attempt < 5) { }
            }
            _loop = Task.Run(LoopAsync);
        }

        public int Port { get; private set; }

        public string BaseUrl => $"http://127.0.0.1:{Port}";

        public List<string> Requests { get; } = [];

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); }
                catch (Exception) when (!_listener.IsListening) { return; }
                catch (ObjectDisposedException) { return; }
                string body;
                using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync();
                lock (Requests) Requests.Add(body);
                var request = JsonNode.Parse(body)!.AsObject();
                var content = request["format"] is JsonObject schema ? Fill(schema)!.ToJsonString() : "emulated";
                var answer = new JsonObject
                {
                    ["model"] = "llama3.1",
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                    ["done"] = true,
                    ["done_reason"] = "stop",
                    ["prompt_eval_count"] = 40,
                    ["eval_count"] = 12,
                }.ToJsonString();
                var bytes = Encoding.UTF8.GetBytes(answer + "\n");
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = request["stream"]?.GetValue<bool>() == true ? "application/x-ndjson" : "application/json";
                ctx.Response.ContentLength64 = bytes.Length;
                await ctx.Response.OutputStream.WriteAsync(bytes);
                ctx.Response.Close();
            }
        }

        private static JsonNode? Fill(JsonNode? schema)
        {
            if (schema is not JsonObject s) return "emulated";
            if (s["anyOf"] is JsonArray any) return Fill(any.FirstOrDefault(o => o?["type"]?.ToString() != "null"));
            if (s["enum"] is JsonArray values) return values[0]?.DeepClone();
            var type = s["type"] switch
            {
                JsonArray types => types.Select(t => t!.ToString()).First(t => t != "null"),
                { } t => t.ToString(),
                null => "string",
            };
            return type switch
            {
                "object" => new JsonObject((s["properties"] as JsonObject ?? []).Select(p => KeyValuePair.Create(p.Key, Fill(p.Value)))),
                "array" => new JsonArray(Fill(s["items"])),
                "number" => s["minimum"] is { } min && min.GetValue<double>() > 0.25 ? min.GetValue<double>() : 0.25,
                "integer" => 7,
                "boolean" => true,
                _ => "emulated",
            };
        }

        public void Dispose()
        {
            try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
            try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        }
    }
}
