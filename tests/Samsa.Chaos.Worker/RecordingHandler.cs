using System.Text.Json;
using Confluent.Kafka;
using Samsa.Consuming;

namespace Samsa.Chaos.Worker;

/// <summary>
/// Writes each record it handles to the <see cref="HandledLog"/> (what "handled" means to the at-least-once check) and
/// produces it unchanged to the output topic (what the exactly-once check reads back, read_committed).
/// </summary>
internal sealed class RecordingHandler(HandledLog log, RecordingHandler.Target target) : IEventHandler<JsonElement>
{
    public ValueTask HandleAsync(JsonElement @event, ConsumeContext context, CancellationToken cancellationToken)
    {
        log.Append(context.Key, @event.GetProperty("seq").GetInt64(), context.Partition, context.Offset);
        context.Produce(target.Topic, new Message<byte[]?, byte[]?> { Key = context.RawKey, Value = context.RawValue });
        return ValueTask.CompletedTask;
    }

    /// <summary>The output topic.</summary>
    internal sealed record Target(string Topic);
}
