using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Samsa.Diagnostics;

namespace Samsa.Publishing;

/// <summary>librdkafka's error and log callbacks: atomics and a bounded queue on its thread, logging on a background task.</summary>
internal sealed partial class EventPublisher
{
    private void OnClientError(Error error)
    {
        _tracker.RecordClientError(error.Code, error.Reason, error.IsFatal);
        Post(new ProducerEvent(error.IsFatal ? LogLevel.Critical : LogLevel.Warning, null, error.Reason, error.Code, error.IsFatal));
    }

    private void OnClientLog(LogMessage message)
    {
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
            SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        Post(new ProducerEvent(level, message.Facility, message.Message, null, false));
    }

    private void Post(ProducerEvent item)
    {
        if (!_diagnostics.Writer.TryWrite(item))
        {
            Interlocked.Increment(ref _droppedDiagnostics);
        }
    }

    private async Task DrainDiagnosticsAsync()
    {
        var reader = _diagnostics.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                if (item.ErrorCode is { } code)
                {
                    Log.ProducerError(_logger, code, item.IsFatal, item.Text);
                }
                else if (_logger.IsEnabled(item.Level))
                {
                    Log.ProducerLog(_logger, item.Level, item.Facility ?? string.Empty, item.Text);
                }
            }

            var dropped = Interlocked.Exchange(ref _droppedDiagnostics, 0);
            if (dropped > 0)
            {
                Log.ProducerEventsDropped(_logger, dropped);
            }
        }
    }

    /// <summary>A librdkafka log line or client error, on its way from librdkafka's thread to the logger.</summary>
    private readonly record struct ProducerEvent(LogLevel Level, string? Facility, string Text, ErrorCode? ErrorCode, bool IsFatal);
}
