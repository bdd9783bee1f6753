using Axon.Cli.Running;
using Axon.Language;
using Axon.Runtime.Providers;

namespace Axon.Cli.Commands;

/// <summary><c>axon models -b BACKEND</c>: the models the configured key can use (the provider's list-models endpoint).</summary>
internal static class ModelsCommand
{
    public static async Task<int> RunAsync(string backend, CliConsole console, CancellationToken ct)
    {
        if (!Backends.IsKnown(backend))
        {
            console.Error.WriteLine("✗ " + Backends.UnknownMessage(backend));
            return ExitCodes.Usage;
        }
        if (backend == AxonBackends.Stub)
        {
            console.Out.WriteLine("stub (offline; answers any model name with synthetic output)");
            return ExitCodes.Ok;
        }
        var registry = AxonProviderRegistry.CreateDefault();
        try
        {
            using var client = registry.Create(backend, environment: console.Environment);
            var models = await AxonModels.ListAsync(client, ct).ConfigureAwait(false);
            var configured = registry.ResolveOptions(backend, environment: console.Environment).Model;
            foreach (var m in models)
                console.Out.WriteLine(m == configured ? $"{m}  {console.Dim("(configured)")}" : m);
            console.Error.WriteLine($"{models.Count} model(s) on {backend}" +
                (configured is not null && !models.Contains(configured) ? $"; the configured model '{configured}' is not among them" : ""));
            return ExitCodes.Ok;
        }
        catch (AxonProviderException ex)
        {
            // Messages are already redacted by the provider layer; the runtime's secrets list adds the environment's keys.
            var message = ex.Message;
            foreach (var secret in BackendResolver.Secrets(registry, console.Environment))
                message = message.Replace(secret, "***", StringComparison.Ordinal);
            console.Error.WriteLine("✗ " + message);
            return ex.Kind == ProviderErrorKind.Configuration ? ExitCodes.Usage : ExitCodes.Errors;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            console.Error.WriteLine("✗ Cancelled");
            return ExitCodes.Errors;
        }
    }
}
