namespace Samsa.Protocol;

/// <summary>Helpers the generated code calls for the tagged-field section of flexible versions.</summary>
internal static class TaggedFields
{
    /// <summary>Reads a tagged field's size and checks that it fits in what remains.</summary>
    public static int ReadSize(ref KafkaReader reader)
    {
        var at = reader.Position;
        var size = reader.ReadUnsignedVarInt();
        if (size > (uint)reader.Remaining)
        {
            ThrowHelper.ThrowLengthExceedsRemaining(size, at, reader.Remaining, "tagged field");
        }

        return (int)size;
    }

    public static void CheckSize(uint tag, int declared, int used)
    {
        if (declared != used)
        {
            ThrowHelper.ThrowTaggedFieldSizeMismatch((int)tag, declared, used);
        }
    }

    /// <summary>Writes the unknown tagged fields whose tag is below <paramref name="beforeTag"/>, keeping ascending tag order.</summary>
    public static void WriteUnknownBefore(ref KafkaWriter writer, List<RawTaggedField>? unknown, ref int index, int beforeTag)
    {
        if (unknown is null)
        {
            return;
        }

        while (index < unknown.Count && unknown[index].Tag < beforeTag)
        {
            var field = unknown[index++];
            writer.WriteUnsignedVarInt((uint)field.Tag);
            writer.WriteUnsignedVarInt((uint)field.Data.Length);
            writer.WriteRaw(field.Data);
        }
    }

    public static void WriteUnknown(ref KafkaWriter writer, List<RawTaggedField>? unknown)
    {
        var index = 0;
        WriteUnknownBefore(ref writer, unknown, ref index, int.MaxValue);
    }

    /// <summary>Exception filter: records the field being read on the way out, and lets the exception pass.</summary>
    public static bool AddPath(ProtocolException exception, string field)
    {
        exception.PrependPath(field);
        return false;
    }
}
