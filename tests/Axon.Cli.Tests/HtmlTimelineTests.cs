using System.Text.RegularExpressions;
using Axon.Cli.Tests.Support;

namespace Axon.Cli.Tests;

/// <summary>Issue 7: <c>axon trace FILE --html OUT</c> — a self-contained timeline page, checked in headless Chromium.</summary>
[Collection(HeavyCollection.Name)]
public sealed class HtmlTimelineTests
{
    /// <summary>Where the screenshot and the page are kept for people to look at (under the test output).</summary>
    public static string ArtifactDir => Path.Combine(AppContext.BaseDirectory, "artifacts");

    /// <summary>Two routed runs (ollama and custom on loopback, 80 ms per answer) with one anchor breached and one passed.</summary>
    private static string RoutedTrace(TempDir dir)
    {
        using var server = new FakeProviderServer(TimeSpan.FromMilliseconds(80));
        var file = dir.Write("summarize.axon", Programs.Anchored);
        var env = new Dictionary<string, string?>
        {
            ["OLLAMA_HOST"] = server.BaseUrl,
            ["AXON_CUSTOM_BASE_URL"] = server.BaseUrl + "/v1",
            ["AXON_CUSTOM_MODEL"] = "fake-model",
            ["LLM_ROUTING_STRATEGY"] = "round_robin",
            ["LLM_PROVIDERS"] = "ollama,custom",
        };
        var r = InProc.Run(env, "run", file, "--trace");
        Assert.True(r.Exit == 0, r.ToString());
        return dir.File("summarize.trace.json");
    }

    [Fact]
    public void Page_is_self_contained_and_has_the_timeline()
    {
        using var dir = new TempDir();
        var html = dir.File("timeline.html");
        var r = InProc.Run("trace", RoutedTrace(dir), "--html", html);
        Assert.Equal(0, r.Exit);
        Assert.Contains("✓ Timeline written → " + html, r.Out);
        var page = File.ReadAllText(html);
        Assert.StartsWith("<!DOCTYPE html>", page);
        // Nothing is loaded from elsewhere.
        foreach (var external in new[] { "http://", "https://", "<script", "<link", "src=", "@import", "url(" })
            Assert.DoesNotContain(external, page, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, Regex.Matches(page, "<div class=\"run\" data-run=\"unit:Summarize\">").Count);
        Assert.Equal(4, Regex.Matches(page, "<div class=\"row step-row\" data-step=\"(Read|Write)\"").Count);
        Assert.Contains("<span class=\"anchor breach\">Cited ✗</span>", page);
        Assert.Contains("<span class=\"anchor pass\">Polite ✓</span>", page);
        Assert.Matches("<span class=\"tokens\">\\d+→\\d+ tok</span>", page);
        Assert.Matches("<span class=\"cost\">\\$\\d+\\.\\d{4}</span>", page);
        Assert.Contains("<table id=\"routing\">", page);
        Assert.Contains("<td>round_robin</td>", page);
    }

    [Fact]
    public void Older_trace_shape_gets_a_timeline_from_its_events()
    {
        using var dir = new TempDir();
        var html = dir.File("old.html");
        var r = InProc.Run("trace", Path.Combine(AppContext.BaseDirectory, "Data", "reference-sample.trace.json"), "--html", html);
        Assert.Equal(0, r.Exit);
        var page = File.ReadAllText(html);
        Assert.Contains("data-step=\"Extract\" data-provider=\"anthropic\"", page);
        Assert.Contains("data-step=\"Assess\" data-provider=\"anthropic\"", page);
        Assert.Contains("<span class=\"anchor breach\">StrictCompliance ✗</span>", page);
    }

    [Fact]
    public void Chromium_renders_the_timeline_and_takes_a_screenshot()
    {
        Chromium.Require();
        using var dir = new TempDir();
        var trace = RoutedTrace(dir);
        Directory.CreateDirectory(ArtifactDir);
        var html = Path.Combine(ArtifactDir, "trace-timeline.html");
        Assert.Equal(0, InProc.Run("trace", trace, "--html", html).Exit);
        var url = new Uri(html).AbsoluteUri;

        var dom = Chromium.Run(dir.Path, "--dump-dom", url);
        Assert.True(dom.Exit == 0, dom.ToString());
        // The DOM as the browser built it: the timeline section, two runs, four steps with their bars and facts.
        Assert.Contains("<section class=\"timeline\" id=\"timeline\">", dom.Out);
        Assert.Equal(2, Regex.Matches(dom.Out, "class=\"run\" data-run=\"unit:Summarize\"").Count);
        Assert.Equal(4, Regex.Matches(dom.Out, "class=\"bar step-bar status-ok\" style=\"left:[\\d.]+%;width:[\\d.]+%\"").Count);
        Assert.Equal(2, Regex.Matches(dom.Out, "class=\"bar run-bar status-").Count);
        Assert.Equal(4, Regex.Matches(dom.Out, "<span class=\"provider\">(ollama|custom)</span>").Count);
        Assert.Contains("Cited ✗", dom.Out);

        var png = Path.Combine(ArtifactDir, "trace-timeline.png");
        File.Delete(png);
        var shot = Chromium.Run(dir.Path, "--screenshot=" + png, "--window-size=1400,1000", "--hide-scrollbars", url);
        Assert.True(shot.Exit == 0, shot.ToString());
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 10_000, $"screenshot is only {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        TestContext.Current.SendDiagnosticMessage("Timeline screenshot: " + png);
    }
}

/// <summary>Tests that start big processes (50 MB inputs, Chromium, dotnet pack) run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class HeavyCollection
{
    public const string Name = "heavy";
}
