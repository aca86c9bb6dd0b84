using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using Samsa.Protocol;

namespace Samsa.Testing.Faults;

/// <summary>
/// Reads and builds Kafka messages by their shape, so that one piece of code serves every API:
/// the partitions a request or response names, an error response that mirrors a request with the
/// error code at the narrowest level the response has one, and the pruning and merging a partial
/// fault needs. Shapes follow Kafka's schemas: a topic item carries <c>Name</c>/<c>Topic</c> or
/// <c>TopicId</c>; a partition item carries <c>PartitionIndex</c>, <c>Index</c> or <c>Partition</c>.
/// </summary>
internal static class MessageTree
{
    public const string InjectedMessage = "Injected by Samsa.Testing";

    private static readonly string[] TopicNameProperties = ["Name", "Topic"];
    private static readonly string[] PartitionProperties = ["PartitionIndex", "Index", "Partition"];
    private static readonly string[] PartitionListProperties = ["PartitionIndexes", "Partitions"];

    /// <summary>The request lists a response list answers, where the schemas name them differently.</summary>
    private static readonly Dictionary<string, string[]> ResponseListSources = new(StringComparer.Ordinal)
    {
        ["Responses"] = ["TopicData", "Topics", "TopicNames"],
        ["PartitionResponses"] = ["PartitionData"],
        ["Coordinators"] = ["CoordinatorKeys"],
        ["Partitions"] = ["Partitions", "PartitionIndexes"],
        ["ResultsByTransaction"] = ["Transactions"],
        ["TopicResults"] = ["Topics"],
        ["ResultsByPartition"] = ["Partitions"],
        ["Results"] = ["GroupsNames", "Groups"],
    };

    private static readonly ConcurrentDictionary<Type, Shape> Shapes = new();

    /// <summary>Every (topic, partition) <paramref name="message"/> names; partition is null for a topic named without partitions.</summary>
    public static List<PartitionItem> Partitions(object message, Func<Guid, string?> topicName)
    {
        var found = new List<PartitionItem>();
        Visit(message, null, topicName, found);
        return found;
    }

    private static void Visit(object node, string? topic, Func<Guid, string?> topicName, List<PartitionItem> found)
    {
        var shape = ShapeOf(node.GetType());
        topic = TopicOf(node, shape, topicName) ?? topic;
        foreach (var list in shape.Lists)
        {
            if (list.GetValue(node) is not IList items)
            {
                continue;
            }

            foreach (var item in items)
            {
                switch (item)
                {
                    case int partition when topic is not null && PartitionListProperties.Contains(list.Name):
                        found.Add(new PartitionItem(topic, partition, null));
                        break;
                    case string name when list.Name == "TopicNames":
                        found.Add(new PartitionItem(name, null, null));
                        break;
                    case null or string or int or long or RawTaggedField:
                        break;
                    default:
                        var itemShape = ShapeOf(item.GetType());
                        if (topic is not null && itemShape.Partition is { } partitionProperty)
                        {
                            found.Add(new PartitionItem(topic, (int)partitionProperty.GetValue(item)!, item));
                        }
                        else if (TopicOf(item, itemShape, topicName) is { } itemTopic && !HasPartitionList(itemShape))
                        {
                            found.Add(new PartitionItem(itemTopic, null, item));
                        }
                        else
                        {
                            Visit(item, topic, topicName, found);
                        }

                        break;
                }
            }
        }
    }

    /// <summary>
    /// Removes from <paramref name="request"/> the partitions (and topics named without partitions)
    /// <paramref name="matches"/> accepts, and topics left with no partitions.
    /// </summary>
    public static void Prune(object request, Func<string, int?, bool> matches, Func<Guid, string?> topicName) =>
        Prune(request, null, matches, topicName);

    private static void Prune(object node, string? topic, Func<string, int?, bool> matches, Func<Guid, string?> topicName)
    {
        var shape = ShapeOf(node.GetType());
        topic = TopicOf(node, shape, topicName) ?? topic;
        foreach (var list in shape.Lists)
        {
            if (list.GetValue(node) is not IList items)
            {
                continue;
            }

            for (var i = items.Count - 1; i >= 0; i--)
            {
                var item = items[i];
                bool remove;
                switch (item)
                {
                    case int partition when topic is not null && PartitionListProperties.Contains(list.Name):
                        remove = matches(topic, partition);
                        break;
                    case string name when list.Name == "TopicNames":
                        remove = matches(name, null);
                        break;
                    case null or string or int or long or RawTaggedField:
                        remove = false;
                        break;
                    default:
                        var itemShape = ShapeOf(item.GetType());
                        if (topic is not null && itemShape.Partition is { } partitionProperty)
                        {
                            remove = matches(topic, (int)partitionProperty.GetValue(item)!);
                        }
                        else if (TopicOf(item, itemShape, topicName) is { } itemTopic && !HasPartitionList(itemShape))
                        {
                            remove = matches(itemTopic, null);
                        }
                        else
                        {
                            var hadPartitions = PartitionCount(item, itemShape) > 0;
                            Prune(item, topic, matches, topicName);
                            remove = hadPartitions && PartitionCount(item, itemShape) == 0;
                        }

                        break;
                }

                if (remove)
                {
                    items.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>
    /// A response of <paramref name="responseType"/> that answers <paramref name="request"/> with
    /// <paramref name="error"/>: its lists mirror the request's (topics, partitions, groups, keys) as far
    /// as <paramref name="include"/> allows, and the error sits at the narrowest level that has an error
    /// code, with a message where the level has a field for one.
    /// </summary>
    public static object ErrorResponse(object request, Type responseType, short error, Func<string, int?, bool> include, Func<Guid, string?> topicName) =>
        Mirror(request, responseType, null, error, include, topicName);

    private static object Mirror(object? source, Type type, string? topic, short error, Func<string, int?, bool> include, Func<Guid, string?> topicName)
    {
        var target = Activator.CreateInstance(type)!;
        var shape = ShapeOf(type);
        if (source is not null)
        {
            var sourceShape = ShapeOf(source.GetType());
            topic = TopicOf(source, sourceShape, topicName) ?? topic;
            foreach (var scalar in shape.Scalars)
            {
                if (sourceShape.Scalar(scalar.Name, scalar.PropertyType) is { } from)
                {
                    scalar.SetValue(target, from.GetValue(source));
                }
            }

            // Requests and responses name the partition index differently (Fetch: Partition / PartitionIndex).
            if (shape.Partition is { } partition && sourceShape.Partition is { } sourcePartition && partition.Name != sourcePartition.Name)
            {
                partition.SetValue(target, sourcePartition.GetValue(source));
            }
        }

        var errorBelow = false;
        foreach (var list in shape.Lists)
        {
            var itemType = list.PropertyType.GetGenericArguments()[0];
            if (source is null || !IsMessage(itemType) || !ShapeOf(itemType).HasErrorCodeWithin)
            {
                continue;
            }

            var sourceItems = SourceList(source, list.Name);
            if (sourceItems is null)
            {
                continue;
            }

            var items = (IList)Activator.CreateInstance(list.PropertyType)!;
            var itemShape = ShapeOf(itemType);
            foreach (var sourceItem in sourceItems)
            {
                switch (sourceItem)
                {
                    case int partition when topic is not null && itemShape.Partition is { } partitionProperty:
                        if (include(topic, partition))
                        {
                            var built = Mirror(null, itemType, topic, error, include, topicName);
                            partitionProperty.SetValue(built, partition);
                            items.Add(built);
                        }

                        break;
                    case string key:
                        if (!TopicNameProperties.Contains(itemShape.Key?.Name) || include(key, null))
                        {
                            var built = Mirror(null, itemType, topic, error, include, topicName);
                            itemShape.Key?.SetValue(built, key);
                            items.Add(built);
                        }

                        break;
                    case null or int or long or RawTaggedField:
                        break;
                    default:
                        var sourceShape = ShapeOf(sourceItem.GetType());
                        if (topic is not null && sourceShape.Partition is { } sourcePartition)
                        {
                            if (include(topic, (int)sourcePartition.GetValue(sourceItem)!))
                            {
                                items.Add(Mirror(sourceItem, itemType, topic, error, include, topicName));
                            }
                        }
                        else if (TopicOf(sourceItem, sourceShape, topicName) is { } itemTopic && !HasPartitionList(sourceShape))
                        {
                            if (include(itemTopic, null))
                            {
                                items.Add(Mirror(sourceItem, itemType, topic, error, include, topicName));
                            }
                        }
                        else
                        {
                            var built = Mirror(sourceItem, itemType, topic, error, include, topicName);
                            if (!HasPartitionList(sourceShape) || PartitionCount(built, itemShape) > 0)
                            {
                                items.Add(built);
                            }
                        }

                        break;
                }
            }

            list.SetValue(target, items);
            errorBelow |= items.Count > 0;
        }

        if (!errorBelow && shape.ErrorCode is { } errorCode)
        {
            errorCode.SetValue(target, error);
            if (error != 0)
            {
                shape.ErrorMessage?.SetValue(target, InjectedMessage);
            }
        }

        return target;
    }

    /// <summary>Adds the items of <paramref name="extra"/> to <paramref name="response"/>, into the topic (or group) item of the same name where there is one.</summary>
    public static void Merge(object response, object extra)
    {
        var shape = ShapeOf(response.GetType());
        foreach (var list in shape.Lists)
        {
            if (list.GetValue(extra) is not IList extraItems || extraItems.Count == 0)
            {
                continue;
            }

            if (list.GetValue(response) is not IList items)
            {
                list.SetValue(response, extraItems);
                continue;
            }

            foreach (var extraItem in extraItems)
            {
                var same = extraItem is null || !IsMessage(extraItem.GetType()) ? null : items.Cast<object?>().FirstOrDefault(i => i is not null && SameIdentity(i, extraItem));
                if (same is not null && ShapeOf(same.GetType()).Partition is null)
                {
                    Merge(same, extraItem!);
                }
                else
                {
                    items.Add(extraItem);
                }
            }
        }
    }

    /// <summary>Sets <c>ThrottleTimeMs</c> where the response has it; false when it has none.</summary>
    public static bool TrySetThrottle(object response, int milliseconds)
    {
        var property = ShapeOf(response.GetType()).Scalar("ThrottleTimeMs", typeof(int));
        property?.SetValue(response, milliseconds);
        return property is not null;
    }

    /// <summary>A string or int property of <paramref name="node"/> by name (GroupId, TransactionalId, CommittedOffset ...).</summary>
    public static T? Get<T>(object node, string name)
    {
        var property = ShapeOf(node.GetType()).Scalar(name, typeof(T));
        return property is null ? default : (T?)property.GetValue(node);
    }

    /// <summary>A long property of <paramref name="node"/> by name; null when it has none.</summary>
    public static long? GetInt64(object node, string name) => (long?)ShapeOf(node.GetType()).Scalar(name, typeof(long))?.GetValue(node);

    /// <summary>The error code at this level of a response; null when this level has none.</summary>
    public static short? ErrorOf(object node) => (short?)ShapeOf(node.GetType()).ErrorCode?.GetValue(node);

    /// <summary>The message's first value of <paramref name="name"/>, at its top level or in its first item that has one (OffsetFetch groups).</summary>
    public static string? FindString(object node, string name, int depth = 2)
    {
        if (Get<string>(node, name) is { Length: > 0 } value)
        {
            return value;
        }

        if (depth == 0)
        {
            return null;
        }

        foreach (var list in ShapeOf(node.GetType()).Lists)
        {
            if (list.GetValue(node) is IList { Count: > 0 } items && items[0] is { } first && IsMessage(first.GetType()))
            {
                if (FindString(first, name, depth - 1) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    private static IList? SourceList(object source, string responseList)
    {
        var shape = ShapeOf(source.GetType());
        var names = ResponseListSources.TryGetValue(responseList, out var aliases) ? aliases.Append(responseList) : [responseList];
        foreach (var name in names)
        {
            if (shape.Lists.FirstOrDefault(l => l.Name == name)?.GetValue(source) is IList { Count: > 0 } items)
            {
                return items;
            }
        }

        return null;
    }

    private static bool SameIdentity(object a, object b)
    {
        var (shapeA, shapeB) = (ShapeOf(a.GetType()), ShapeOf(b.GetType()));
        if (shapeA.Partition is { } pa && shapeB.Partition is { } pb)
        {
            return Equals(pa.GetValue(a), pb.GetValue(b));
        }

        if (shapeA.Key is { } ka && shapeB.Key is { } kb && ka.Name == kb.Name && ka.GetValue(a) is string { Length: > 0 } keyA)
        {
            return keyA == (string?)kb.GetValue(b);
        }

        var idA = shapeA.Scalar("TopicId", typeof(Guid))?.GetValue(a);
        return idA is Guid id && id != Guid.Empty && Equals(id, shapeB.Scalar("TopicId", typeof(Guid))?.GetValue(b));
    }

    private static string? TopicOf(object node, Shape shape, Func<Guid, string?> topicName)
    {
        if (shape.TopicName?.GetValue(node) is string { Length: > 0 } name)
        {
            return name;
        }

        return shape.TopicId?.GetValue(node) is Guid id && id != Guid.Empty ? topicName(id) : null;
    }

    private static bool HasPartitionList(Shape shape) => shape.Lists.Any(l => PartitionListProperties.Contains(l.Name) || l.Name is "PartitionData" or "PartitionResponses");

    private static int PartitionCount(object node, Shape shape) =>
        shape.Lists.Where(l => PartitionListProperties.Contains(l.Name) || l.Name is "PartitionData" or "PartitionResponses")
            .Sum(l => (l.GetValue(node) as IList)?.Count ?? 0);

    private static bool IsMessage(Type type) => type.IsClass && type != typeof(string) && type != typeof(RawTaggedField);

    private static Shape ShapeOf(Type type) => Shapes.GetOrAdd(type, static t => new Shape(t));

    /// <summary>The properties of one generated message type that the walk uses.</summary>
    private sealed class Shape
    {
        private bool? _hasErrorCodeWithin;

        public Shape(Type type)
        {
            Type = type;
            var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0).ToArray();
            Lists = properties.Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(List<>)
                && p.PropertyType.GetGenericArguments()[0] != typeof(RawTaggedField)).ToArray();
            Scalars = properties.Where(p => p.PropertyType == typeof(string) || p.PropertyType == typeof(int) || p.PropertyType == typeof(long)
                || p.PropertyType == typeof(Guid) || p.PropertyType == typeof(bool) || p.PropertyType == typeof(sbyte)
                || (p.PropertyType == typeof(short) && !p.Name.EndsWith("ErrorCode", StringComparison.Ordinal))).ToArray();
            TopicName = TopicNameProperties.Select(n => properties.FirstOrDefault(p => p.Name == n && p.PropertyType == typeof(string))).FirstOrDefault(p => p is not null);
            TopicId = properties.FirstOrDefault(p => p.Name == "TopicId" && p.PropertyType == typeof(Guid));
            Partition = PartitionProperties.Select(n => properties.FirstOrDefault(p => p.Name == n && p.PropertyType == typeof(int))).FirstOrDefault(p => p is not null);
            ErrorCode = properties.FirstOrDefault(p => p.Name == "ErrorCode" && p.PropertyType == typeof(short))
                ?? properties.FirstOrDefault(p => p.PropertyType == typeof(short) && p.Name.EndsWith("ErrorCode", StringComparison.Ordinal) && p.Name != "TopicConfigErrorCode");
            ErrorMessage = properties.FirstOrDefault(p => p.Name == "ErrorMessage" && p.PropertyType == typeof(string));
            Key = properties.FirstOrDefault(p => p.PropertyType == typeof(string) && p.Name is "Key" or "GroupId" or "TransactionalId" or "Name" or "Topic");
        }

        public Type Type { get; }

        public PropertyInfo[] Lists { get; }

        public PropertyInfo[] Scalars { get; }

        public PropertyInfo? TopicName { get; }

        public PropertyInfo? TopicId { get; }

        public PropertyInfo? Partition { get; }

        public PropertyInfo? ErrorCode { get; }

        public PropertyInfo? ErrorMessage { get; }

        /// <summary>The string that names an item in a list (a coordinator key, group id, topic name).</summary>
        public PropertyInfo? Key { get; }

        /// <summary>True when this message or one it contains has an error code (so a list of it can carry the error).</summary>
        public bool HasErrorCodeWithin => _hasErrorCodeWithin ??= ErrorCode is not null || Lists.Any(l =>
        {
            var item = l.PropertyType.GetGenericArguments()[0];
            return item != Type && IsMessage(item) && ShapeOf(item).HasErrorCodeWithin;
        });

        public PropertyInfo? Scalar(string name, Type type) => Scalars.FirstOrDefault(p => p.Name == name && p.PropertyType == type);
    }
}

/// <summary>One partition (or a topic named without partitions, Partition null) in a message, with the item that names it.</summary>
internal readonly record struct PartitionItem(string Topic, int? Partition, object? Item);
