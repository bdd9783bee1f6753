using Axon.Runtime.Execution;
using OpenTelemetry.Trace;
using SupportTriage;

// TriageTicketFlow and TicketTriage are generated at build time from Axon/triage.axon.
var builder = WebApplication.CreateBuilder(args);

// One line: the runtime and every generated flow, configured by the "Axon" section (appsettings.json picks the
// offline stub; set Axon:Backend=anthropic and ANTHROPIC_API_KEY for the real model). Checked at start-up.
builder.Services.AddAxon(builder.Configuration);

// Run, step and model-call spans come from the "Axon" ActivitySource; export them with OTLP when an endpoint is set.
var otel = builder.Services.AddOpenTelemetry().WithTracing(t =>
{
    t.AddSource("Axon").AddAspNetCoreInstrumentation();
    if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) t.AddOtlpExporter();
});

var app = builder.Build();

app.MapGet("/", () => "POST /triage {\"ticket\": \"…\"} for JSON; GET /triage/stream?ticket=… for Server-Sent Events.");

// JSON: the typed flow result as the response body.
app.MapPost("/triage", async (TicketRequest request, TriageTicketFlow flow, CancellationToken ct) =>
{
    if (string.IsNullOrWhiteSpace(request.Ticket))
        return Results.Problem("The ticket text is empty.", statusCode: StatusCodes.Status400BadRequest);
    TicketTriage triage = await flow.RunAsync(request.Ticket, cancellationToken: ct);
    return Results.Ok(triage);
});

// Server-Sent Events: the flow's progress as it runs (steps, the model's text as it streams, the typed result last).
// The request's cancellation (the client going away) stops the enumeration, which cancels the run.
app.MapGet("/triage/stream", (string ticket, TriageTicketFlow flow, CancellationToken ct) =>
    TypedResults.ServerSentEvents(Events(flow.StreamAsync(ticket, cancellationToken: ct), ct)));

app.Run();

static async IAsyncEnumerable<System.Net.ServerSentEvents.SseItem<object>> Events(IAsyncEnumerable<AxonRunUpdate> updates,
    [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
{
    await foreach (var update in updates.WithCancellation(ct))
    {
        yield return update switch
        {
            AxonStepStarted s => new(new { step = s.Step, kind = s.Kind }, "step_started"),
            AxonTextDelta d => new(new { step = d.Step, text = d.Text }, "text"),
            AxonAnchorChecked a => new(new { step = a.Step, anchor = a.Verdict.Anchor, passed = a.Verdict.Passed }, "anchor"),
            AxonStepCompleted c => new(new { step = c.Result.Name, output = c.Result.Output }, "step_completed"),
            AxonRunCompleted<TicketTriage> done => new(new { status = done.Result.Status.ToString(), triage = done.Value }, "completed"),
            _ => new(new { type = update.GetType().Name }, "update"),
        };
    }
}

/// <summary>The body of <c>POST /triage</c>.</summary>
internal sealed record TicketRequest(string Ticket);
