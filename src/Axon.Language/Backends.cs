using System;
using System.Collections.Generic;

namespace Axon.Language;

/// <summary>The backend names a program can be compiled for (product.md §6).</summary>
public static class Backends
{
    /// <summary>The default backend, as the reference and the seed say.</summary>
    public const string Default = "anthropic";

    /// <summary>Every backend name, in the order they are listed to users.</summary>
    public static readonly IReadOnlyList<string> Names = new[]
    {
        "anthropic", "openai", "gemini", "ollama", "azure-openai", "bedrock", "custom", "stub",
    };

    /// <summary>True when <paramref name="name"/> is a known backend (case-sensitive, as on the command line).</summary>
    public static bool IsKnown(string name) => Array.IndexOf((string[])Names, name) >= 0;

    /// <summary>The seed's message for an unknown backend.</summary>
    public static string UnknownMessage(string name) => $"Backend error: Unknown backend '{name}'. Available: {string.Join(", ", Names)}";
}
