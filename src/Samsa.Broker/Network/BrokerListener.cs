using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Samsa.Broker.Network;

/// <summary>Accepts connections for one node and keeps track of them for idle checks and shutdown.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Disposed by StopAsync.")]
internal sealed class BrokerListener
{
    private readonly Socket _socket;
    private readonly Func<Socket, BrokerConnection> _createConnection;
    private readonly ILogger _logger;
    private readonly int _nodeId;
    private readonly ConcurrentDictionary<long, (BrokerConnection Connection, Task Run)> _connections = new();
    private readonly CancellationTokenSource _stopAccepting = new();
    private Task _acceptLoop = Task.CompletedTask;

    private BrokerListener(Socket socket, int nodeId, Func<Socket, BrokerConnection> createConnection, ILogger logger)
    {
        _socket = socket;
        _nodeId = nodeId;
        _createConnection = createConnection;
        _logger = logger;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public IPEndPoint EndPoint { get; }

    public int ConnectionCount => _connections.Count;

    /// <summary>Connections serving a request right now (tests use it to know a long poll has started).</summary>
    public int BusyConnectionCount => _connections.Values.Count(c => c.Connection.IsBusy);

    /// <summary>
    /// Binds <paramref name="endPoint"/> (port 0 picks a free one) and listens, but accepts nothing
    /// until <see cref="StartAccepting"/>: while the broker loads, clients that connect wait in the
    /// backlog instead of being served from half-loaded state (Kafka binds its ports early too and
    /// enables request processing only once the broker has started).
    /// </summary>
    public static BrokerListener Bind(IPEndPoint endPoint, int nodeId, Func<Socket, BrokerConnection> createConnection, ILogger logger)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A restarted node takes its old port back at once.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new BrokerListener(socket, nodeId, createConnection, logger);
    }

    /// <summary>Starts serving the connections that wait in the backlog and every later one.</summary>
    public void StartAccepting()
    {
        if (_acceptLoop == Task.CompletedTask && !_stopAccepting.IsCancellationRequested)
        {
            _acceptLoop = AcceptLoopAsync();
            NetworkLogging.Listening(_logger, _nodeId, EndPoint);
        }
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stopAccepting.IsCancellationRequested)
            {
                var socket = await _socket.AcceptAsync(_stopAccepting.Token).ConfigureAwait(false);
                BrokerConnection connection;
                try
                {
                    connection = _createConnection(socket);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    socket.Dispose();
                    continue;
                }

                NetworkLogging.ConnectionAccepted(_logger, _nodeId, connection.Id, connection.Remote);
                var run = Task.Run(connection.RunAsync);
                _connections[connection.Id] = (connection, run);
                _ = run.ContinueWith(_ => _connections.TryRemove(connection.Id, out var _), TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            if (!_stopAccepting.IsCancellationRequested)
            {
                NetworkLogging.AcceptFailed(_logger, e, _nodeId);
            }
        }
    }

    /// <summary>Closes connections idle for longer than <paramref name="timeout"/>.</summary>
    public void CloseIdleConnections(TimeSpan timeout)
    {
        foreach (var (connection, _) in _connections.Values)
        {
            if (connection.IsIdle(timeout))
            {
                NetworkLogging.ConnectionIdle(_logger, connection.Id, connection.Remote, connection.IdleTime.TotalSeconds);
                connection.Abort(ConnectionEndReason.IdleTimeout);
            }
        }
    }

    /// <summary>Cuts the connections whose id <paramref name="match"/> accepts; returns how many.</summary>
    public int AbortConnections(Func<long, bool> match, ConnectionEndReason reason)
    {
        var aborted = 0;
        foreach (var (connection, _) in _connections.Values)
        {
            if (match(connection.Id))
            {
                connection.Abort(reason);
                aborted++;
            }
        }

        return aborted;
    }

    /// <summary>
    /// Stops accepting. Graceful: each connection finishes its request in flight and closes, within
    /// <paramref name="timeout"/>; after that, or when not graceful, connections are cut.
    /// </summary>
    public async Task StopAsync(bool graceful, TimeSpan timeout, ConnectionEndReason reason)
    {
        await _stopAccepting.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);

        var running = _connections.Values.ToList();
        foreach (var (connection, _) in running)
        {
            if (graceful)
            {
                connection.StopAfterCurrentRequest();
            }
            else
            {
                connection.Abort(reason);
            }
        }

        var all = Task.WhenAll(running.Select(r => r.Run));
        if (graceful && await Task.WhenAny(all, Task.Delay(timeout)).ConfigureAwait(false) != all)
        {
            foreach (var (connection, _) in running)
            {
                connection.Abort(reason);
            }
        }

        await all.ConfigureAwait(false);
        _stopAccepting.Dispose();
    }
}
