using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Cluster;
using Samsa.Broker.Control;
using Samsa.Broker.Handlers;
using Samsa.Broker.Security;
using Samsa.Protocol;
using Samsa.Protocol.Framing;

namespace Samsa.Broker.Network;

/// <summary>
/// One client connection. A single loop reads whole frames, serves them one at a time in arrival
/// order and writes each response before taking the next request, as Kafka does: pipelined
/// requests therefore get their responses in order, and a produce request's effects are never
/// reordered with the next one's. Responses are batched into one write while more requests are
/// already buffered, and flushed before any request that has to wait (a fetch long poll).
/// A malformed frame, an unknown API key or an unsupported version ends this connection only.
/// TLS and SASL live in the <c>.Tls</c> and <c>.Sasl</c> partials.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Everything is disposed when RunAsync ends.")]
internal sealed partial class BrokerConnection
{
    private const int RetainedOutputBytes = 1 << 20;
    private static long s_nextId;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly BrokerNode _node;
    private readonly ClusterState _cluster;
    private readonly HandlerRegistry _handlers;
    private readonly BrokerControl _control;
    private readonly ApiVersionsHandler _apiVersions;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly int _maxRequestSize;
    private readonly CancellationTokenSource _abort = new();
    private PooledBufferWriter _output = new(4096);
    private long _lastActivity;
    private volatile bool _stopping;
    private volatile bool _busy;
    private ConnectionEndReason? _forcedEndReason;

    public BrokerConnection(Socket socket, BrokerNode node, ClusterState cluster, HandlerRegistry handlers, BrokerControl control, ApiVersionsHandler apiVersions, ILogger logger, TimeProvider time, int maxRequestSize)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _security = cluster.Options.Security.Listener;
        _stream = WrapForTls(new NetworkStream(socket, ownsSocket: true));
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 65536, minimumReadSize: 16384, leaveOpen: true));
        _node = node;
        _cluster = cluster;
        _handlers = handlers;
        _control = control;
        _apiVersions = apiVersions;
        _logger = logger;
        _time = time;
        _maxRequestSize = maxRequestSize;
        _sasl = CreateSaslSession();
        Id = Interlocked.Increment(ref s_nextId);
        Remote = socket.RemoteEndPoint;
        _lastActivity = time.GetTimestamp();
    }

    public long Id { get; }

    /// <summary>True while a request is being served.</summary>
    public bool IsBusy => _busy;

    public EndPoint? Remote { get; }

    /// <summary>True when no request is being served and nothing arrived for longer than <paramref name="timeout"/>.</summary>
    public bool IsIdle(TimeSpan timeout) =>
        !_busy && _time.GetElapsedTime(Interlocked.Read(ref _lastActivity)) > timeout;

    public TimeSpan IdleTime => _time.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    /// <summary>Ends the connection now, abandoning any request in flight.</summary>
    public void Abort(ConnectionEndReason reason)
    {
        _forcedEndReason ??= reason;
        _stopping = true;
        try
        {
            _abort.Cancel();
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    /// <summary>Finishes the request in flight (its response is sent), then closes.</summary>
    public void StopAfterCurrentRequest()
    {
        _forcedEndReason ??= ConnectionEndReason.ServerShutdown;
        _stopping = true;
        _input.CancelPendingRead();
    }

    public async Task RunAsync()
    {
        var reason = ConnectionEndReason.ClientClosed;
        try
        {
            await AuthenticateTlsAsync().ConfigureAwait(false);
            reason = await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (TlsHandshakeException e)
        {
            reason = ConnectionEndReason.TlsHandshakeFailed;
            SecurityLogging.TlsHandshakeFailed(_logger, Id, Remote, e.Message);
        }
        catch (ConnectionException e)
        {
            reason = e.Reason;
            NetworkLogging.ConnectionProtocolError(_logger, Id, Remote, e.Message);
        }
        catch (ProtocolException e)
        {
            reason = ConnectionEndReason.MalformedRequest;
            NetworkLogging.ConnectionProtocolError(_logger, Id, Remote, e.Message);
        }
        catch (OperationCanceledException)
        {
            reason = _forcedEndReason ?? ConnectionEndReason.ServerShutdown;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            reason = _forcedEndReason ?? ConnectionEndReason.NetworkError;
        }
        catch (HandlerFailedException e)
        {
            reason = ConnectionEndReason.HandlerFailed;
            NetworkLogging.RequestFailed(_logger, e.InnerException!, Id, Remote, e.ApiKey, e.ApiVersion);
        }
        finally
        {
            await _input.CompleteAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
            _output.Dispose();
            _abort.Dispose();
        }

        if (_forcedEndReason is { } forced && reason is ConnectionEndReason.ClientClosed or ConnectionEndReason.NetworkError)
        {
            reason = forced;
        }

        NetworkLogging.ConnectionClosed(_logger, Id, Remote, reason);
    }

    private async Task<ConnectionEndReason> ReadLoopAsync()
    {
        while (!_stopping)
        {
            var result = await _input.ReadAsync(_abort.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                if (result.IsCanceled)
                {
                    break;
                }

                while (!_stopping && FrameReader.TryReadFrame(ref buffer, MaxFrameSize, out var frame))
                {
                    _busy = true;
                    Interlocked.Exchange(ref _lastActivity, _time.GetTimestamp());
                    await ProcessFrameAsync(frame).ConfigureAwait(false);
                    _busy = false;
                }

                if (_output.WrittenCount > 0)
                {
                    await FlushAsync().ConfigureAwait(false);
                }

                if (result.IsCompleted)
                {
                    return buffer.IsEmpty ? ConnectionEndReason.ClientClosed : ConnectionEndReason.TruncatedFrame;
                }
            }
            finally
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
            }
        }

        return _forcedEndReason ?? ConnectionEndReason.ServerShutdown;
    }

    private async ValueTask ProcessFrameAsync(ReadOnlySequence<byte> frame)
    {
        if (TryProcessRawSaslToken(frame))
        {
            return;
        }

        byte[]? rented = null;
        ReadOnlyMemory<byte> memory;
        if (frame.IsSingleSegment)
        {
            memory = frame.First;
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent((int)frame.Length);
            frame.CopyTo(rented);
            memory = rented.AsMemory(0, (int)frame.Length);
        }

        try
        {
            var pending = Dispatch(memory, out var context);
            if (context is null)
            {
                return;
            }

            IKafkaResponse? response;
            if (pending.IsCompletedSuccessfully)
            {
                response = pending.Result;
            }
            else
            {
                // The request has to wait: send what earlier requests produced first.
                if (_output.WrittenCount > 0)
                {
                    await FlushAsync().ConfigureAwait(false);
                }

                try
                {
                    response = await pending.ConfigureAwait(false);
                }
                catch (Exception e) when (e is not ProtocolException and not OperationCanceledException)
                {
                    throw new HandlerFailedException(context.ApiKey, context.Context.ApiVersion, e);
                }
            }

            WriteResponse(context, response);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private sealed record PendingContext(RequestContext Context, ApiKey ApiKey);

    /// <summary>Decodes the header, picks the handler and starts it. Context is null when the request was answered here.</summary>
    private ValueTask<IKafkaResponse?> Dispatch(ReadOnlyMemory<byte> frame, out PendingContext? context)
    {
        context = null;
        var info = RequestHeaderInfo.Peek(frame.Span);
        var handler = _handlers.Get(info.ApiKey)
            ?? throw new ConnectionException(ConnectionEndReason.UnknownApiKey, $"Unknown API key {(short)info.ApiKey} (correlation id {info.CorrelationId}).");

        var reader = new KafkaReader(frame);
        var header = KafkaFrames.ReadRequestHeader(ref reader);
        NetworkLogging.RequestReceived(_logger, Id, info.ApiKey, info.ApiVersion, info.CorrelationId, header.ClientId);
        if (info.ApiVersion < handler.MinVersion || info.ApiVersion > handler.MaxVersion)
        {
            if (info.ApiKey == ApiKey.ApiVersions)
            {
                // The client retries with a version it finds in this answer.
                NetworkLogging.UnsupportedApiVersions(_logger, Id, info.ApiKey, info.ApiVersion);
                KafkaFrames.WriteResponse(_output, _apiVersions.CreateUnsupportedVersionResponse(), 0, info.CorrelationId);
                return default;
            }

            throw new ConnectionException(
                ConnectionEndReason.UnsupportedVersion,
                $"{info.ApiKey} version {info.ApiVersion} is not supported (supported: {handler.MinVersion}-{handler.MaxVersion}).");
        }

        AdmitBeforeAuthentication(info.ApiKey);
        var requestContext = new RequestContext
        {
            Node = _node,
            Cluster = _cluster,
            ApiVersion = info.ApiVersion,
            CorrelationId = info.CorrelationId,
            ClientId = header.ClientId,
            RemoteEndPoint = Remote,
            ConnectionId = Id,
            Time = _time,
            Logger = _logger,
            Aborted = _abort.Token,
            Principal = Principal,
            Sasl = _sasl,
        };
        context = new PendingContext(requestContext, info.ApiKey);
        try
        {
            return _control.HandleAsync(handler, requestContext, frame[reader.Position..]);
        }
        catch (Exception e) when (e is not ProtocolException and not OperationCanceledException)
        {
            throw new HandlerFailedException(info.ApiKey, info.ApiVersion, e);
        }
    }

    private void WriteResponse(PendingContext pending, IKafkaResponse? response)
    {
        try
        {
            if (response is not null)
            {
                KafkaFrames.WriteResponse(_output, response, pending.Context.ApiVersion, pending.Context.CorrelationId);
            }
        }
        catch (ProtocolException e)
        {
            // A response the requested version cannot express is a broker bug, not bad client input.
            throw new HandlerFailedException(pending.ApiKey, pending.Context.ApiVersion, e);
        }
        finally
        {
            pending.Context.ReleaseResponseResources();
        }
    }

    private async ValueTask FlushAsync()
    {
        await _stream.WriteAsync(_output.WrittenMemory, _abort.Token).ConfigureAwait(false);
        if (_output.Capacity > RetainedOutputBytes)
        {
            // Don't keep a large fetch response's buffer for the life of the connection.
            _output.Dispose();
            _output = new PooledBufferWriter(4096);
        }
        else
        {
            _output.Clear();
        }
    }

    /// <summary>Bad input that ends the connection with a known reason.</summary>
    private sealed class ConnectionException(ConnectionEndReason reason, string message) : Exception(message)
    {
        public ConnectionEndReason Reason { get; } = reason;
    }

    /// <summary>A handler threw: a broker bug. The connection closes and the error is logged with its request.</summary>
    private sealed class HandlerFailedException(ApiKey apiKey, short apiVersion, Exception inner)
        : Exception($"{apiKey} v{apiVersion} failed", inner)
    {
        public ApiKey ApiKey { get; } = apiKey;

        public short ApiVersion { get; } = apiVersion;
    }
}
