namespace Samsa.Protocol;

/// <summary>
/// Bytes that do not form a valid Kafka frame, header, message or record batch, or a value that
/// cannot be encoded at the requested version. Decoding never throws any other exception type.
/// </summary>
public sealed class ProtocolException : Exception
{
    private readonly string _detail;
    private string? _fieldPath;

    /// <summary>Creates the exception with the problem found.</summary>
    public ProtocolException(string detail)
        : base(detail)
    {
        _detail = detail;
    }

    /// <summary>Creates the exception with the problem found and the exception that revealed it.</summary>
    public ProtocolException(string detail, Exception? innerException)
        : base(detail, innerException)
    {
        _detail = detail;
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public ProtocolException()
        : this("Malformed Kafka protocol data.")
    {
    }

    /// <summary>The dotted path of the field being read or written when the problem was found, e.g. <c>ProduceRequest.TopicData.PartitionData.Records</c>.</summary>
    public string? FieldPath => _fieldPath;

    /// <summary>The problem alone, without the field path.</summary>
    public string Detail => _detail;

    /// <summary>The problem, followed by the field path when one is known.</summary>
    public override string Message => _fieldPath is null ? _detail : $"{_detail} (in {_fieldPath})";

    /// <summary>Adds the name of an enclosing field or message to <see cref="FieldPath"/>; used while the exception unwinds through nested readers.</summary>
    public ProtocolException PrependPath(string name)
    {
        _fieldPath = _fieldPath is null ? name : name + "." + _fieldPath;
        return this;
    }
}
