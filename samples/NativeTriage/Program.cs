using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NativeTriage;

// A NativeAOT app running a generated AXON flow: typed records in, typed records out, no reflection.
// The backend is the first argument (default: the offline stub); e.g. `ollama` with OLLAMA_HOST set.
var backend = args.Length > 0 ? args[0] : "stub";
using var services = new ServiceCollection().AddAxon(o => o.Backend = backend).BuildServiceProvider();
var flow = services.GetRequiredService<TriageTicketFlow>();

var ticket = new Ticket("Invoice charged twice", "My card was charged twice for invoice 1042 this morning. Please refund one.");
Triage triage = await flow.RunAsync(ticket);

Console.WriteLine($"backend      {backend}");
Console.WriteLine($"category     {triage.Category}");
Console.WriteLine($"urgency      {triage.Urgency.Value.ToString("0.00", CultureInfo.InvariantCulture)}");
Console.WriteLine($"summary      {triage.Summary.Text}");
Console.WriteLine($"tags         {string.Join(", ", triage.Tags)}");
Console.WriteLine($"needs human  {triage.NeedsHuman}");
Console.WriteLine($"as JSON      {triage.ToJson().ToJsonString()}");
