using System.Reflection;
using System.Text;
using Antlr4.Runtime.Atn;
using Axon.Language.Parsing;

namespace Axon.Language.Tests.Syntax;

/// <summary>The lexer's ATN is read with a linear reading of its sets (cold start); it must be the runtime's ATN exactly.</summary>
public sealed class AtnDeserializerTests
{
    private static int[] Serialized(Type recognizer) =>
        (int[])recognizer.GetField("_serializedATN", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

    private static string Describe(ATN atn)
    {
        var sb = new StringBuilder();
        sb.Append(atn.grammarType).Append(' ').Append(atn.maxTokenType).Append(' ').Append(atn.NumberOfDecisions).Append('\n');
        foreach (var state in atn.states)
        {
            if (state is null) { sb.Append("null\n"); continue; }
            sb.Append(state.stateNumber).Append(' ').Append(state.StateType).Append(' ').Append(state.ruleIndex).Append(':');
            for (int i = 0; i < state.NumberOfTransitions; i++)
            {
                var t = state.Transition(i);
                sb.Append(' ').Append(t.TransitionType).Append("->").Append(t.target.stateNumber);
                if (t.Label is { } label) sb.Append(' ').Append(label.ToString());
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    [Theory]
    [InlineData(typeof(AxonLexer))]
    [InlineData(typeof(AxonParser))]
    public void Same_ATN_as_the_runtime_reads(Type recognizer)
    {
        var data = Serialized(recognizer);
        string expected = Describe(new ATNDeserializer().Deserialize((int[])data.Clone()));
        Assert.Equal(expected, Describe(new AxonAtnDeserializer().Deserialize((int[])data.Clone())));
    }
}
