namespace Axon.Cli.Tests;

/// <summary>Small AXON programs the tests write into temporary directories.</summary>
internal static class Programs
{
    /// <summary>Two untyped steps and two runs: answers of any provider are valid for it.</summary>
    public const string TwoSteps = """
        persona Helper {
          tone: precise
        }

        flow Summarize(doc: Document) -> Summary {
          step Read {
            given: doc
            ask: "Read the document carefully"
          }
          step Write {
            given: Read.output
            ask: "Write a short summary"
          }
        }

        run Summarize(quarterlyReport) as Helper
        run Summarize(boardMinutes) as Helper
        """;

    /// <summary>A type error at line 3: the step's given names an undefined flow parameter is fine, but an unknown persona is not.</summary>
    public const string UnknownPersona = """
        flow Greet(name: Text) -> Text {
          step Hello {
            given: name
            ask: "Say hello"
          }
        }

        run Greet(world) as NobodyKnowsMe
        """;

    /// <summary>A syntax error on line 2 column 8 (the colon after <c>tone</c> is missing).</summary>
    public const string SyntaxError = """
        persona Broken {
          tone precise
        }
        """;

    /// <summary>A valid program without any run statement.</summary>
    public const string NoRun = """
        persona Quiet {
          tone: formal
        }
        """;

    /// <summary><see cref="TwoSteps"/> with two anchors: answers without a citation breach one (warn), the other passes.</summary>
    public const string Anchored = """
        persona Helper {
          tone: precise
        }

        anchor Cited {
          require: source_citation
          on_violation: warn
        }

        anchor Polite {
          reject: [insults]
          on_violation: warn
        }

        flow Summarize(doc: Document) -> Summary {
          step Read {
            given: doc
            ask: "Read the document carefully"
          }
          step Write {
            given: Read.output
            ask: "Write a short summary"
          }
        }

        run Summarize(quarterlyReport) as Helper constrained_by [Cited, Polite]
        run Summarize(boardMinutes) as Helper constrained_by [Cited, Polite]
        """;
}
