using System.Collections;
using System.Reflection;
using Samsa.ProtocolGenerator;

namespace Samsa.Protocol.Tests.Generated;

/// <summary>
/// Fills a generated message with non-default values in every field present at a version (or nulls
/// where nullable), driven by the schema, and compares two messages field by field.
/// </summary>
internal sealed class MessageFiller(MessageSpec spec, short version, bool useNulls)
{
    private int _counter = 1;

    public static Type ClassOf(MessageSpec spec)
    {
        var assembly = typeof(KafkaReader).Assembly;
        return assembly.GetType($"{Samsa.ProtocolGenerator.Generator.MessagesNamespace}.{spec.Name}")
            ?? assembly.GetType($"{Samsa.ProtocolGenerator.Generator.InternalNamespace}.{spec.Name}")
            ?? throw new InvalidOperationException($"No generated class for {spec.Name}.");
    }

    public IKafkaMessage CreateFilled()
    {
        var message = (IKafkaMessage)Activator.CreateInstance(ClassOf(spec))!;
        Fill(message, spec.Fields);
        return message;
    }

    private void Fill(object target, IReadOnlyList<FieldSpec> fields)
    {
        var type = target.GetType();
        foreach (var field in fields)
        {
            if (!field.Versions.Contains(version))
            {
                continue;
            }

            var property = type.GetProperty(field.Name) ?? throw new InvalidOperationException($"{type.Name} has no property {field.Name}.");
            property.SetValue(target, MakeValue(field, property.PropertyType));
        }

        if (spec.FlexibleVersions.Contains(version))
        {
            type.GetProperty("UnknownTaggedFields")!.SetValue(target, new List<RawTaggedField> { new(200 + _counter % 7, [(byte)_counter, 0xAB]) });
        }
    }

    private IReadOnlyList<FieldSpec> StructFields(FieldSpec field) =>
        field.Fields ?? spec.CommonStructs.First(s => s.Name == field.ElementTypeName).Fields;

    private object? MakeValue(FieldSpec field, Type propertyType)
    {
        if (useNulls && field.NullableVersions.Contains(version))
        {
            return null;
        }

        _counter++;
        if (field.IsArray)
        {
            var list = (IList)Activator.CreateInstance(propertyType)!;
            var elementType = propertyType.GetGenericArguments()[0];
            for (var i = 0; i < 2; i++)
            {
                if (field.IsStructType)
                {
                    var element = Activator.CreateInstance(elementType)!;
                    Fill(element, StructFields(field));
                    list.Add(element);
                }
                else
                {
                    list.Add(Primitive(field.ElementTypeName, null));
                }
            }

            return list;
        }

        if (field.IsStructType)
        {
            var instance = Activator.CreateInstance(Nullable.GetUnderlyingType(propertyType) ?? propertyType)!;
            Fill(instance, StructFields(field));
            return instance;
        }

        return Primitive(field.TypeName, field.Default);
    }

    private object Primitive(string type, string? defaultValue) => type switch
    {
        "bool" => defaultValue != "true",
        "int8" => (sbyte)(10 + _counter % 100),
        "int16" => (short)(1000 + _counter),
        "uint16" => (ushort)(40000 + _counter),
        "int32" => 1_000_000 + _counter,
        "int64" => (1L << 40) + _counter,
        "float64" => 3.25 + _counter,
        "uuid" => new Guid(_counter, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
        "string" => $"value-{_counter}-é",
        "bytes" => new byte[] { 1, 2, (byte)_counter },
        "records" => (ReadOnlyMemory<byte>?)new byte[] { 9, 8, 7, (byte)_counter },
        _ => throw new InvalidOperationException(type),
    };

    /// <summary>Returns the path of the first difference between two generated objects, or null when equal.</summary>
    public static string? FindDifference(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : $"{path}: {Describe(expected)} vs {Describe(actual)}";
        }

        switch (expected)
        {
            case byte[] bytes:
                return bytes.AsSpan().SequenceEqual((byte[])actual) ? null : $"{path}: bytes differ";
            case ReadOnlyMemory<byte> memory:
                return memory.Span.SequenceEqual(((ReadOnlyMemory<byte>)actual).Span) ? null : $"{path}: records differ";
            case RawTaggedField raw:
                var other = (RawTaggedField)actual;
                return raw.Tag == other.Tag && raw.Data.AsSpan().SequenceEqual(other.Data) ? null : $"{path}: raw tagged field differs";
            case IList list:
                var otherList = (IList)actual;
                if (list.Count != otherList.Count)
                {
                    return $"{path}: count {list.Count} vs {otherList.Count}";
                }

                for (var i = 0; i < list.Count; i++)
                {
                    var difference = FindDifference(list[i], otherList[i], $"{path}[{i}]");
                    if (difference is not null)
                    {
                        return difference;
                    }
                }

                return null;
        }

        var type = expected.GetType();
        if (type.Namespace?.StartsWith("Samsa.Protocol.Messages", StringComparison.Ordinal) == true)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var difference = FindDifference(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
                if (difference is not null)
                {
                    return difference;
                }
            }

            return null;
        }

        return Equals(expected, actual) ? null : $"{path}: {Describe(expected)} vs {Describe(actual)}";
    }

    private static string Describe(object? value) => value?.ToString() ?? "null";
}
