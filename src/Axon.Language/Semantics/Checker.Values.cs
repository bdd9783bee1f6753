using System.Collections.Generic;

namespace Axon.Language.Semantics;

// The value lists the checks accept, for editors (completion of `tone:`, `effort:`, … offers exactly what is valid).
public static partial class Checker
{
    /// <summary>Valid <c>tone:</c> values of a persona.</summary>
    public static IReadOnlyList<string> ValidTones => Tones;

    /// <summary>Valid <c>memory:</c> scopes of a context, and <c>store:</c> types of a memory.</summary>
    public static IReadOnlyList<string> ValidMemoryScopes => MemoryScopes;

    /// <summary>Valid <c>depth:</c> values of a context.</summary>
    public static IReadOnlyList<string> ValidDepths => Depths;

    /// <summary>Valid <c>on_violation:</c> actions of an anchor.</summary>
    public static IReadOnlyList<string> ValidViolationActions => ViolationActions;

    /// <summary>Valid <c>retrieval:</c> strategies of a memory.</summary>
    public static IReadOnlyList<string> ValidRetrievals => Retrievals;

    /// <summary>Valid <c>backoff:</c> values of a refine block.</summary>
    public static IReadOnlyList<string> ValidBackoffs => Backoffs;

    /// <summary>Valid <c>effort:</c> values of a run.</summary>
    public static IReadOnlyList<string> ValidEfforts => Efforts;
}
