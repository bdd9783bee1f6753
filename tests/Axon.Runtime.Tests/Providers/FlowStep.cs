using System.Text.Json;
using Axon.Runtime.Tests.Providers.Emulators;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests.Providers;

/// <summary>
/// What one flow step needs from a provider: a system prompt, a user prompt, sampling settings and a
/// JSON-schema response format, through a plain <see cref="IChatClient"/> round trip.
/// </summary>
public static class FlowStep
{
    public static readonly JsonElement CitySchema = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "city": { "type": "string", "description": "The city" },
            "population": { "type": ["integer", "null"] }
          },
          "required": ["city", "population"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

    public static readonly AIFunctionDeclaration WeatherTool = AIFunctionFactory.CreateDeclaration(ProviderEmulator.ToolName, "Current weather of a city",
        JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement.Clone());

    public static ChatMessage[] Messages() =>
        [new(ChatRole.System, ProviderEmulator.SystemPrompt), new(ChatRole.User, ProviderEmulator.UserPrompt)];

    public static ChatOptions Options(bool structured = false, bool tools = false) => new()
    {
        Temperature = 0.2f,
        TopP = 0.9f,
        MaxOutputTokens = 256,
        ResponseFormat = structured ? ChatResponseFormat.ForJsonSchema(CitySchema, "CityFacts", "Facts about a city") : null,
        Tools = tools ? [WeatherTool] : null,
    };

    /// <summary>Runs a structured step and returns the parsed JSON answer.</summary>
    public static async Task<(JsonElement Output, ChatResponse Response)> RunStructuredAsync(IChatClient client, CancellationToken cancellationToken = default)
    {
        var response = await client.GetResponseAsync(Messages(), Options(structured: true), cancellationToken);
        using var doc = JsonDocument.Parse(response.Text);
        return (doc.RootElement.Clone(), response);
    }
}
