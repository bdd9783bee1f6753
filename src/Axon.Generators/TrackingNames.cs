namespace Axon.Generators;

/// <summary>Names of the pipeline steps, for incrementality tests (<c>WithTrackingName</c>).</summary>
public static class TrackingNames
{
    /// <summary>MSBuild properties read from the global options.</summary>
    public const string Options = "AxonOptions";
    /// <summary>An <c>.axon</c> file's path and text.</summary>
    public const string Input = "AxonInput";
    /// <summary>Front end + emission of one file.</summary>
    public const string Compile = "AxonCompile";
    /// <summary>The generated source of one file (position-free, so whitespace edits leave it Unchanged).</summary>
    public const string Emit = "AxonEmit";
    /// <summary>The diagnostics of one file.</summary>
    public const string Diagnostics = "AxonDiagnostics";
    /// <summary>The flow classes of every file, for <c>AddAxon</c>.</summary>
    public const string Services = "AxonServices";
}
