using System.Diagnostics.CodeAnalysis;

namespace Samsa.Protocol;

/// <summary>Throw sites kept out of hot methods so those stay small and inlinable.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowTruncated(int needed, int position, int length, string what) =>
        throw new ProtocolException($"Truncated data: {what} needs {needed} byte(s) at offset {position}, but only {Math.Max(0, length - position)} remain of {length}.");

    [DoesNotReturn]
    public static void ThrowNegativeLength(int value, int position, string what) =>
        throw new ProtocolException($"Invalid {what} length {value} at offset {position}.");

    [DoesNotReturn]
    public static void ThrowLengthExceedsRemaining(long value, int position, int remaining, string what) =>
        throw new ProtocolException($"The {what} length {value} at offset {position} exceeds the {remaining} byte(s) that remain.");

    [DoesNotReturn]
    public static void ThrowVarIntTooLong(int position, int maxBytes) =>
        throw new ProtocolException($"Malformed varint at offset {position}: more than {maxBytes} bytes.");

    [DoesNotReturn]
    public static void ThrowInvalidUtf8(int position) =>
        throw new ProtocolException($"Invalid UTF-8 in string at offset {position}.");

    [DoesNotReturn]
    public static void ThrowNullNotAllowed(string what, short version) =>
        throw new ProtocolException($"{what} cannot be null at version {version}.");

    [DoesNotReturn]
    public static void ThrowFieldNotInVersion(string field, short version) =>
        throw new ProtocolException($"Cannot write {field} at version {version}: the field does not exist in that version and has a non-default value.");

    [DoesNotReturn]
    public static void ThrowUnsupportedVersion(string message, short version) =>
        throw new ProtocolException($"{message} does not support version {version}.");

    [DoesNotReturn]
    public static void ThrowTaggedFieldSizeMismatch(int tag, int declared, int used) =>
        throw new ProtocolException($"Tagged field {tag} declared {declared} byte(s) but its value used {used}.");

    [DoesNotReturn]
    public static T ThrowProtocol<T>(string message) => throw new ProtocolException(message);

    [DoesNotReturn]
    public static void ThrowProtocol(string message) => throw new ProtocolException(message);
}
