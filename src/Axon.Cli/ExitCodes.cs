namespace Axon.Cli;

/// <summary>The reference's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>A compile or execution error in the program.</summary>
    public const int Errors = 1;
    /// <summary>An I/O or usage error (missing file, bad flag).</summary>
    public const int Usage = 2;
}
