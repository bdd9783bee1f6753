using System.Globalization;
using System.Text;

namespace Axon.Benchmarks.Language;

/// <summary>Generates a large, valid AXON program that uses every construct, for throughput measurements.</summary>
public static class AxonSourceGenerator
{
    /// <summary>Builds a program of at least <paramref name="targetBytes"/> UTF-8 bytes.</summary>
    public static string Generate(int targetBytes)
    {
        var sb = new StringBuilder(targetBytes + 4096);
        sb.Append("// Generated for the front-end benchmark.\nimport axon.anchors.{NoHallucination}\n\n");
        for (int i = 0; Encoding.UTF8.GetByteCount(sb.ToString()) < targetBytes; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            sb.Append($$$"""
                persona Analyst{{{n}}} {
                  domain: ["finance", "risk — ops", "audit"]
                  tone: precise
                  confidence_threshold: 0.85
                  cite_sources: true
                  refuse_if: [speculation, gossip]
                  description: "Reviews filings \"carefully\"."
                }

                context Review{{{n}}} {
                  memory: session
                  language: "en"
                  depth: deep
                  max_tokens: 4096
                  temperature: 0.3
                }

                anchor Grounded{{{n}}} {
                  require: source_citation
                  reject: [speculation, unverifiable_claim]
                  confidence_floor: 0.75
                  unknown_response: "I don't know."
                  on_violation: raise AnchorBreachError
                }

                memory Notes{{{n}}} {
                  store: persistent
                  backend: vector_db
                  retrieval: hybrid
                  decay: 30d
                }

                tool Search{{{n}}} {
                  provider: brave
                  max_results: 5
                  filter: recent(days: 30)
                  timeout: 10s
                }

                type Score{{{n}}}(0.0..1.0)

                type Finding{{{n}}} where score > 0.5 {
                  title: String,
                  score: Score{{{n}}},
                  sources: List<Document>?
                }

                /* A flow that uses every step kind. */
                flow Audit{{{n}}}(doc: Document, notes: String) -> StructuredReport {
                  step Extract {
                    given: doc
                    ask: "Extract every figure and its source"
                    output: EntityMap
                    confidence_floor: 0.8
                  }
                  step Check {
                    given: Extract.output
                    use Search{{{n}}}("latest filings")
                    ask: "Cross-check {{Extract}} against filings"
                    output: Finding{{{n}}}
                  }
                  probe doc for [revenue, margin, auditor]
                  reason about Risk {
                    given: [Extract.output, Check.output]
                    depth: 3
                    show_work: true
                    ask: "What could be misstated?"
                    output: ReasoningChain
                  }
                  validate Check.output against Finding{{{n}}} {
                    if confidence < 0.7 -> refine(max_attempts: 2)
                    if score > 0.9 -> warn "Suspiciously high"
                  }
                  refine {
                    max_attempts: 3
                    backoff: exponential
                    on_exhaustion: escalate
                  }
                  par {
                    step Legal { given: Check.output ask: "Legal view" output: Opinion }
                    step Finance { given: Check.output ask: "Finance view" output: Opinion }
                  }
                  weave [Extract.output, Check.output] into Summary { format: Report priority: [risk, cost] style: "brief" }
                  remember(Check) -> Notes{{{n}}}
                  recall("prior audits") from Notes{{{n}}}
                  if confidence < 0.5 -> step Escalate { given: Check.output ask: "Escalate?" } else -> step Close { ask: "Close it" }
                  hibernate until "auditor_reply" timeout 48h
                }

                know {
                  flow Verify{{{n}}}(claim: FactualClaim) -> FactualClaim {
                    step Cite { given: claim ask: "Find a citation" output: FactualClaim }
                  }
                }

                run Audit{{{n}}}(annual_report.pdf, "q3", effort: high)
                  as Analyst{{{n}}}
                  within Review{{{n}}}
                  constrained_by [Grounded{{{n}}}]
                  on_failure: retry(backoff: exponential)
                  output_to: "audit{{{n}}}.json"
                  effort: high


                """);
        }
        return sb.ToString();
    }

    /// <summary>
    /// The same program with the letters of every string literal and comment in Cyrillic: prose in most of the
    /// world's languages is non-ASCII, which ANTLR's lexer does not cache (see LexerCharStream).
    /// </summary>
    public static string WithNonAsciiProse(string program)
    {
        var chars = program.ToCharArray();
        bool inString = false, inComment = false;
        for (int i = 0; i < chars.Length; i++)
        {
            char c = chars[i];
            if (inComment)
            {
                if (c == '\n') inComment = false;
                else chars[i] = Cyrillic(c);
            }
            else if (inString)
            {
                if (c == '\\') i++; // keep escapes intact
                else if (c == '"') inString = false;
                else chars[i] = Cyrillic(c);
            }
            else if (c == '"') inString = true;
            else if (c == '/' && i + 1 < chars.Length && chars[i + 1] == '/') { inComment = true; i++; }
        }
        return new string(chars);
    }

    private static char Cyrillic(char c) => c is >= 'a' and <= 'z' ? (char)('а' + (c - 'a')) : c;
}
