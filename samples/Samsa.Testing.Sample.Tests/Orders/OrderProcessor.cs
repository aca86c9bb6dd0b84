using System.Text;
using Confluent.Kafka;

namespace Samsa.Testing.Sample.Tests.Orders;

/// <summary>
/// The service's read side: handles each order, retries a failing one up to <c>maxAttempts</c> times,
/// then writes it to the dead-letter topic with the error in a header, and commits after each record.
/// </summary>
public sealed class OrderProcessor(ConsumerConfig consumerConfig, ProducerConfig producerConfig, string topic, string deadLetterTopic, Func<Message<string, string>, Task> handle, int maxAttempts = 3)
{
    public async Task RunAsync(CancellationToken stopping)
    {
        using var consumer = new ConsumerBuilder<string, string>(consumerConfig).Build();
        using var deadLetters = new ProducerBuilder<string, string>(producerConfig).Build();
        consumer.Subscribe(topic);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var record = consumer.Consume(TimeSpan.FromMilliseconds(50));
                if (record is null)
                {
                    continue;
                }

                if (await TryHandleAsync(record.Message) is { } error)
                {
                    var dead = new Message<string, string> { Key = record.Message.Key, Value = record.Message.Value, Headers = [new Header("error", Encoding.UTF8.GetBytes(error.Message))] };
                    await deadLetters.ProduceAsync(deadLetterTopic, dead, stopping);
                }

                consumer.Commit([new TopicPartitionOffset(record.TopicPartition, record.Offset + 1)]);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            consumer.Close();
        }
    }

    private async Task<Exception?> TryHandleAsync(Message<string, string> message)
    {
        Exception? last = null;
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            try
            {
                await handle(message);
                return null;
            }
            catch (InvalidOperationException e)
            {
                last = e;
            }
        }

        return last;
    }
}
