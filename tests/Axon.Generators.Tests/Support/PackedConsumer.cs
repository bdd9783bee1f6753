using System.Globalization;
using System.Security;

namespace Axon.Generators.Tests.Support;

/// <summary>
/// A fresh consumer of the packed Axon.Runtime and Axon.Toolchain in a temporary folder: both packages packed into a
/// local feed under a fresh version, and an empty app folder whose <c>nuget.config</c> restores from that feed.
/// Disposing deletes the folder.
/// </summary>
internal sealed class PackedConsumer : IDisposable
{
    private readonly DirectoryInfo _work;

    private PackedConsumer(DirectoryInfo work, string version)
    {
        _work = work;
        Version = version;
        Feed = Path.Combine(work.FullName, "feed");
        App = Path.Combine(work.FullName, "app");
    }

    /// <summary>The version both packages were packed with.</summary>
    public string Version { get; }

    /// <summary>The local feed holding the packed <c>.nupkg</c> files.</summary>
    public string Feed { get; }

    /// <summary>The consumer project's folder.</summary>
    public string App { get; }

    /// <summary>The temporary folder holding the feed, the app and its restored packages.</summary>
    public string Work => _work.FullName;

    /// <summary>Packs both packages (each pack asserted to succeed) and writes the app's <c>nuget.config</c>.</summary>
    /// <param name="tempPrefix">Prefix of the temporary folder's name.</param>
    /// <param name="versionPrefix">The package version before the time stamp that makes it fresh.</param>
    public static async Task<PackedConsumer> CreateAsync(string tempPrefix, string versionPrefix)
    {
        var root = RepositoryRoot();
        // Build in the configuration the tests were built in, so the pack finds its projects up to date.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        // A fresh version per run: a package id/version pair is immutable once restored.
        var version = versionPrefix + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var consumer = new PackedConsumer(Directory.CreateTempSubdirectory(tempPrefix), version);
        try
        {
            foreach (var project in new[] { "src/Axon.Runtime/Axon.Runtime.csproj", "src/Axon.Toolchain/Axon.Toolchain.csproj" })
            {
                var (packExit, packOutput) = await Dotnet.RunAsync(root, "pack", project, "-c", configuration, "-o", consumer.Feed, $"-p:PackageVersion={version}", "-nologo", "-v:q");
                Assert.True(packExit == 0, packOutput);
            }

            Directory.CreateDirectory(consumer.App);
            File.WriteAllText(Path.Combine(consumer.App, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <config>
                    <add key="globalPackagesFolder" value="{SecurityElement.Escape(Path.Combine(consumer.Work, "packages"))}" />
                  </config>
                  <packageSources>
                    <add key="axon-local" value="{SecurityElement.Escape(consumer.Feed)}" />
                  </packageSources>
                  <fallbackPackageFolders>
                    <add key="user" value="{SecurityElement.Escape(UserPackagesFolder())}" />
                  </fallbackPackageFolders>
                </configuration>
                """);
            return consumer;
        }
        catch
        {
            consumer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <c>App.csproj</c>: a net10.0 console app (warnings as errors, root namespace <c>Greeter</c>) referencing
    /// the packed Axon.Toolchain and Microsoft.Extensions.DependencyInjection.
    /// </summary>
    /// <param name="properties">More <c>PropertyGroup</c> content.</param>
    /// <param name="items">More project content after the package references.</param>
    public void WriteProject(string properties, string items = "") =>
        File.WriteAllText(Path.Combine(App, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                {properties}
                <RootNamespace>Greeter</RootNamespace>
                <NoWarn>$(NoWarn);NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Axon.Toolchain" Version="{Version}" />
                <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.14" />
              </ItemGroup>
              {items}
            </Project>
            """);

    public void Dispose()
    {
        try { _work.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Axon.Toolchain.sln"))) return dir.FullName;
        throw new InvalidOperationException("Repository root (Axon.Toolchain.sln) not found above " + AppContext.BaseDirectory);
    }

    private static string UserPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
