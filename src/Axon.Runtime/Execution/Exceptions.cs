namespace Axon.Runtime.Execution;

/// <summary>
/// Base of runtime errors, with the reference's levels (1 validation … 6 timeout). Messages never
/// contain secrets (they pass through the redactor).
/// </summary>
public class AxonRuntimeException : Exception
{
    /// <summary>Creates a runtime error.</summary>
    public AxonRuntimeException(string message, string errorName, int level, string? stepName = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorName = errorName;
        Level = level;
        StepName = stepName;
    }

    /// <summary>The AXON error name (ValidationError, AnchorBreachError, a <c>raise X</c> target…).</summary>
    public string ErrorName { get; }

    /// <summary>Reference error level (1 validation, 2 confidence, 3 anchor, 4 refine exhausted, 5 model call, 6 timeout).</summary>
    public int Level { get; }

    /// <summary>The failing step.</summary>
    public string? StepName { get; }

    /// <summary>The error in the reference's failure-context form (<c>[L3] AnchorBreachError: …</c>).</summary>
    public string ToFailureContext() => $"[L{Level}] {ErrorName}: {Message}" + (StepName is { Length: > 0 } s ? "\n  step: " + s : "");
}

/// <summary>An output did not match its type or a validate rule raised.</summary>
public sealed class AxonValidationException(string message, string errorName = "ValidationError", string? stepName = null)
    : AxonRuntimeException(message, errorName, 1, stepName);

/// <summary>An output's confidence was below the required floor.</summary>
public sealed class AxonConfidenceException(string message, string? stepName = null)
    : AxonRuntimeException(message, "ConfidenceError", 2, stepName);

/// <summary>An anchor with <c>on_violation: raise</c> was breached.</summary>
public sealed class AxonAnchorBreachException(string message, string anchorName, string errorName = "AnchorBreachError", string? stepName = null)
    : AxonRuntimeException(message, errorName, 3, stepName)
{
    /// <summary>The breached anchor.</summary>
    public string AnchorName { get; } = anchorName;
}

/// <summary>All refine attempts failed.</summary>
public sealed class AxonRefineExhaustedException(string message, string errorName = "RefineExhaustedError", string? stepName = null, Exception? inner = null)
    : AxonRuntimeException(message, errorName, 4, stepName, inner);

/// <summary>The model call itself failed.</summary>
public sealed class AxonModelCallException(string message, string? stepName = null, Exception? inner = null)
    : AxonRuntimeException(message, "ModelCallError", 5, stepName, inner);

/// <summary>The flow cannot be executed as defined (unknown tool/memory, dependent par branches, cycles).</summary>
public sealed class AxonFlowDefinitionException(string message) : AxonRuntimeException(message, "FlowDefinitionError", 0);

/// <summary>A resume was refused: unknown or already-used continuation id, expired timeout, unknown flow.</summary>
public sealed class AxonResumeException(string message) : AxonRuntimeException(message, "ResumeError", 6);

/// <summary>A run failed and its <c>on_failure: raise X</c> (or the caller) asked for an exception.</summary>
public sealed class AxonRunFailedException(string message, string errorName, AxonRunResult result)
    : AxonRuntimeException(message, errorName, 4)
{
    /// <summary>The failed run's result (steps, usage, trace data).</summary>
    public AxonRunResult Result { get; } = result;
}

/// <summary>
/// A typed flow's final output is an anchor's (or refine's) fallback text, not a value of the result type.
/// Catch it to handle the fallback; <see cref="Fallback"/> says which anchor and what text.
/// </summary>
public sealed class AxonAnchorFallbackException(AnchorFallback fallback, AxonRunResult result)
    : AxonRuntimeException(
        fallback.Anchor.Length > 0
            ? $"Flow '{result.FlowName}': anchor '{fallback.Anchor}' replaced the output of step '{fallback.Step}' with its fallback \"{fallback.Text}\" ({fallback.Reason})."
            : $"Flow '{result.FlowName}': refine exhausted for step '{fallback.Step}'; its fallback \"{fallback.Text}\" replaced the output ({fallback.Reason}).",
        "AnchorFallback", 3, fallback.Step)
{
    /// <summary>The breached anchor (empty for a refine fallback).</summary>
    public string AnchorName => Fallback.Anchor;
    /// <summary>The fallback text.</summary>
    public string Text => Fallback.Text;
    /// <summary>The fallback details.</summary>
    public AnchorFallback Fallback { get; } = fallback;
    /// <summary>The completed run whose output is the fallback.</summary>
    public AxonRunResult Result { get; } = result;
}
