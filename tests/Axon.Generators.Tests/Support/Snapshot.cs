using System.Runtime.CompilerServices;

namespace Axon.Generators.Tests.Support;

/// <summary>
/// Verify-style snapshots (Verify itself is not on the feed): compares with
/// <c>Snapshots/&lt;Class&gt;.&lt;name&gt;.verified.cs</c>; a mismatch writes <c>.received.cs</c> next to it and
/// fails. Set <c>AXON_ACCEPT_SNAPSHOTS=1</c> to accept the received text.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string actual, string name, [CallerFilePath] string callerFile = "")
    {
        var dir = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        var owner = Path.GetFileNameWithoutExtension(callerFile);
        var verified = Path.Combine(dir, $"{owner}.{name}.verified.cs");
        var received = Path.Combine(dir, $"{owner}.{name}.received.cs");
        actual = actual.Replace("\r\n", "\n");
        var accept = Environment.GetEnvironmentVariable("AXON_ACCEPT_SNAPSHOTS") == "1";
        if (File.Exists(verified) && File.ReadAllText(verified).Replace("\r\n", "\n") == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        Directory.CreateDirectory(dir);
        if (accept)
        {
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(File.Exists(verified)
            ? $"Snapshot {name} differs: compare {received} with {verified} (AXON_ACCEPT_SNAPSHOTS=1 accepts)."
            : $"Snapshot {name} is new: review {received} (AXON_ACCEPT_SNAPSHOTS=1 accepts).");
    }
}
