using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using static Samsa.Diagnostics.SamsaInstruments;

namespace Samsa.Diagnostics;

/// <summary>
/// The activity source of Samsa's spans (<see cref="SamsaNames.ActivitySourceName"/>), and the one place that names
/// them, tags them and carries their context through Kafka headers: a producer span <c>send {topic}</c> whose W3C
/// context (<c>traceparent</c>, <c>tracestate</c>, <c>baggage</c>) goes into the record's headers, and a consumer span
/// <c>process {topic}</c> that continues it (<see cref="ProcessSpanParent"/>) and always links to it.
/// </summary>
/// <remarks>
/// Callers check <see cref="HasListeners"/> first, so without a listener no span, name or tag is built. A record
/// replayed from the dead-letter topic carries its first trace in <see cref="OriginalTraceParentHeader"/>, which the
/// process span links to as well.
/// </remarks>
internal static class SamsaActivitySource
{
    /// <summary>Header of a replayed record that keeps the <c>traceparent</c> it had when it was dead-lettered.</summary>
    public const string OriginalTraceParentHeader = "samsa-original-traceparent";

    /// <summary>Tag of the attempt number of the last handler call in a process span (1 for the first).</summary>
    public const string AttemptTag = "samsa.attempt";

    /// <summary>Tag of the topic a record was forwarded to (a retry or dead-letter topic).</summary>
    public const string ForwardedToTag = "samsa.forwarded_to";

    private const string TraceParent = "traceparent";
    private const string TraceState = "tracestate";
    private const string Baggage = "baggage";

    private static readonly DistributedContextPropagator Propagator = DistributedContextPropagator.CreateW3CPropagator();

    public static ActivitySource Source { get; } = new(SamsaNames.ActivitySourceName);

    public static bool HasListeners => Source.HasListeners();

    /// <summary>Starts <c>send {topic}</c> as a child of the current activity; null when nobody samples it.</summary>
    public static Activity? StartSend(string topic)
    {
        var activity = Source.StartActivity("send " + topic, ActivityKind.Producer);
        if (activity is null)
        {
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(Attributes.System, Attributes.Kafka);
            activity.SetTag(Attributes.OperationName, "send");
            activity.SetTag(Attributes.OperationType, "send");
            activity.SetTag(Attributes.DestinationName, topic);
        }

        return activity;
    }

    /// <summary>Tags the outcome of a send and stops its span.</summary>
    public static void CompleteSend(Activity activity, int partition, long offset, ErrorCode code, string? reason)
    {
        if (activity.IsAllDataRequested)
        {
            if (partition >= 0)
            {
                activity.SetTag(Attributes.PartitionId, PartitionIds.Of(partition));
            }

            if (code == ErrorCode.NoError)
            {
                activity.SetTag("messaging.kafka.offset", offset);
            }
            else
            {
                activity.SetTag(Attributes.ErrorType, SamsaMetrics.ErrorCodeNames.Of(code));
            }
        }

        if (code != ErrorCode.NoError)
        {
            activity.SetStatus(ActivityStatusCode.Error, reason);
        }

        activity.Stop();
    }

    /// <summary>Writes <paramref name="activity"/>'s context (and baggage) into <paramref name="headers"/>, replacing any there.</summary>
    public static void Inject(Activity activity, Headers headers)
    {
        headers.Remove(TraceParent);
        headers.Remove(TraceState);
        headers.Remove(Baggage);
        Propagator.Inject(activity, headers, static (carrier, key, value) =>
        {
            if (value is not null)
            {
                ((Headers)carrier!).Add(key, Encoding.UTF8.GetBytes(value));
            }
        });
    }

    /// <summary>
    /// Makes the current activity the context a forwarded copy (retry topic, dead letter, replay) carries, when it is
    /// one of Samsa's; otherwise leaves the headers as they are.
    /// </summary>
    public static void InjectCurrent(Headers headers)
    {
        if (Activity.Current is { } current && ReferenceEquals(current.Source, Source))
        {
            Inject(current, headers);
        }
    }

    /// <summary>
    /// For a replay: keeps the record's <c>traceparent</c> in <see cref="OriginalTraceParentHeader"/> (the process span
    /// links to it), and puts the current activity's context, if any, in its place.
    /// </summary>
    public static void PrepareReplay(Headers headers)
    {
        if (headers.TryGetLastBytes(TraceParent, out var original))
        {
            headers.Remove(OriginalTraceParentHeader);
            headers.Add(OriginalTraceParentHeader, original);
        }

        headers.Remove(TraceParent);
        headers.Remove(TraceState);
        if (Activity.Current is { } current)
        {
            Inject(current, headers);
        }
    }

    /// <summary>
    /// Starts <c>process {topic}</c> for <paramref name="record"/>: the child of the context in its headers, or linked to
    /// it only (<paramref name="parent"/>); the headers' baggage is added. Null when nobody samples it.
    /// </summary>
    public static Activity? StartProcess(ConsumeResult<byte[]?, byte[]?> record, string group, int retryLevel, ProcessSpanParent parent)
    {
        var headers = record.Message.Headers;
        var creation = default(ActivityContext);
        var hasCreation = false;
        if (headers is { Count: > 0 })
        {
            Propagator.ExtractTraceIdAndState(headers, GetHeader, out var traceParent, out var traceState);
            hasCreation = ActivityContext.TryParse(traceParent, traceState, isRemote: true, out creation);
        }

        List<ActivityLink>? links = null;
        if (hasCreation)
        {
            links = [new ActivityLink(creation)];
        }

        if (headers is not null && headers.TryGetLastBytes(OriginalTraceParentHeader, out var originalBytes)
            && ActivityContext.TryParse(Encoding.UTF8.GetString(originalBytes), null, isRemote: true, out var original))
        {
            (links ??= []).Add(new ActivityLink(original, new ActivityTagsCollection { ["samsa.link"] = "original" }));
        }

        var activity = Source.StartActivity(
            "process " + record.Topic,
            ActivityKind.Consumer,
            parent == ProcessSpanParent.Child && hasCreation ? creation : default,
            tags: null,
            links);
        if (activity is null)
        {
            return null;
        }

        if (hasCreation)
        {
            var baggage = Propagator.ExtractBaggage(headers, GetHeader);
            if (baggage is not null)
            {
                foreach (var (key, value) in baggage)
                {
                    activity.AddBaggage(key, value);
                }
            }
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(Attributes.System, Attributes.Kafka);
            activity.SetTag(Attributes.OperationName, "process");
            activity.SetTag(Attributes.OperationType, "process");
            activity.SetTag(Attributes.DestinationName, record.Topic);
            activity.SetTag(Attributes.ConsumerGroup, group);
            activity.SetTag(Attributes.PartitionId, PartitionIds.Of(record.Partition.Value));
            activity.SetTag("messaging.kafka.offset", record.Offset.Value);
            if (retryLevel > 0)
            {
                activity.SetTag(Attributes.RetryLevel, retryLevel);
            }
        }

        return activity;
    }

    private static void GetHeader(object? carrier, string fieldName, out string? fieldValue, out IEnumerable<string>? fieldValues)
    {
        fieldValues = null;
        fieldValue = ((Headers)carrier!).TryGetLastBytes(fieldName, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
    }
}
