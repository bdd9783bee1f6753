using Axon.Runtime.Providers;
using Axon.Runtime.Routing;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests.Routing;

public class FaultInjectionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(RoutingStrategyKind.Weighted)]
    [InlineData(RoutingStrategyKind.RoundRobin)]
    [InlineData(RoutingStrategyKind.LatencyAware)]
    public async Task Ten_thousand_calls_over_a_flaky_a_rate_limited_and_a_healthy_provider(RoutingStrategyKind strategy)
    {
        const int Calls = 10_000;
        var time = new ManualTimeProvider();
        var faults = new Random(2026); // seeded: the same faults every run
        var options = new RoutingOptions { Strategy = strategy };
        var (router, fakes) = Routers.Create(options, ["flaky", "limited", "healthy"], time, seed: 7);

        fakes["flaky"].Behaviour = (_, _) => faults.NextDouble() < 0.30 ? throw FakeProvider.Status("flaky", 503) : "ok";
        var cooldownEnd = DateTimeOffset.MinValue;
        var violations = 0;
        fakes["limited"].Behaviour = (_, _) =>
        {
            var now = time.GetUtcNow();
            if (now < cooldownEnd) violations++; // sent while the provider asked for a pause
            if (faults.NextDouble() < 0.60)
            {
                var retryAfter = TimeSpan.FromMilliseconds(faults.Next(1000, 3000));
                cooldownEnd = now + retryAfter;
                throw FakeProvider.Status("limited", 429, retryAfter);
            }
            return "ok";
        };

        int succeeded = 0, typedErrors = 0, failedOver = 0;
        var servedBy = new Dictionary<string, int>();
        for (var i = 0; i < Calls; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            try
            {
                var response = await router.GetResponseAsync(Routers.Hello, null, TestContext.Current.CancellationToken);
                succeeded++;
                var by = (string)response.AdditionalProperties![ProviderRoutingChatClient.ProviderPropertyKey]!;
                servedBy[by] = servedBy.GetValueOrDefault(by) + 1;
                if ((int)response.AdditionalProperties[ProviderRoutingChatClient.AttemptsPropertyKey]! > 1) failedOver++;
            }
            catch (AxonProviderException)
            {
                typedErrors++;
            }
        }

        var sent = string.Join(", ", fakes.Select(f => $"{f.Key} {f.Value.Calls}"));
        var served = string.Join(", ", servedBy.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"));
        output.WriteLine($"{RoutingOptions.StrategyName(strategy)}: {Calls} calls, {succeeded} succeeded, {typedErrors} typed errors, " +
            $"{failedOver} failed over ({100.0 * failedOver / Calls:0.00} %); sent: {sent}; served: {served}; cooldown violations: {violations}");

        Assert.Equal(Calls, succeeded + typedErrors); // none lost (anything else would have escaped the catch)
        Assert.Equal(Calls, succeeded); // a healthy provider is always there to fail over to
        Assert.Equal(0, violations);
        Assert.True(fakes["limited"].Calls > 0 && fakes["flaky"].Calls > 0);
        Assert.InRange(failedOver, 1, Calls / 2);
    }

    [Fact]
    public async Task Concurrent_calls_are_not_lost_and_leave_no_call_in_flight()
    {
        const int Workers = 8, PerWorker = 500;
        var time = new ManualTimeProvider();
        var (router, fakes) = Routers.Create(new RoutingOptions { Strategy = RoutingStrategyKind.LatencyAware }, ["flaky", "limited", "healthy"], time, seed: 3);
        var faults = new ThreadLocal<Random>(() => new Random(Environment.CurrentManagedThreadId));
        fakes["flaky"].Behaviour = (_, _) => faults.Value!.NextDouble() < 0.30 ? throw FakeProvider.Status("flaky", 503) : "ok";
        fakes["limited"].Behaviour = (_, _) => faults.Value!.NextDouble() < 0.60 ? throw FakeProvider.Status("limited", 429, TimeSpan.FromSeconds(1)) : "ok";

        var outcomes = await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            int ok = 0, typed = 0;
            for (var i = 0; i < PerWorker; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(5));
                try
                {
                    await router.GetResponseAsync(Routers.Hello, null, TestContext.Current.CancellationToken);
                    ok++;
                }
                catch (AxonProviderException)
                {
                    typed++;
                }
            }
            return (ok, typed);
        }, TestContext.Current.CancellationToken)));

        Assert.Equal(Workers * PerWorker, outcomes.Sum(o => o.ok + o.typed));
        Assert.Equal(Workers * PerWorker, outcomes.Sum(o => o.ok));
        Assert.All(router.Engine.Slots, s => Assert.Equal(0, Volatile.Read(ref s.InFlight)));
    }
}
