using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Samsa.Startup;

/// <summary>
/// The first two start-up checks for one bootstrap broker: its host name resolves, and one of its addresses
/// accepts a TCP connection. Each step must finish within the per-broker timeout.
/// </summary>
internal static class BrokerConnectivityProbe
{
    /// <summary>Resolves the host (an IP address needs no look-up).</summary>
    /// <exception cref="KafkaStartupException">The name does not resolve, or not in time.</exception>
    public static async Task<IPAddress[]> ResolveAsync(
        BrokerAddress broker, StartupHints hints, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(broker.Host, out var literal))
        {
            return [literal];
        }

        using var step = new StepTimeout(timeout, timeProvider, cancellationToken);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(broker.Host, step.Token).WaitAsync(step.Token).ConfigureAwait(false);
            if (addresses.Length == 0)
            {
                throw Fail(KafkaStartupCheck.DnsResolution, broker, $"DNS resolution of broker `{broker}` returned no address", $"{hints.CheckBootstrap}.", true, null);
            }

            return addresses;
        }
        catch (SocketException exception)
        {
            var why = exception.SocketErrorCode switch
            {
                SocketError.HostNotFound or SocketError.NoData => $"no host `{broker.Host}` is known",
                SocketError.TryAgain => $"the DNS server did not answer for `{broker.Host}` (try again)",
                _ => $"{exception.Message} ({exception.SocketErrorCode})",
            };
            throw Fail(
                KafkaStartupCheck.DnsResolution, broker,
                $"DNS resolution of broker `{broker}` failed: {why}", $"{hints.CheckBootstrap}: each host name must resolve from this machine.",
                exception.SocketErrorCode == SocketError.TryAgain, exception);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw Fail(
                KafkaStartupCheck.DnsResolution, broker,
                $"DNS resolution of broker `{broker}` did not finish within {StartupHints.Limit(timeout, "BrokerConnectTimeout")}",
                $"Check this machine's DNS servers, and {hints.BootstrapSetting}.",
                true, exception);
        }
    }

    /// <summary>Connects to the first address that accepts; returns the connected socket and its address.</summary>
    /// <exception cref="KafkaStartupException">No address accepted, or not in time.</exception>
    public static async Task<(Socket Socket, IPEndPoint EndPoint, long ElapsedMs)> ConnectAsync(
        BrokerAddress broker, IPAddress[] addresses, StartupHints hints, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var failures = new List<(IPEndPoint EndPoint, string Why, SocketError Code)>();
        Exception? last = null;
        foreach (var address in addresses)
        {
            var endPoint = new IPEndPoint(address, broker.Port);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var started = timeProvider.GetTimestamp();
            using var step = new StepTimeout(timeout, timeProvider, cancellationToken);
            try
            {
                await socket.ConnectAsync(endPoint, step.Token).ConfigureAwait(false);
                return (socket, endPoint, (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                last = exception;
                var why = exception.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "was refused: nothing listens on that port",
                    SocketError.HostUnreachable or SocketError.NetworkUnreachable => "failed: the host cannot be reached from this machine",
                    SocketError.TimedOut => "timed out: the host does not answer on that port",
                    _ => $"failed: {exception.Message}",
                };
                failures.Add((endPoint, why, exception.SocketErrorCode));
            }
            catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                last = exception;
                failures.Add((endPoint, $"did not finish within {StartupHints.Limit(timeout, "BrokerConnectTimeout")}: the host does not answer on that port " +
                    "(a firewall drops the packets, or the host is down)", SocketError.TimedOut));
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        Debug.Assert(failures.Count > 0, "at least one address was tried");
        var detail = failures.Count == 1 || failures.Select(f => f.Why).Distinct().Count() == 1
            ? $"{failures[0].Why}" + (addresses.Length > 1 || broker.Host != failures[0].EndPoint.Address.ToString() ? $" ({string.Join(", ", failures.Select(f => f.EndPoint))})" : string.Empty)
            : string.Join("; ", failures.Select(f => $"{f.EndPoint} {f.Why}"));
        var refused = failures.All(f => f.Code == SocketError.ConnectionRefused);
        var advice = refused ? ", and that the broker is running and listens on that port." : ", and the network path from this machine to the broker.";
        throw Fail(KafkaStartupCheck.TcpConnect, broker, $"TCP connect to broker `{broker}` {detail}", hints.CheckBootstrap + advice, true, last);
    }

    internal static KafkaStartupException Fail(KafkaStartupCheck check, BrokerAddress broker, string problem, string? advice, bool transient, Exception? cause) =>
        KafkaStartupException.Create(check, broker.Text, problem, advice, transient, cause);
}
