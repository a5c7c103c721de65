using System.Text.Json;

namespace SwarmFL.Chain.Rpc;

/// <summary>
/// The calls one flow starts inside a batch scope (<see cref="JsonRpcClient.BeginBatch"/>): they wait until
/// <see cref="SendAsync"/> sends them as one JSON-RPC batch, and each then completes with its own result or error.
/// Typed callers (the contract bindings, <see cref="EthClient"/>) need no change: their calls join the scope.
/// </summary>
public sealed class JsonRpcBatch : IDisposable
{
    private readonly JsonRpcClient _client;
    private readonly List<PendingCall> _calls = [];
    private bool _sent;

    internal JsonRpcBatch(JsonRpcClient client, JsonRpcBatch? outer)
    {
        _client = client;
        Outer = outer;
    }

    internal JsonRpcBatch? Outer { get; }

    /// <summary>How many calls are waiting to be sent.</summary>
    public int Count
    {
        get { lock (_calls) return _calls.Count; }
    }

    internal bool TryAdd(PendingCall call)
    {
        lock (_calls)
        {
            if (_sent) return false;
            _calls.Add(call);
            return true;
        }
    }

    /// <summary>Sends the held calls in one request; calls started after this go out on their own.</summary>
    public Task SendAsync(CancellationToken ct = default)
    {
        PendingCall[] calls;
        lock (_calls)
        {
            if (_sent) throw new InvalidOperationException("this batch has already been sent");
            _sent = true;
            calls = [.. _calls];
        }
        return _client.SendBatchAsync(calls, ct);
    }

    /// <summary>Leaves the scope. Calls that were held and never sent fail, so nobody waits for them forever.</summary>
    public void Dispose()
    {
        PendingCall[] unsent;
        lock (_calls)
        {
            unsent = _sent ? [] : [.. _calls];
            _sent = true;
        }
        foreach (var call in unsent)
            call.Result.TrySetException(new InvalidOperationException($"{call.Method} was held in a JSON-RPC batch that was never sent"));
        _client.EndBatch(this);
    }
}

internal sealed class PendingCall(long id, string method, IReadOnlyList<object?> parameters)
{
    public long Id { get; } = id;
    public string Method { get; } = method;
    public IReadOnlyList<object?> Parameters { get; } = parameters;
    public TaskCompletionSource<JsonElement> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
