using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using Axon.Language.Parsing;
using Axon.Language.Syntax;

namespace Axon.Language.Tests.Syntax;

/// <summary>
/// Rule contexts keep their children inline (<see cref="AxonRuleContext"/>), outside the runtime's list; every way of
/// reading children must answer as ANTLR's own <see cref="ParserRuleContext"/> does for the same children.
/// </summary>
public sealed class RuleContextTests
{
    private static ITerminalNode Token(int type) => new TerminalNodeImpl(new CommonToken(type, "t" + type));

    [Fact]
    public void Inline_children_read_as_the_runtimes_list_for_every_count_and_after_removals()
    {
        var random = new Random(16);
        for (int round = 0; round < 300; round++)
        {
            var ours = new AxonParser.StepDeclContext(null!, 0);
            var theirs = new ParserRuleContext();
            int n = random.Next(0, 14);
            for (int i = 0; i < n; i++)
            {
                switch (random.Next(3))
                {
                    case 0:
                        var token = Token(AxonLexer.COLON + random.Next(3));
                        ours.AddChild(token);
                        theirs.AddChild(token);
                        break;
                    case 1:
                        var ident = new AxonParser.IdentContext(null!, 0);
                        ours.AddChild(ident);
                        theirs.AddChild(ident);
                        break;
                    default:
                        var word = new AxonParser.WordContext(null!, 0);
                        ours.AddChild(word);
                        theirs.AddChild(word);
                        break;
                }
            }
            // The parser removes a last child only where there is one (entering a labelled alternative).
            for (int removals = Math.Min(random.Next(0, 3), n); removals > 0; removals--)
            {
                ours.RemoveLastChild();
                theirs.RemoveLastChild();
            }
            AssertSameChildren(theirs, ours);
        }
    }

    [Fact]
    public void A_labelled_alternative_takes_over_only_the_error_nodes()
    {
        var generic = new AxonParser.PersonaFieldContext(null!, 0);
        var error = new ErrorNodeImpl(new CommonToken(AxonLexer.COLON, ":"));
        generic.AddChild(Token(AxonLexer.COLON));
        generic.AddChild(error);
        generic.AddChild(new AxonParser.IdentContext(null!, 0));

        var labelled = new AxonParser.PersonaFieldContext(null!, 0);
        labelled.CopyFrom(generic);

        Assert.Equal(1, labelled.ChildCount);
        Assert.Same(error, labelled.GetChild(0));
        Assert.Same(labelled, error.Parent);
    }

    private static void AssertSameChildren(ParserRuleContext expected, ParserRuleContext actual)
    {
        Assert.Equal(expected.ChildCount, actual.ChildCount);
        for (int i = -1; i <= expected.ChildCount + 1; i++)
        {
            Assert.Same(expected.GetChild(i), actual.GetChild(i));
            Assert.Same(expected.GetChild<AxonParser.IdentContext>(i), actual.GetChild<AxonParser.IdentContext>(i));
            Assert.Same(expected.GetRuleContext<AxonParser.WordContext>(i), actual.GetRuleContext<AxonParser.WordContext>(i));
            Assert.Same(expected.GetChild<ITerminalNode>(i), actual.GetChild<ITerminalNode>(i));
            for (int type = AxonLexer.COLON; type < AxonLexer.COLON + 3; type++)
                Assert.Same(expected.GetToken(type, i), actual.GetToken(type, i));
        }
        for (int type = AxonLexer.COLON; type < AxonLexer.COLON + 3; type++)
            Assert.Equal(expected.GetTokens(type), actual.GetTokens(type));
        Assert.Equal(expected.GetRuleContexts<AxonParser.IdentContext>(), actual.GetRuleContexts<AxonParser.IdentContext>());
        Assert.Equal(expected.GetRuleContexts<ParserRuleContext>(), actual.GetRuleContexts<ParserRuleContext>());
    }
}

/// <summary>The value spans of an AST node: the dictionary semantics they had, in a smaller form.</summary>
public sealed class SpanMapTests
{
    private static TextSpan At(int line) => new(line, 1, line, 2);

    [Fact]
    public void The_last_value_wins_and_keeps_its_first_position()
    {
        var map = new SpanMap();
        Assert.Empty(map);
        string[] keys = ["given", "ask", "output", "confidence_floor", "depth", "effort"];
        for (int i = 0; i < keys.Length; i++) map[keys[i]] = At(i + 1);
        map["ask"] = At(40);

        Assert.Equal(keys.Length, map.Count);
        Assert.Equal(keys, map.Keys);
        Assert.Equal(At(40), map["ask"]);
        Assert.Equal(map.Select(kv => kv.Value), map.Values);
        Assert.True(map.TryGetValue("output", out var output));
        Assert.Equal(At(3), output);
        Assert.False(map.TryGetValue("Output", out _)); // ordinal, as the dictionary's comparer was
        Assert.False(map.ContainsKey("tone"));
        Assert.Throws<KeyNotFoundException>(() => map["tone"]);
        Assert.Empty(SpanMap.Empty);
    }
}
