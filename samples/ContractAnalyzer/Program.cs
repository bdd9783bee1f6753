using Axon.Runtime.Execution;
using Axon.Runtime.Providers;
using Axon.Runtime.SemanticTypes;
using ContractAnalyzer;
using Microsoft.Extensions.AI;

// ReviewContractFlow, CheckClauseFlow, ContractReview, ClauseRisk… are generated at build time from
// Axon/contract_review.axon and Axon/clause_check.axon by the Axon.Toolchain source generator.

var backend = ContractReviewAxon.Backend;
IChatClient? client = null;
var registry = AxonProviderRegistry.CreateDefault();
if (registry.IsKnown(backend) && registry.IsConfigured(backend))
{
    client = registry.Create(backend);
    Console.WriteLine($"Backend: {backend}");
}
else
{
    backend = "stub";
    Console.WriteLine("Backend: stub (offline, synthetic answers) - no API key for "
        + $"'{ContractReviewAxon.Backend}' is set; export ANTHROPIC_API_KEY to call the real model.");
}

var runtime = new AxonRuntime(new AxonRunOptions
{
    Backend = backend,
    ChatClient = client,
    OutputDirectory = AppContext.BaseDirectory,
});

var lease = new Document("Commercial lease: Unit 4, Harbour Road", """
    1. Parties. Harbour Estates Ltd ("Landlord") lets Unit 4 to Brightside Bakery LLP ("Tenant").
    2. Term. Five years from 1 March 2026; the Landlord may end the lease on 30 days' notice.
    3. Rent. EUR 2,400 a month, reviewed upwards only, at the Landlord's discretion.
    4. Repairs. The Tenant keeps the whole building, including the roof, in good repair.
    5. Liability. The Landlord is not liable for any loss, however caused.
    """);

// 1. The flow as a typed method: Document in, ContractReview out.
var review = new ReviewContractFlow(runtime);
ContractReview result = await review.RunAsync(lease);
Console.WriteLine();
Console.WriteLine($"Overall risk: {result.OverallRisk.Value:0.00}   Summary: {result.Summary}");
foreach (var party in result.Parties ?? [])
    Console.WriteLine($"  party   {party.Name} ({party.Role})");
foreach (var finding in result.Findings ?? [])
    Console.WriteLine($"  finding [{(double)finding.Risk:0.00}] {finding.Clause}: {finding.Explanation}");

// 2. The file's `run` statement: same flow with its persona, context, anchors, effort and output_to.
var run = ContractReviewAxon.Runs.ReviewContract;
Console.WriteLine();
Console.WriteLine($"run ReviewContract as {run.Persona?.Name} within {run.Context?.Name} constrained_by [{string.Join(", ", run.Anchors.Select(a => a.Name))}], effort {run.Effort}");
var details = await review.RunWithDetailsAsync(run, lease);
Console.WriteLine($"  {details.Run.Steps.Count} steps, {details.Run.TotalUsage.TotalTokens} tokens, written to {Path.GetFileName(details.Run.OutputPath)}");

// 3. A flow declared in a `know` block: the runtime lowers temperature and requires citations.
var verdict = await new CheckClauseFlow(runtime).RunAsync("The Landlord may end the lease on 30 days' notice.", "England and Wales");
Console.WriteLine();
Console.WriteLine($"Clause check ({CheckClauseFlow.Definition.EpistemicMode}): enforceable={verdict.Enforceable}; meaning: {verdict.Meaning}");
foreach (var concern in verdict.Concerns ?? []) Console.WriteLine($"  concern: {concern}");
