namespace Samsa.Diagnostics;

/// <summary>
/// How a consumer's <c>process {topic}</c> span relates to the producer's span whose context the record carries in its
/// <c>traceparent</c> header. Either way the span links to that context, as the OpenTelemetry messaging conventions ask.
/// </summary>
public enum ProcessSpanParent
{
    /// <summary>The process span is a child of the producer's span: producer and consumer are one trace (the default).</summary>
    Child,

    /// <summary>The process span starts a trace of its own (or joins the ambient one) and only links to the producer's span.</summary>
    Link,
}
