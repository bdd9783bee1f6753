using System.Diagnostics;
using System.Text;

namespace Axon.Language.Tests;

/// <summary>Broken input never crashes the front end, and work stays linear in the input size.</summary>
public sealed class RobustnessTests
{
    private static readonly string[] Corpus = Directory
        .GetFiles(Path.Combine(AppContext.BaseDirectory, "Conformance", "reference"), "*.axon")
        .OrderBy(f => f, StringComparer.Ordinal)
        .Select(File.ReadAllText)
        .ToArray();

    private static void AssertHandled(string text, string what)
    {
        var result = AxonCompiler.Compile(text);
        Assert.DoesNotContain(result.Diagnostics, d => d.Code == "AXN9999");
        foreach (var d in result.Diagnostics)
        {
            Assert.False(string.IsNullOrEmpty(d.Message), what);
            Assert.True(d.Span.StartLine >= 1 && d.Span.StartColumn >= 1, $"{what}: bad span {d.Span}");
        }
    }

    // Fragments of issue 11's hostile shapes, spliced anywhere into valid programs.
    private static readonly string[] Hostile =
    {
        new string('{', 300), new string('[', 300), string.Concat(Enumerable.Repeat("if x -> ", 300)), string.Concat(Enumerable.Repeat("par { ", 300)),
        string.Concat(Enumerable.Repeat("know { ", 300)), "\r", "\r\r\n", "\ud800", "\udfff\ud800", "3000000000", "1" + new string('0', 400) + ".0",
        "{{ nothing }}", "\"unterminated", "/* open",
    };

    [Fact]
    public void HostileFragmentsAnywhereAreHandledOnASmallStack()
    {
        var random = new Random(11);
        int inputs = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                foreach (var text in Corpus.Where((_, i) => i % 4 == 0))
                {
                    for (int variant = 0; variant < 6; variant++)
                    {
                        var sb = new StringBuilder(text);
                        for (int k = 0, n = 1 + random.Next(3); k < n; k++)
                            sb.Insert(random.Next(sb.Length + 1), Hostile[random.Next(Hostile.Length)]);
                        AssertHandled(sb.ToString(), "hostile fragment");
                        inputs++;
                    }
                }
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }, 1024 * 1024);
        thread.Start();
        thread.Join();
        Assert.Null(failure);
        Assert.True(inputs > 100, $"only {inputs} inputs");
    }

    [Fact]
    public void EveryTruncationIsHandled()
    {
        int inputs = 0;
        foreach (var text in Corpus)
        {
            for (int i = 0; i < text.Length; i += 7)
            {
                AssertHandled(text.Substring(0, i), $"truncated at {i}");
                inputs++;
            }
        }
        Assert.True(inputs > 2000, $"only {inputs} inputs");
    }

    [Fact]
    public void RandomBytesAnywhereAreHandled()
    {
        var random = new Random(20261122);
        int inputs = 0;
        foreach (var text in Corpus)
        {
            for (int variant = 0; variant < 30; variant++)
            {
                var sb = new StringBuilder(text);
                int insertions = 1 + random.Next(4);
                for (int k = 0; k < insertions; k++)
                {
                    var bytes = new byte[1 + random.Next(6)];
                    random.NextBytes(bytes);
                    // Bytes as Latin-1 characters: controls, quotes, braces, non-ASCII — everything a corrupt file holds.
                    sb.Insert(random.Next(sb.Length + 1), Encoding.Latin1.GetString(bytes));
                }
                AssertHandled(sb.ToString(), "random insertion");
                inputs++;
            }
        }
        Assert.True(inputs >= 2000, $"only {inputs} inputs");
    }

    [Fact]
    public void DeepNestingAndUnbalancedInputAreHandled()
    {
        AssertHandled(new string('{', 20000), "open braces");
        AssertHandled(new string('}', 20000), "close braces");
        AssertHandled("flow F() {" + string.Concat(Enumerable.Repeat("par { ", 2000)), "nested par");
        AssertHandled(string.Concat(Enumerable.Repeat("\"", 5001)), "quotes");
        AssertHandled("/*" + new string('*', 10000), "stars");
    }

    [Fact]
    public void WorkGrowsLinearly()
    {
        // Garbage made of corpus fragments and random bytes, at two sizes 16x apart. Quadratic work would
        // take ~256x as long; the bound of 64x leaves room for noise on a busy machine.
        var random = new Random(7);
        string Make(int size)
        {
            var sb = new StringBuilder(size + 1000);
            while (sb.Length < size)
            {
                var text = Corpus[random.Next(Corpus.Length)];
                int start = random.Next(text.Length);
                sb.Append(text, start, Math.Min(200, text.Length - start));
                var bytes = new byte[3];
                random.NextBytes(bytes);
                sb.Append(Encoding.Latin1.GetString(bytes));
            }
            return sb.ToString();
        }
        string small = Make(16_000), large = Make(256_000);
        double Best(string text)
        {
            double best = double.MaxValue;
            for (int i = 0; i < 3; i++)
            {
                var sw = Stopwatch.StartNew();
                AxonCompiler.Compile(text);
                best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
            }
            return best;
        }
        Best(small); // warm up
        double ratio = Best(large) / Math.Max(Best(small), 0.5);
        Assert.True(ratio < 64, $"256 KB took {ratio:F1}x as long as 16 KB");
    }
}

/// <summary>Garbage input costs bounded work: errors are capped and lexing stops early.</summary>
public sealed class ErrorLimitTests
{
    [Fact]
    public void BinaryGarbageStopsAfterTheErrorLimit()
    {
        var random = new Random(3);
        var bytes = new byte[2_000_000];
        random.NextBytes(bytes);
        var result = AxonCompiler.Compile(System.Text.Encoding.Latin1.GetString(bytes));
        Assert.False(result.Success);
        Assert.InRange(result.Diagnostics.Count(d => d.Phase == DiagnosticPhase.Lex), 1000, 1001);
        Assert.InRange(result.Diagnostics.Count, 1000, 2100);
        Assert.Contains(result.Diagnostics, d => d.Code == DiagnosticCodes.TooManyErrors && d.Phase == DiagnosticPhase.Lex);
    }

    [Fact]
    public void ManySyntaxErrorsStopAtTheLimit()
    {
        var text = string.Concat(Enumerable.Repeat("persona P { confidence_threshold: 1 }\n", 1500));
        var result = AxonCompiler.Compile(text);
        Assert.Equal(1001, result.Diagnostics.Count);
        Assert.Equal(DiagnosticCodes.TooManyErrors, result.Diagnostics.Last().Code);
    }
}
