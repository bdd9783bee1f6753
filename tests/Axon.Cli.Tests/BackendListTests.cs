using Axon.Language;
using Axon.Runtime.Providers;

namespace Axon.Cli.Tests;

/// <summary>
/// The front end (compile -b, the generator's AxonBackend check) and the runtime's provider registry
/// keep separate backend lists, because the runtime must not reference the language. They must agree.
/// </summary>
public sealed class BackendListTests
{
    [Fact]
    public void LanguageAndRuntimeKnowTheSameBackends()
    {
        var runtime = AxonProviderRegistry.CreateDefault().KnownBackends.Append("stub").Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(runtime, Backends.Names.Order(StringComparer.Ordinal));
    }
}
