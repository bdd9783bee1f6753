using System.Collections.Concurrent;

namespace Axon.Runtime.State;

/// <summary>
/// Persists suspended executions (<c>hibernate</c>). <see cref="TryClaimAsync"/> must be atomic: it
/// is what makes a resume happen exactly once.
/// </summary>
public interface IExecutionStateStore
{
    /// <summary>Saves the state of a suspended execution.</summary>
    ValueTask SaveAsync(string continuationId, ReadOnlyMemory<byte> state, CancellationToken cancellationToken);

    /// <summary>Reads a state without claiming it (null when unknown or already claimed).</summary>
    ValueTask<byte[]?> LoadAsync(string continuationId, CancellationToken cancellationToken);

    /// <summary>Atomically removes and returns a state; null when unknown or already claimed.</summary>
    ValueTask<byte[]?> TryClaimAsync(string continuationId, CancellationToken cancellationToken);

    /// <summary>Ids of executions waiting to be resumed.</summary>
    ValueTask<IReadOnlyList<string>> ListPendingAsync(CancellationToken cancellationToken);
}

/// <summary>In-process state store (lost when the process exits).</summary>
public sealed class InMemoryExecutionStateStore : IExecutionStateStore
{
    private readonly ConcurrentDictionary<string, byte[]> _states = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask SaveAsync(string continuationId, ReadOnlyMemory<byte> state, CancellationToken cancellationToken)
    {
        _states[continuationId] = state.ToArray();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> LoadAsync(string continuationId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_states.TryGetValue(continuationId, out var s) ? s : null);

    /// <inheritdoc />
    public ValueTask<byte[]?> TryClaimAsync(string continuationId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_states.TryRemove(continuationId, out var s) ? s : null);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListPendingAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>(_states.Keys.Order(StringComparer.Ordinal).ToList());
}

/// <summary>
/// File-system state store: one <c>{id}.state.json</c> per suspended execution in a directory. Claiming
/// renames the file first (atomic on one volume), so two processes cannot both resume it.
/// </summary>
public sealed class FileSystemExecutionStateStore : IExecutionStateStore
{
    private readonly string _directory;

    /// <summary>Creates a store in <paramref name="directory"/> (created if missing).</summary>
    public FileSystemExecutionStateStore(string directory)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    private string PathOf(string id)
    {
        // Ids are generated hex strings; refuse anything that could escape the directory.
        if (id.Length == 0 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException("Invalid continuation id.", nameof(id));
        return Path.Combine(_directory, id + ".state.json");
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(string continuationId, ReadOnlyMemory<byte> state, CancellationToken cancellationToken)
    {
        var path = PathOf(continuationId);
        var tmp = path + ".tmp";
        await File.WriteAllBytesAsync(tmp, state.ToArray(), cancellationToken).ConfigureAwait(false);
        File.Move(tmp, path, overwrite: true);
    }

    /// <inheritdoc />
    public async ValueTask<byte[]?> LoadAsync(string continuationId, CancellationToken cancellationToken)
    {
        var path = PathOf(continuationId);
        try { return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false); }
        catch (FileNotFoundException) { return null; }
    }

    /// <inheritdoc />
    public async ValueTask<byte[]?> TryClaimAsync(string continuationId, CancellationToken cancellationToken)
    {
        var path = PathOf(continuationId);
        var claimed = path + "." + Guid.NewGuid().ToString("N") + ".claimed";
        try { File.Move(path, claimed); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        try { return await File.ReadAllBytesAsync(claimed, cancellationToken).ConfigureAwait(false); }
        finally { File.Delete(claimed); }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListPendingAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>(Directory.EnumerateFiles(_directory, "*.state.json")
            .Select(f => Path.GetFileName(f)[..^".state.json".Length]).Order(StringComparer.Ordinal).ToList());
}
