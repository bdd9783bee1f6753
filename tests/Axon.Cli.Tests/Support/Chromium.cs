
namespace Axon.Cli.Tests.Support;

/// <summary>
/// Headless Chromium from Debian's packages. When it is missing, the first use installs it
/// (<c>apt-get update &amp;&amp; apt-get install -y chromium</c>); tests skip only when that is impossible.
/// </summary>
public static class Chromium
{
    private static readonly Lazy<(string? Path, string Why)> Binary = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The flags every call uses: no sandbox (containers run as root), nothing fetched from the network.</summary>
    public static readonly string[] BaseFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    /// <summary>The browser's path, or a skip with the reason.</summary>
    public static string Require()
    {
        var (path, why) = Binary.Value;
        if (path is null) Assert.Skip(why);
        return path;
    }

    /// <summary>Runs Chromium with a fresh profile directory.</summary>
    public static CliResult Run(string workingDirectory, params string[] args)
    {
        var browser = Require();
        using var profile = new TempDir();
        return AxonProcess.Exec(browser, [.. BaseFlags, "--user-data-dir=" + profile.Path, .. args], workingDirectory, TimeSpan.FromSeconds(90));
    }

    private static (string?, string) Locate()
    {
        if (Find() is { } found) return (found, "");
        if (Find("apt-get") is null) return (null, "Chromium is not installed and apt-get is not available to install it.");
        using var dir = new TempDir();
        var install = AxonProcess.Exec("/bin/sh", ["-c", "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"],
            dir.Path, TimeSpan.FromMinutes(15));
        if (Find() is { } installed) return (installed, "");
        var tail = install.Err.Length > 400 ? install.Err[^400..] : install.Err;
        return (null, $"Chromium is not installed and 'apt-get install -y chromium' failed (exit {install.Exit}): {tail}");
    }

    private static string? Find(params string[] names)
    {
        if (names.Length == 0) names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
        foreach (var name in names)
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }
}
