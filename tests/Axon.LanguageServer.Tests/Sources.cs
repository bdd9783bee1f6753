namespace Axon.LanguageServer.Tests;

/// <summary>Programs the tests open.</summary>
public static class Sources
{
    /// <summary>A valid program that uses every kind of declared name.</summary>
    public const string Review = """
        persona Analyst {
          tone: precise
          confidence_threshold: 0.8
        }

        context Deep {
          memory: session
          depth: deep
        }

        anchor Cited {
          require: source_citation
          on_violation: warn
        }

        tool Search {
          provider: brave
          max_results: 5
          timeout: 10s
        }

        memory Notes {
          store: session
        }

        type Score(0.0..1.0)

        type Finding {
          title: String,
          severity: Score
        }

        flow Review(doc: Document, region: String) -> Finding {
          step Read {
            given: doc
            ask: "What is the main risk in {{region}}?"
            output: FactualClaim
          }
          step Judge {
            given: Read.output
            ask: "Rate it."
            output: Finding
          }
        }

        run Review(report, "EU") as Analyst within Deep constrained_by [Cited] effort: high
        """;

    /// <summary>Mistakes the checker reports: an unknown tone, a duplicate name, an unknown effort.</summary>
    public const string Mistakes = """
        persona Analyst {
          tone: grumpy
        }

        persona Analyst {
          tone: precise
        }

        flow Go(doc: Document) -> Summary {
          step One {
            given: doc
            ask: "Summarize"
            output: Summary
          }
        }

        run Go(x) as Analyst effort: extreme
        """;
}
