using System.Collections.Concurrent;

namespace Axon.Runtime.State;

/// <summary>Where a continuation is in its life.</summary>
public enum ContinuationStatus
{
    /// <summary>The store has no such continuation.</summary>
    Unknown = 0,
    /// <summary>Saved and waiting to be resumed (or claimed by a resumer whose lease has expired).</summary>
    Pending,
    /// <summary>Claimed by a live resumer (its lease has not expired).</summary>
    Claimed,
    /// <summary>Resumed to the end (or expired); it can never be resumed again.</summary>
    Completed,
    /// <summary>Its state was corrupt or did not fit the flow; moved aside, never resumed.</summary>
    Quarantined,
}

/// <summary>A continuation claimed for resuming: its state, and the token that proves the claim.</summary>
/// <param name="ContinuationId">The continuation.</param>
/// <param name="Token">The claim's token (renew, complete, release and quarantine check it).</param>
/// <param name="State">The saved state.</param>
public sealed record StateClaim(string ContinuationId, string Token, byte[] State);

/// <summary>
/// Persists suspended executions (<c>hibernate</c>). Resuming is one crash-safe protocol:
/// <see cref="TryClaimLeaseAsync"/> takes a lease (only one resumer at a time, across processes and machines),
/// the resumer renews it while it runs (<see cref="RenewLeaseAsync"/>), and <see cref="CompleteAsync"/> marks the
/// continuation completed so it can never resume again. A resumer that dies leaves its claim to expire, after
/// which the continuation is resumable again; <see cref="ReleaseAsync"/> gives it back at once;
/// <see cref="QuarantineAsync"/> moves corrupt state aside.
/// </summary>
/// <remarks>
/// The original four members keep their meaning. <see cref="TryClaimAsync"/> claims and completes in one step
/// (not crash-safe: kept for callers written against it). Stores written before the lease members existed get
/// default implementations built on those four, with the same (not crash-safe) behaviour.
/// </remarks>
public interface IExecutionStateStore
{
    /// <summary>Saves the state of a suspended execution.</summary>
    ValueTask SaveAsync(string continuationId, ReadOnlyMemory<byte> state, CancellationToken cancellationToken);

    /// <summary>Reads a state without claiming it (null when unknown, claimed by a live resumer, completed or quarantined).</summary>
    ValueTask<byte[]?> LoadAsync(string continuationId, CancellationToken cancellationToken);

    /// <summary>Atomically claims and completes a state in one step; null when unknown or already claimed.</summary>
    ValueTask<byte[]?> TryClaimAsync(string continuationId, CancellationToken cancellationToken);

    /// <summary>Ids of executions waiting to be resumed (including claims whose lease has expired).</summary>
    ValueTask<IReadOnlyList<string>> ListPendingAsync(CancellationToken cancellationToken);

    /// <summary>How long a claim lasts without renewal; resumers renew at a third of it.</summary>
    TimeSpan LeaseDuration => TimeSpan.FromSeconds(30);

    /// <summary>
    /// Claims <paramref name="continuationId"/> for <see cref="LeaseDuration"/>: null when it is unknown,
    /// completed, quarantined or claimed by a resumer whose lease is still running. Atomic across processes.
    /// </summary>
    async ValueTask<StateClaim?> TryClaimLeaseAsync(string continuationId, CancellationToken cancellationToken) =>
        await TryClaimAsync(continuationId, cancellationToken).ConfigureAwait(false) is { } bytes
            ? new StateClaim(continuationId, "", bytes)
            : null;

    /// <summary>Extends the claim's lease; false when the claim was lost (expired and taken by another resumer).</summary>
    ValueTask<bool> RenewLeaseAsync(StateClaim claim, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <summary>Marks the claimed continuation completed (never resumable again); false when the claim was lost.</summary>
    ValueTask<bool> CompleteAsync(StateClaim claim, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <summary>Gives the claim back without completing: the continuation is pending again at once.</summary>
    ValueTask ReleaseAsync(StateClaim claim, CancellationToken cancellationToken) =>
        SaveAsync(claim.ContinuationId, claim.State, cancellationToken);

    /// <summary>Moves the claimed continuation's state aside with <paramref name="reason"/>: never pending, never resumed.</summary>
    ValueTask QuarantineAsync(StateClaim claim, string reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Where <paramref name="continuationId"/> is in its life.</summary>
    async ValueTask<ContinuationStatus> GetStatusAsync(string continuationId, CancellationToken cancellationToken) =>
        await LoadAsync(continuationId, cancellationToken).ConfigureAwait(false) is null ? ContinuationStatus.Unknown : ContinuationStatus.Pending;
}

/// <summary>In-process state store (lost when the process exits); leases follow its <see cref="TimeProvider"/>.</summary>
public sealed class InMemoryExecutionStateStore : IExecutionStateStore
{
    private sealed class Entry
    {
        public required byte[] State;
        public ContinuationStatus Status;
        public string? Token;
        public long LeaseUntil;
        public string? Reason;
    }

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates a store.</summary>
    /// <param name="timeProvider">Clock for leases (system clock when null).</param>
    /// <param name="leaseDuration">Claim lease (30 s when null).</param>
    public InMemoryExecutionStateStore(TimeProvider? timeProvider = null, TimeSpan? leaseDuration = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        LeaseDuration = leaseDuration ?? TimeSpan.FromSeconds(30);
    }

    /// <inheritdoc />
    public TimeSpan LeaseDuration { get; }

    private long Now => _time.GetUtcNow().UtcTicks;

    private bool IsResumable(Entry e, long now) =>
        e.Status == ContinuationStatus.Pending || (e.Status == ContinuationStatus.Claimed && e.LeaseUntil <= now);

    /// <inheritdoc />
    public ValueTask SaveAsync(string continuationId, ReadOnlyMemory<byte> state, CancellationToken cancellationToken)
    {
        lock (_entries) _entries[continuationId] = new Entry { State = state.ToArray(), Status = ContinuationStatus.Pending };
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> LoadAsync(string continuationId, CancellationToken cancellationToken)
    {
        lock (_entries)
            return ValueTask.FromResult(_entries.TryGetValue(continuationId, out var e) && IsResumable(e, Now) ? e.State : null);
    }

    /// <inheritdoc />
    public async ValueTask<byte[]?> TryClaimAsync(string continuationId, CancellationToken cancellationToken)
    {
        var claim = await TryClaimLeaseAsync(continuationId, cancellationToken).ConfigureAwait(false);
        if (claim is null) return null;
        await CompleteAsync(claim, cancellationToken).ConfigureAwait(false);
        return claim.State;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListPendingAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        lock (_entries)
            return ValueTask.FromResult<IReadOnlyList<string>>(_entries.Where(kv => IsResumable(kv.Value, now)).Select(kv => kv.Key)
                .Order(StringComparer.Ordinal).ToList());
    }

    /// <inheritdoc />
    public ValueTask<StateClaim?> TryClaimLeaseAsync(string continuationId, CancellationToken cancellationToken)
    {
        var now = Now;
        lock (_entries)
        {
            if (!_entries.TryGetValue(continuationId, out var e) || !IsResumable(e, now)) return ValueTask.FromResult<StateClaim?>(null);
            e.Status = ContinuationStatus.Claimed;
            e.Token = Guid.NewGuid().ToString("N");
            e.LeaseUntil = now + LeaseDuration.Ticks;
            return ValueTask.FromResult<StateClaim?>(new StateClaim(continuationId, e.Token, e.State));
        }
    }

    private bool Holds(StateClaim claim, out Entry entry) =>
        _entries.TryGetValue(claim.ContinuationId, out entry!) && entry.Status == ContinuationStatus.Claimed && entry.Token == claim.Token;

    /// <inheritdoc />
    public ValueTask<bool> RenewLeaseAsync(StateClaim claim, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            if (!Holds(claim, out var e)) return ValueTask.FromResult(false);
            e.LeaseUntil = Now + LeaseDuration.Ticks;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> CompleteAsync(StateClaim claim, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            if (!Holds(claim, out var e)) return ValueTask.FromResult(false);
            e.Status = ContinuationStatus.Completed;
            e.State = [];
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseAsync(StateClaim claim, CancellationToken cancellationToken)
    {
        lock (_entries)
            if (Holds(claim, out var e)) e.Status = ContinuationStatus.Pending;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask QuarantineAsync(StateClaim claim, string reason, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            if (Holds(claim, out var e))
            {
                e.Status = ContinuationStatus.Quarantined;
                e.Reason = reason;
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<ContinuationStatus> GetStatusAsync(string continuationId, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(continuationId, out var e)) return ValueTask.FromResult(ContinuationStatus.Unknown);
            return ValueTask.FromResult(IsResumable(e, Now) ? ContinuationStatus.Pending : e.Status);
        }
    }
}

/// <summary>
/// File-system state store (no dependencies): <c>{id}.state.json</c> per pending continuation in a directory.
/// A claim is an exclusive lock on <c>{id}.lock</c> held by the resuming process (the operating system drops it
/// when that process dies, so the continuation is resumable again at once: the lease is the process's life);
/// completion writes the <c>{id}.done</c> marker before the state file is removed, so a completed continuation
/// never resumes again; quarantined state moves to <c>quarantine/</c> with a <c>.reason.txt</c>.
/// Safe for several processes on one machine (one local volume); use the SQLite or PostgreSQL store otherwise.
/// </summary>
public sealed class FileSystemExecutionStateStore : IExecutionStateStore
{
    private readonly string _directory;
    private readonly ConcurrentDictionary<string, FileStream> _locks = new(StringComparer.Ordinal);

    /// <summary>Creates a store in <paramref name="directory"/> (created if missing).</summary>
    /// <exception cref="AxonStateStoreException">The directory cannot be created.</exception>
    public FileSystemExecutionStateStore(string directory)
    {
        _directory = Path.GetFullPath(directory);
        try { Directory.CreateDirectory(_directory); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AxonStateStoreException(AxonStateOptions.Setting(nameof(AxonStateOptions.Path)), $"cannot create the state directory '{_directory}': {ex.Message}", ex);
        }
    }

    private string PathOf(string id, string suffix)
    {
        // Ids are generated hex strings; refuse anything that could escape the directory.
        if (id.Length == 0 || id.Length > 128 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException("Invalid continuation id.", nameof(id));
        return Path.Combine(_directory, id + suffix);
    }

    private string StatePath(string id) => PathOf(id, ".state.json");
    private string DonePath(string id) => PathOf(id, ".done");
    private string LockPath(string id) => PathOf(id, ".lock");

    /// <inheritdoc />
    public async ValueTask SaveAsync(string continuationId, ReadOnlyMemory<byte> state, CancellationToken cancellationToken)
    {
        var path = StatePath(continuationId);
        var tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await File.WriteAllBytesAsync(tmp, state.ToArray(), cancellationToken).ConfigureAwait(false);
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new AxonStateStoreException(AxonStateOptions.Setting(nameof(AxonStateOptions.Path)), $"cannot write '{path}': {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<byte[]?> LoadAsync(string continuationId, CancellationToken cancellationToken)
    {
        var path = StatePath(continuationId);
        if (File.Exists(DonePath(continuationId)) || IsLockedElsewhere(continuationId)) return null;
        try { return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false); }
        catch (FileNotFoundException) { return null; }
    }

    /// <inheritdoc />
    public async ValueTask<byte[]?> TryClaimAsync(string continuationId, CancellationToken cancellationToken)
    {
        var claim = await TryClaimLeaseAsync(continuationId, cancellationToken).ConfigureAwait(false);
        if (claim is null) return null;
        await CompleteAsync(claim, cancellationToken).ConfigureAwait(false);
        return claim.State;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListPendingAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>(Directory.EnumerateFiles(_directory, "*.state.json")
            .Select(f => Path.GetFileName(f)[..^".state.json".Length])
            .Where(id => !File.Exists(DonePath(id)) && !IsLockedElsewhere(id))
            .Order(StringComparer.Ordinal).ToList());

    private bool IsLockedElsewhere(string id)
    {
        if (_locks.Keys.Any(k => k.StartsWith(id + "/", StringComparison.Ordinal))) return true;
        var handle = TryLock(id);
        if (handle is null) return true;
        handle.Dispose();
        return false;
    }

    // Opening with FileShare.None takes an exclusive advisory lock (flock) on Unix and a share lock on Windows;
    // both are dropped by the operating system when the process dies.
    private FileStream? TryLock(string id)
    {
        try { return new FileStream(LockPath(id), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException ex)
        {
            throw new AxonStateStoreException(AxonStateOptions.Setting(nameof(AxonStateOptions.Path)), $"cannot lock '{LockPath(id)}': {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<StateClaim?> TryClaimLeaseAsync(string continuationId, CancellationToken cancellationToken)
    {
        var statePath = StatePath(continuationId);
        if (!File.Exists(statePath)) return null;
        var handle = TryLock(continuationId);
        if (handle is null) return null;
        try
        {
            // Checked under the lock: a resumer that completed wrote the marker before it let go.
            if (File.Exists(DonePath(continuationId))) { handle.Dispose(); return null; }
            byte[] bytes;
            try { bytes = await File.ReadAllBytesAsync(statePath, cancellationToken).ConfigureAwait(false); }
            catch (FileNotFoundException) { handle.Dispose(); return null; }
            var token = Guid.NewGuid().ToString("N");
            _locks[continuationId + "/" + token] = handle;
            return new StateClaim(continuationId, token, bytes);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private bool Holds(StateClaim claim) => _locks.ContainsKey(claim.ContinuationId + "/" + claim.Token);

    private void Unlock(StateClaim claim, bool deleteLockFile)
    {
        if (!_locks.TryRemove(claim.ContinuationId + "/" + claim.Token, out var handle)) return;
        // Deleted while still held, so no other process can lock this file and then find it gone; one that opened
        // it just before holds an orphan lock and then sees the done marker.
        if (deleteLockFile) TryDelete(LockPath(claim.ContinuationId));
        handle.Dispose();
    }

    /// <inheritdoc />
    public ValueTask<bool> RenewLeaseAsync(StateClaim claim, CancellationToken cancellationToken) => ValueTask.FromResult(Holds(claim));

    /// <inheritdoc />
    public async ValueTask<bool> CompleteAsync(StateClaim claim, CancellationToken cancellationToken)
    {
        if (!Holds(claim)) return false;
        var done = DonePath(claim.ContinuationId);
        try
        {
            var tmp = done + "." + claim.Token + ".tmp";
            await File.WriteAllTextAsync(tmp, DateTimeOffset.UtcNow.ToString("O"), cancellationToken).ConfigureAwait(false);
            File.Move(tmp, done, overwrite: true);
            TryDelete(StatePath(claim.ContinuationId));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AxonStateStoreException(AxonStateOptions.Setting(nameof(AxonStateOptions.Path)), $"cannot mark '{claim.ContinuationId}' completed: {ex.Message}", ex);
        }
        Unlock(claim, deleteLockFile: true);
        return true;
    }

    /// <inheritdoc />
    public ValueTask ReleaseAsync(StateClaim claim, CancellationToken cancellationToken)
    {
        Unlock(claim, deleteLockFile: false);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask QuarantineAsync(StateClaim claim, string reason, CancellationToken cancellationToken)
    {
        if (!Holds(claim)) return;
        var dir = Path.Combine(_directory, "quarantine");
        try
        {
            Directory.CreateDirectory(dir);
            await File.WriteAllTextAsync(Path.Combine(dir, claim.ContinuationId + ".reason.txt"), reason, cancellationToken).ConfigureAwait(false);
            File.Move(StatePath(claim.ContinuationId), Path.Combine(dir, claim.ContinuationId + ".state.json"), overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AxonStateStoreException(AxonStateOptions.Setting(nameof(AxonStateOptions.Path)), $"cannot quarantine '{claim.ContinuationId}': {ex.Message}", ex);
        }
        Unlock(claim, deleteLockFile: true);
    }

    /// <inheritdoc />
    public ValueTask<ContinuationStatus> GetStatusAsync(string continuationId, CancellationToken cancellationToken)
    {
        ContinuationStatus status;
        if (File.Exists(DonePath(continuationId))) status = ContinuationStatus.Completed;
        else if (File.Exists(Path.Combine(_directory, "quarantine", continuationId + ".state.json"))) status = ContinuationStatus.Quarantined;
        else if (!File.Exists(StatePath(continuationId))) status = ContinuationStatus.Unknown;
        else status = IsLockedElsewhere(continuationId) ? ContinuationStatus.Claimed : ContinuationStatus.Pending;
        return ValueTask.FromResult(status);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp or lock file is ignored by every reader.
        }
    }
}
