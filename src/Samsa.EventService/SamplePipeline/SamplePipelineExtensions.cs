using System.Text.Json;
using Samsa.Consuming;
using Samsa.DependencyInjection;

namespace Samsa.EventService.SamplePipeline;

/// <summary>
/// Registers the sample pipeline: a consumer of <see cref="Topic"/> in group <see cref="GroupId"/> whose handler fails
/// when an event asks it to, with one retry topic and a dead-letter topic, so retry, dead letters and replay can be
/// seen over HTTP (<c>Endpoints/PipelineEndpoints</c>, <c>Endpoints/DeadLetterEndpoints</c>).
/// </summary>
internal static class SamplePipelineExtensions
{
    public const string Topic = "events";
    public const string GroupId = "event-service";

    /// <summary>How long a record waits on the retry topic: short, so a demo sees it dead-lettered within seconds.</summary>
    public static readonly TimeSpan RetryTopicDelay = TimeSpan.FromSeconds(1);

    public static SamsaKafkaBuilder AddSamplePipeline(this SamsaKafkaBuilder builder)
    {
        builder.Services.AddSingleton<HandledEvents>();
        builder.Services.AddSingleton<FailureSwitch>();
        builder.Services.AddSingleton<SampleEventHandler>();
        return builder
            .AddTopic(Topic)
            .AddConsumer<SampleEventHandler, JsonElement>(Topic, GroupId, options =>
            {
                options.Retry.RetryTopicDelays = [RetryTopicDelay];

                // Commits soon after handling, so GET /pipeline shows the lag drop at once.
                options.CommitInterval = TimeSpan.FromMilliseconds(200);
            });
    }

    /// <summary>The sample consumer's worker (for its status).</summary>
    public static ConsumerWorker Worker(this IServiceProvider services) =>
        services.GetRequiredService<ConsumerWorkers>().Get(Topic, GroupId);
}
