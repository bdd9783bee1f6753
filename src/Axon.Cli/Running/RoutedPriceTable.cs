using Axon.Runtime.Providers;

namespace Axon.Cli.Running;

/// <summary>
/// The runtime prices a call by (backend, model). When routing, the backend is <c>routed</c>, so the
/// price is looked up under each routed provider for the model that answered.
/// </summary>
internal sealed class RoutedPriceTable(IModelPriceTable inner) : IModelPriceTable
{
    public IReadOnlyList<string> RoutedProviders { get; set; } = [];

    public bool TryGetPrice(string provider, string model, out ModelPrice price)
    {
        if (inner.TryGetPrice(provider, model, out price)) return true;
        foreach (var p in RoutedProviders)
            if (inner.TryGetPrice(p, model, out price)) return true;
        price = default;
        return false;
    }
}
