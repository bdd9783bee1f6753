using System.Data.Common;
using System.Text;
using Axon.Runtime.Memory;
using Microsoft.Data.Sqlite;

namespace Axon.Runtime.State;

/// <summary>
/// One SQLite file shared by the state and memory stores: created on first use, WAL journal, busy timeout, so
/// several processes on one machine can use it at once. Each operation opens a pooled connection.
/// </summary>
internal sealed class SqliteStateDatabase
{
    private readonly string _connectionString;
    private readonly object _initGate = new();
    private bool _initialized;

    public SqliteStateDatabase(string path, TimeSpan leaseDuration, TimeProvider? timeProvider)
    {
        FilePath = path;
        LeaseDuration = leaseDuration;
        Time = timeProvider ?? TimeProvider.System;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Cache = SqliteCacheMode.Private, Pooling = true, DefaultTimeout = 30,
        }.ToString();
    }

    public string FilePath { get; }
    public TimeSpan LeaseDuration { get; }

    /// <summary>
    /// One writer at a time in this process: SQLite has one write lock anyway, and queueing here (FIFO, without
    /// blocking threads) beats many connections spinning in the busy handler and starving each other; the busy
    /// handler is left to arbitrate between processes.
    /// </summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);
    public TimeProvider Time { get; }
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public AxonStateStoreException Error(string what, Exception ex) =>
        new(AxonStateOptions.Setting(nameof(AxonStateOptions.Path)), ex switch
        {
            SqliteException { SqliteErrorCode: 8 } => $"the SQLite file '{FilePath}' is read-only; cannot {what}",
            SqliteException { SqliteErrorCode: 14 } => $"cannot open the SQLite file '{FilePath}' ({ex.Message}); cannot {what}",
            SqliteException { SqliteErrorCode: 11 or 26 } => $"'{FilePath}' is not a valid SQLite database or is corrupt; cannot {what}",
            _ => $"cannot {what} in '{FilePath}': {ex.Message}",
        }, ex);

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            if (!Volatile.Read(ref _initialized))
            {
                var dir = Path.GetDirectoryName(FilePath);
                if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            }
            await connection.OpenAsync(ct).ConfigureAwait(false);
            // SQLite's own busy handler waits in steps of 1–100 ms for another process's write to finish; the
            // provider's fallback retry sleeps far longer per try, which multiplies claim latency under contention.
            using (var busy = connection.CreateCommand())
            {
                busy.CommandText = "PRAGMA busy_timeout = 30000";
                busy.ExecuteNonQuery();
            }
            if (!Volatile.Read(ref _initialized)) Initialize(connection);
            return connection;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw Error("open the state database", ex);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Initialize(SqliteConnection connection)
    {
        lock (_initGate)
        {
            if (_initialized) return;
            using var cmd = connection.CreateCommand();
            // WAL lets readers and one writer work at once across processes; the statement bodies are each one
            // atomic statement, so the claim needs no explicit transaction.
            cmd.CommandText = """
                PRAGMA journal_mode=WAL;
                PRAGMA synchronous=NORMAL;
                CREATE TABLE IF NOT EXISTS axon_continuations (
                  id TEXT PRIMARY KEY,
                  state BLOB,
                  status TEXT NOT NULL,
                  token TEXT,
                  lease_until INTEGER NOT NULL DEFAULT 0,
                  claims INTEGER NOT NULL DEFAULT 0,
                  updated_at INTEGER NOT NULL,
                  reason TEXT);
                CREATE TABLE IF NOT EXISTS axon_memory (
                  memory TEXT NOT NULL,
                  key TEXT NOT NULL,
                  value TEXT NOT NULL,
                  stored_at INTEGER NOT NULL,
                  PRIMARY KEY (memory, key));
                """;
            cmd.ExecuteNonQuery();
            _initialized = true;
        }
    }
}

/// <summary>
/// Hibernate state in one SQLite file (<see cref="AxonStateOptions"/>, the default store). Claims are leases
/// (one atomic <c>UPDATE … RETURNING</c>); completed and quarantined rows stay as tombstones so an id can never
/// resume twice.
/// </summary>
public sealed class SqliteExecutionStateStore : IExecutionStateStore
{
    private readonly SqliteStateDatabase _db;

    internal SqliteExecutionStateStore(SqliteStateDatabase db) => _db = db;

    /// <summary>Opens (creating on first use) the SQLite file at <paramref name="path"/>.</summary>
    public SqliteExecutionStateStore(string path, TimeSpan? leaseDuration = null, TimeProvider? timeProvider = null)
        : this(new SqliteStateDatabase(Path.GetFullPath(path), leaseDuration ?? TimeSpan.FromSeconds(30), timeProvider))
    {
    }

    /// <inheritdoc />
    public TimeSpan LeaseDuration => _db.LeaseDuration;

    /// <summary>The SQLite file.</summary>
    public string FilePath => _db.FilePath;

    private async Task<T> Run<T>(string what, Func<SqliteCommand, Task<T>> body, CancellationToken ct, bool write = false)
    {
        if (write) await _db.WriteGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await using var connection = await _db.OpenAsync(ct).ConfigureAwait(false);
            await using var cmd = connection.CreateCommand();
            return await body(cmd).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw _db.Error(what, ex);
        }
        finally
        {
            if (write) _db.WriteGate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(string continuationId, ReadOnlyMemory<byte> state, CancellationToken cancellationToken) =>
        await Run("save a continuation", async cmd =>
        {
            cmd.CommandText = """
                INSERT INTO axon_continuations (id, state, status, updated_at) VALUES ($id, $state, 'pending', $now)
                ON CONFLICT (id) DO UPDATE SET state = excluded.state, status = 'pending', token = NULL, lease_until = 0,
                  updated_at = excluded.updated_at, reason = NULL
                """;
            cmd.Parameters.AddWithValue("$id", continuationId);
            cmd.Parameters.AddWithValue("$state", state.ToArray());
            cmd.Parameters.AddWithValue("$now", _db.NowMs);
            return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken, write: true).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<byte[]?> LoadAsync(string continuationId, CancellationToken cancellationToken) =>
        await Run("read a continuation", async cmd =>
        {
            cmd.CommandText = "SELECT state FROM axon_continuations WHERE id = $id AND (status = 'pending' OR (status = 'claimed' AND lease_until <= $now))";
            cmd.Parameters.AddWithValue("$id", continuationId);
            cmd.Parameters.AddWithValue("$now", _db.NowMs);
            return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
        }, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<byte[]?> TryClaimAsync(string continuationId, CancellationToken cancellationToken)
    {
        var claim = await TryClaimLeaseAsync(continuationId, cancellationToken).ConfigureAwait(false);
        if (claim is null) return null;
        await CompleteAsync(claim, cancellationToken).ConfigureAwait(false);
        return claim.State;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> ListPendingAsync(CancellationToken cancellationToken) =>
        await Run("list continuations", async cmd =>
        {
            cmd.CommandText = "SELECT id FROM axon_continuations WHERE status = 'pending' OR (status = 'claimed' AND lease_until <= $now) ORDER BY id";
            cmd.Parameters.AddWithValue("$now", _db.NowMs);
            var ids = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) ids.Add(reader.GetString(0));
            return (IReadOnlyList<string>)ids;
        }, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<StateClaim?> TryClaimLeaseAsync(string continuationId, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        return await Run("claim a continuation", async cmd =>
        {
            // One statement: SQLite's write lock makes the check and the claim atomic across processes.
            cmd.CommandText = """
                UPDATE axon_continuations SET status = 'claimed', token = $token, lease_until = $until, claims = claims + 1, updated_at = $now
                WHERE id = $id AND (status = 'pending' OR (status = 'claimed' AND lease_until <= $now))
                RETURNING state
                """;
            cmd.Parameters.AddWithValue("$id", continuationId);
            cmd.Parameters.AddWithValue("$token", token);
            var now = _db.NowMs;
            cmd.Parameters.AddWithValue("$now", now);
            cmd.Parameters.AddWithValue("$until", now + (long)_db.LeaseDuration.TotalMilliseconds);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
            // A NULL or non-blob state is a corrupt row: hand it over empty, the resumer quarantines it.
            var bytes = reader.IsDBNull(0) ? [] : reader.GetValue(0) as byte[] ?? [];
            return new StateClaim(continuationId, token, bytes);
        }, cancellationToken, write: true).ConfigureAwait(false);
    }

    private async ValueTask<bool> Transition(StateClaim claim, string what, string set, CancellationToken ct, string? reason = null) =>
        await Run(what, async cmd =>
        {
            cmd.CommandText = $"UPDATE axon_continuations SET {set}, updated_at = $now WHERE id = $id AND status = 'claimed' AND token = $token";
            cmd.Parameters.AddWithValue("$id", claim.ContinuationId);
            cmd.Parameters.AddWithValue("$token", claim.Token);
            var now = _db.NowMs;
            cmd.Parameters.AddWithValue("$now", now);
            cmd.Parameters.AddWithValue("$until", now + (long)_db.LeaseDuration.TotalMilliseconds);
            cmd.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, ct, write: true).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<bool> RenewLeaseAsync(StateClaim claim, CancellationToken cancellationToken) =>
        Transition(claim, "renew a lease", "lease_until = $until", cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> CompleteAsync(StateClaim claim, CancellationToken cancellationToken) =>
        Transition(claim, "complete a continuation", "status = 'completed', state = NULL, token = NULL", cancellationToken);

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(StateClaim claim, CancellationToken cancellationToken) =>
        await Transition(claim, "release a claim", "status = 'pending', token = NULL, lease_until = 0", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask QuarantineAsync(StateClaim claim, string reason, CancellationToken cancellationToken) =>
        await Transition(claim, "quarantine a continuation", "status = 'quarantined', token = NULL, reason = $reason", cancellationToken, reason).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<ContinuationStatus> GetStatusAsync(string continuationId, CancellationToken cancellationToken) =>
        await Run("read a continuation", async cmd =>
        {
            cmd.CommandText = "SELECT status, lease_until FROM axon_continuations WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", continuationId);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return ContinuationStatus.Unknown;
            return SqlStatus.Parse(reader.GetString(0), reader.GetInt64(1) <= _db.NowMs);
        }, cancellationToken).ConfigureAwait(false);
}

/// <summary><c>remember</c>/<c>recall</c> memory in the SQLite state file, scored like <see cref="InMemoryMemoryStore"/> (ASCII case-folding).</summary>
public sealed class SqliteMemoryStore : IAxonMemoryStore
{
    private readonly SqliteStateDatabase _db;

    internal SqliteMemoryStore(SqliteStateDatabase db) => _db = db;

    /// <summary>Opens (creating on first use) the SQLite file at <paramref name="path"/>.</summary>
    public SqliteMemoryStore(string path, TimeProvider? timeProvider = null)
        : this(new SqliteStateDatabase(Path.GetFullPath(path), TimeSpan.FromSeconds(30), timeProvider))
    {
    }

    /// <inheritdoc />
    public async ValueTask StoreAsync(string memory, string key, string value, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key)) throw new ArgumentException("Memory key must not be empty.", nameof(key));
        await _db.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await _db.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                INSERT INTO axon_memory (memory, key, value, stored_at) VALUES ($m, $k, $v, $t)
                ON CONFLICT (memory, key) DO UPDATE SET value = excluded.value, stored_at = excluded.stored_at
                """;
            cmd.Parameters.AddWithValue("$m", memory);
            cmd.Parameters.AddWithValue("$k", key);
            cmd.Parameters.AddWithValue("$v", value);
            cmd.Parameters.AddWithValue("$t", _db.Time.GetUtcNow().UtcTicks);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw _db.Error("store a memory", ex);
        }
        finally
        {
            _db.WriteGate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<MemoryEntry>> RetrieveAsync(string memory, string query, int topK, CancellationToken cancellationToken)
    {
        await using var connection = await _db.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var cmd = connection.CreateCommand();
            MemorySql.Build(cmd, query, topK, SqlDialect.Sqlite, "$");
            cmd.Parameters.AddWithValue("$m", memory);
            return await MemorySql.ReadAsync(cmd, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw _db.Error("recall a memory", ex);
        }
    }
}

internal enum SqlDialect { Sqlite, Postgres }

internal static class SqlStatus
{
    public static ContinuationStatus Parse(string status, bool leaseExpired) => status switch
    {
        "pending" => ContinuationStatus.Pending,
        "claimed" => leaseExpired ? ContinuationStatus.Pending : ContinuationStatus.Claimed,
        "completed" => ContinuationStatus.Completed,
        "quarantined" => ContinuationStatus.Quarantined,
        _ => ContinuationStatus.Unknown,
    };
}

/// <summary>The recall query in SQL, scored as <see cref="InMemoryMemoryStore"/> scores (exact key 1, key contains 0.7,
/// value contains 0.4, a longer query word in either 0.2; an empty query 0.1), best then newest first.</summary>
internal static class MemorySql
{
    public static void Build(DbCommand cmd, string query, int topK, SqlDialect dialect, string p)
    {
        var q = query.Trim().ToLowerInvariant();
        string Contains(string column, string parameter) => dialect == SqlDialect.Sqlite
            ? $"instr(lower({column}), {parameter}) > 0"
            : $"strpos(lower({column}), {parameter}) > 0";
        var score = new StringBuilder();
        if (q.Length == 0)
        {
            score.Append("0.1");
        }
        else
        {
            score.Append($"CASE WHEN lower(key) = {p}q THEN 1.0 WHEN {Contains("key", p + "q")} THEN 0.7 WHEN {Contains("value", p + "q")} THEN 0.4");
            var words = q.Split([' ', ',', '.', ';', ':'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 3).Distinct().Take(32).ToArray();
            for (var i = 0; i < words.Length; i++)
            {
                score.Append($" WHEN {Contains("value", $"{p}w{i}")} OR {Contains("key", $"{p}w{i}")} THEN 0.2");
                Add(cmd, $"{p}w{i}", words[i]);
            }
            score.Append(" ELSE 0 END");
            Add(cmd, p + "q", q);
        }
        cmd.CommandText = $"""
            SELECT key, value, stored_at, score FROM (
              SELECT key, value, stored_at, {score} AS score FROM axon_memory WHERE memory = {p}m) AS scored
            WHERE score > 0 ORDER BY score DESC, stored_at DESC LIMIT {Math.Max(0, topK)}
            """;
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var parameter = cmd.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        cmd.Parameters.Add(parameter);
    }

    public static async Task<IReadOnlyList<MemoryEntry>> ReadAsync(DbCommand cmd, CancellationToken ct)
    {
        var list = new List<MemoryEntry>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new MemoryEntry(reader.GetString(0), reader.GetString(1), new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero),
                Convert.ToDouble(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture)));
        return list;
    }
}
