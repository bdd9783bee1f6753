using Axon.Runtime.Memory;
using Npgsql;

namespace Axon.Runtime.State;

/// <summary>
/// The PostgreSQL database shared by the state and memory stores: tables created on first use (under an advisory
/// lock, so instances starting together do not race), leases timed by the server's clock so machines with skewed
/// clocks agree.
/// </summary>
internal sealed class PostgresStateDatabase
{
    private readonly NpgsqlDataSource _source;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;

    public PostgresStateDatabase(string connectionString, string schema, TimeSpan leaseDuration)
    {
        LeaseDuration = leaseDuration;
        if (schema.Length == 0 || schema.Length > 63 || !schema.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(schema[0]))
            throw new AxonStateStoreException(AxonStateOptions.Setting(nameof(AxonStateOptions.Schema)), $"'{schema}' is not a plain schema name (letters, digits, _)");
        Schema = schema;
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
            _source = NpgsqlDataSource.Create(builder);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException or NpgsqlException)
        {
            // The message of a bad connection string may quote it (password included): never pass it on.
            throw new AxonStateStoreException(AxonStateOptions.Setting(nameof(AxonStateOptions.ConnectionString)),
                "the connection string cannot be parsed (expected 'Host=…;Port=…;Database=…;Username=…;Password=…')");
        }
        Where = $"host {builder.Host ?? "?"}, port {builder.Port}, database {builder.Database ?? "(default)"}";
    }

    public string Schema { get; }
    public TimeSpan LeaseDuration { get; }
    private string Where { get; }
    public string Table(string name) => $"\"{Schema}\".{name}";

    public AxonStateStoreException Error(string what, Exception ex) =>
        new(AxonStateOptions.Setting(nameof(AxonStateOptions.ConnectionString)), ex switch
        {
            PostgresException pg => $"PostgreSQL ({Where}) refused to {what}: {pg.SqlState} {pg.MessageText}",
            _ => $"cannot reach PostgreSQL ({Where}) to {what}: {Redact(ex.Message)}",
        }, ex is PostgresException ? ex : null);

    // Npgsql messages name host and port, not the password; stay on the safe side anyway.
    private static string Redact(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message, "(?i)password=[^;]*", "Password=***");

    public async Task<NpgsqlConnection> OpenAsync(string what, CancellationToken ct)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _source.OpenConnectionAsync(ct).ConfigureAwait(false);
            if (!_initialized) await InitializeAsync(connection, ct).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or IOException)
        {
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
            throw Error(what, ex);
        }
    }

    private async Task InitializeAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await _initGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_initialized) return;
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"""
                SELECT pg_advisory_xact_lock(7342001);
                CREATE SCHEMA IF NOT EXISTS "{Schema}";
                CREATE TABLE IF NOT EXISTS {Table("axon_continuations")} (
                  id text PRIMARY KEY,
                  state bytea,
                  status text NOT NULL,
                  token text,
                  lease_until timestamptz NOT NULL DEFAULT '-infinity',
                  claims integer NOT NULL DEFAULT 0,
                  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                  reason text);
                CREATE TABLE IF NOT EXISTS {Table("axon_memory")} (
                  memory text NOT NULL,
                  key text NOT NULL,
                  value text NOT NULL,
                  stored_at bigint NOT NULL,
                  PRIMARY KEY (memory, key));
                """;
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    public async Task<T> Run<T>(string what, Func<NpgsqlCommand, Task<T>> body, CancellationToken ct)
    {
        await using var connection = await OpenAsync(what, ct).ConfigureAwait(false);
        try
        {
            await using var cmd = connection.CreateCommand();
            return await body(cmd).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
        {
            throw Error(what, ex);
        }
    }
}

/// <summary>
/// Hibernate state in PostgreSQL, for many app instances on many machines (same protocol as
/// <see cref="SqliteExecutionStateStore"/>: one atomic <c>UPDATE … RETURNING</c> claims a lease; completed and
/// quarantined rows stay as tombstones). Leases use the server's clock.
/// </summary>
public sealed class PostgresExecutionStateStore : IExecutionStateStore
{
    private readonly PostgresStateDatabase _db;
    private readonly string _table;

    internal PostgresExecutionStateStore(PostgresStateDatabase db)
    {
        _db = db;
        _table = db.Table("axon_continuations");
    }

    /// <summary>Connects with <paramref name="connectionString"/>; tables go to <paramref name="schema"/> (created on first use).</summary>
    /// <exception cref="AxonStateStoreException">The connection string or schema is invalid.</exception>
    public PostgresExecutionStateStore(string connectionString, string schema = "public", TimeSpan? leaseDuration = null)
        : this(new PostgresStateDatabase(connectionString, schema, leaseDuration ?? TimeSpan.FromSeconds(30)))
    {
    }

    /// <inheritdoc />
    public TimeSpan LeaseDuration => _db.LeaseDuration;

    private const string Resumable = "(status = 'pending' OR (status = 'claimed' AND lease_until <= clock_timestamp()))";

    /// <inheritdoc />
    public async ValueTask SaveAsync(string continuationId, ReadOnlyMemory<byte> state, CancellationToken cancellationToken) =>
        await _db.Run("save a continuation", async cmd =>
        {
            cmd.CommandText = $"""
                INSERT INTO {_table} (id, state, status) VALUES (@id, @state, 'pending')
                ON CONFLICT (id) DO UPDATE SET state = excluded.state, status = 'pending', token = NULL, lease_until = '-infinity',
                  updated_at = clock_timestamp(), reason = NULL
                """;
            cmd.Parameters.AddWithValue("id", continuationId);
            cmd.Parameters.AddWithValue("state", state.ToArray());
            return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<byte[]?> LoadAsync(string continuationId, CancellationToken cancellationToken) =>
        await _db.Run("read a continuation", async cmd =>
        {
            cmd.CommandText = $"SELECT state FROM {_table} WHERE id = @id AND {Resumable}";
            cmd.Parameters.AddWithValue("id", continuationId);
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
        await _db.Run("list continuations", async cmd =>
        {
            cmd.CommandText = $"SELECT id FROM {_table} WHERE {Resumable} ORDER BY id";
            var ids = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) ids.Add(reader.GetString(0));
            return (IReadOnlyList<string>)ids;
        }, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<StateClaim?> TryClaimLeaseAsync(string continuationId, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        return await _db.Run("claim a continuation", async cmd =>
        {
            // The row lock of the UPDATE serialises concurrent claimers; the loser re-checks the WHERE and gets no row.
            cmd.CommandText = $"""
                UPDATE {_table} SET status = 'claimed', token = @token, lease_until = clock_timestamp() + @lease,
                  claims = claims + 1, updated_at = clock_timestamp()
                WHERE id = @id AND {Resumable}
                RETURNING state
                """;
            cmd.Parameters.AddWithValue("id", continuationId);
            cmd.Parameters.AddWithValue("token", token);
            cmd.Parameters.AddWithValue("lease", _db.LeaseDuration);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
            var bytes = reader.IsDBNull(0) ? [] : (byte[])reader.GetValue(0);
            return new StateClaim(continuationId, token, bytes);
        }, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<bool> Transition(StateClaim claim, string what, string set, CancellationToken ct, string? reason = null) =>
        await _db.Run(what, async cmd =>
        {
            cmd.CommandText = $"UPDATE {_table} SET {set}, updated_at = clock_timestamp() WHERE id = @id AND status = 'claimed' AND token = @token";
            cmd.Parameters.AddWithValue("id", claim.ContinuationId);
            cmd.Parameters.AddWithValue("token", claim.Token);
            cmd.Parameters.AddWithValue("lease", _db.LeaseDuration);
            cmd.Parameters.AddWithValue("reason", (object?)reason ?? DBNull.Value);
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, ct).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<bool> RenewLeaseAsync(StateClaim claim, CancellationToken cancellationToken) =>
        Transition(claim, "renew a lease", "lease_until = clock_timestamp() + @lease", cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> CompleteAsync(StateClaim claim, CancellationToken cancellationToken) =>
        Transition(claim, "complete a continuation", "status = 'completed', state = NULL, token = NULL", cancellationToken);

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(StateClaim claim, CancellationToken cancellationToken) =>
        await Transition(claim, "release a claim", "status = 'pending', token = NULL, lease_until = '-infinity'", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask QuarantineAsync(StateClaim claim, string reason, CancellationToken cancellationToken) =>
        await Transition(claim, "quarantine a continuation", "status = 'quarantined', token = NULL, reason = @reason", cancellationToken, reason).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<ContinuationStatus> GetStatusAsync(string continuationId, CancellationToken cancellationToken) =>
        await _db.Run("read a continuation", async cmd =>
        {
            cmd.CommandText = $"SELECT status, lease_until <= clock_timestamp() FROM {_table} WHERE id = @id";
            cmd.Parameters.AddWithValue("id", continuationId);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return ContinuationStatus.Unknown;
            return SqlStatus.Parse(reader.GetString(0), reader.GetBoolean(1));
        }, cancellationToken).ConfigureAwait(false);
}

/// <summary><c>remember</c>/<c>recall</c> memory in PostgreSQL, scored like <see cref="InMemoryMemoryStore"/>.</summary>
public sealed class PostgresMemoryStore : IAxonMemoryStore
{
    private readonly PostgresStateDatabase _db;
    private readonly TimeProvider _time;

    internal PostgresMemoryStore(PostgresStateDatabase db, TimeProvider? timeProvider = null)
    {
        _db = db;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Connects with <paramref name="connectionString"/>; tables go to <paramref name="schema"/>.</summary>
    public PostgresMemoryStore(string connectionString, string schema = "public", TimeProvider? timeProvider = null)
        : this(new PostgresStateDatabase(connectionString, schema, TimeSpan.FromSeconds(30)), timeProvider)
    {
    }

    /// <inheritdoc />
    public async ValueTask StoreAsync(string memory, string key, string value, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key)) throw new ArgumentException("Memory key must not be empty.", nameof(key));
        await _db.Run("store a memory", async cmd =>
        {
            cmd.CommandText = $"""
                INSERT INTO {_db.Table("axon_memory")} (memory, key, value, stored_at) VALUES (@m, @k, @v, @t)
                ON CONFLICT (memory, key) DO UPDATE SET value = excluded.value, stored_at = excluded.stored_at
                """;
            cmd.Parameters.AddWithValue("m", memory);
            cmd.Parameters.AddWithValue("k", key);
            cmd.Parameters.AddWithValue("v", value);
            cmd.Parameters.AddWithValue("t", _time.GetUtcNow().UtcTicks);
            return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<MemoryEntry>> RetrieveAsync(string memory, string query, int topK, CancellationToken cancellationToken) =>
        await _db.Run("recall a memory", async cmd =>
        {
            MemorySql.Build(cmd, query, topK, SqlDialect.Postgres, "@");
            cmd.CommandText = cmd.CommandText.Replace("FROM axon_memory", "FROM " + _db.Table("axon_memory"), StringComparison.Ordinal);
            cmd.Parameters.AddWithValue("m", memory);
            return await MemorySql.ReadAsync(cmd, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
}
