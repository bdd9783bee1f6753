using System.Collections.Concurrent;
using Axon.Runtime.Providers;
using Axon.Runtime.Tests.Providers.Emulators;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Axon.Runtime.Tests.Providers;

/// <summary>No API key in any exception (message, inner, ToString), log line or options' ToString.</summary>
public sealed class SecretRedactionTests
{
    [Theory]
    [MemberData(nameof(ProviderWireTests.Backends), MemberType = typeof(ProviderWireTests))]
    public async Task Keys_never_reach_exceptions_or_logs(string backend)
    {
        await using var emulator = ProviderWireTests.CreateEmulator(backend);
        // The emulator echoes the key back in its error bodies, as some gateways do. (Ollama has no key.)
        var hasKey = backend != "ollama";
        if (hasKey)
            emulator.EchoInErrors = $"key {ProviderEmulator.ApiKey}";
        var logs = new CapturingLoggerFactory();
        var options = new AxonProviderOptions { LoggerFactory = logs, Timeout = TimeSpan.FromSeconds(1) };
        using var client = ProviderWireTests.CreateClient(emulator, options: options);
        var token = TestContext.Current.CancellationToken;

        var failures = new List<Exception>();
        foreach (var scenario in new[] { Scenario.Unauthorized, Scenario.BadRequest, Scenario.RateLimited, Scenario.ServerError, Scenario.Reset, Scenario.Stall })
        {
            emulator.Scenario = scenario;
            failures.Add(await Assert.ThrowsAsync<AxonProviderException>(() => client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), token)));
        }
        foreach (var scenario in new[] { Scenario.StreamCut, Scenario.StreamWithoutEnd })
        {
            emulator.Scenario = scenario;
            failures.Add(await Assert.ThrowsAsync<AxonProviderException>(async () =>
            {
                await foreach (var _ in client.GetStreamingResponseAsync(FlowStep.Messages(), FlowStep.Options(), token))
                {
                }
            }));
        }
        emulator.Scenario = Scenario.Plain;
        await client.GetResponseAsync(FlowStep.Messages(), FlowStep.Options(), token);

        // The echoed text did arrive (so redaction, not luck, kept it out).
        if (hasKey)
            Assert.Contains(failures, e => e.Message.Contains("key ***", StringComparison.Ordinal));
        foreach (var e in failures)
        {
            Assert.DoesNotContain(ProviderEmulator.ApiKey, e.ToString());
            for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
                Assert.DoesNotContain(ProviderEmulator.ApiKey, inner.Message);
        }
        Assert.NotEmpty(logs.Lines);
        Assert.Contains(logs.Lines, l => l.Contains("failed", StringComparison.Ordinal));
        Assert.All(logs.Lines, line => Assert.DoesNotContain(ProviderEmulator.ApiKey, line));
        Assert.DoesNotContain(ProviderEmulator.ApiKey, options.ToString());
        Assert.DoesNotContain(ProviderEmulator.ApiKey, client.ToString() ?? "");
        Assert.DoesNotContain(ProviderEmulator.ApiKey, client.GetService<ChatClientMetadata>()?.ProviderUri?.ToString() ?? "");
    }

    [Fact]
    public void Options_to_string_shows_whether_a_key_is_set_but_not_the_key()
    {
        var options = new AxonProviderOptions { ApiKey = "sk-very-secret-value-123", BaseUrl = "http://127.0.0.1:1" };
        Assert.Contains("ApiKey = ***", options.ToString());
        Assert.DoesNotContain("sk-very-secret", options.ToString());
        Assert.Contains("ApiKey = (not set)", new AxonProviderOptions().ToString());
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                // Everything a sink could write: the formatted line, every structured value, the exception.
                var values = state is IEnumerable<KeyValuePair<string, object?>> kv ? string.Join("|", kv.Select(p => $"{p.Key}={p.Value}")) : "";
                owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}
