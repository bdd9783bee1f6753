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

app.Run();

/// <summary>The body of <c>POST /triage</c>.</summary>
internal sealed record TicketRequest(string Ticket);
