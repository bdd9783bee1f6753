namespace Axon.Benchmarks.Support;

/// <summary>Locations in the repository, found from the benchmark's own directory.</summary>
internal static class RepositoryPaths
{
    /// <summary>The directory that holds Axon.Toolchain.sln, or null when the benchmark runs outside the repository.</summary>
    public static string? Root { get; } = FindRoot();

    /// <summary>The conformance corpus (the reference's programs).</summary>
    public static string? Corpus => Root == null ? null : Path.Combine(Root, "tests", "Axon.Language.Tests", "Conformance", "reference");

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Axon.Toolchain.sln"))) return dir.FullName;
        return null;
    }
}
