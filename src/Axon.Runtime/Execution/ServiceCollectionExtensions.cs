using Axon.Runtime.Execution;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Axon.Runtime;

/// <summary>DI registration of the AXON runtime.</summary>
public static class AxonServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AxonRuntime"/> as a singleton. The chat client is the one in the options,
    /// else an <see cref="IChatClient"/> registered in the container, else the offline stub; the
    /// logger factory comes from the container when the options have none.
    /// </summary>
    public static IServiceCollection AddAxonRuntime(this IServiceCollection services, Action<AxonRunOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp =>
        {
            var options = new AxonRunOptions();
            configure?.Invoke(options);
            options.ChatClient ??= sp.GetService<IChatClient>();
            options.LoggerFactory ??= sp.GetService<ILoggerFactory>();
            return options;
        });
        services.TryAddSingleton(sp => new AxonRuntime(sp.GetRequiredService<AxonRunOptions>()));
        return services;
    }
}
