using System.Reflection;
using System.Text.Json;

namespace Samsa.Consuming.Retry;

/// <summary>
/// Decides whether a handler's exception is <see cref="FailureKind.Transient"/>, <see cref="FailureKind.Permanent"/>,
/// <see cref="FailureKind.DependencyDown"/> or <see cref="FailureKind.Fatal"/>. The first of these that has an answer wins:
/// <list type="number">
/// <item>the predicates added with <see cref="When"/>, in the order they were added;</item>
/// <item>Samsa's own signals: <see cref="MisconfigurationException"/> (fatal), <see cref="PermanentFailureException"/>,
/// <see cref="DependencyDownException"/>, <see cref="TransientFailureException"/>, a record that could not be
/// deserialized (permanent);</item>
/// <item>the exception types added with <see cref="Transient{TException}"/>, <see cref="Permanent{TException}"/>,
/// <see cref="DependencyDown{TException}"/> and <see cref="Fatal{TException}"/>, the closest base type first;</item>
/// <item>the built-in types: argument, format, JSON, cast and not-supported errors are permanent; timeouts, I/O,
/// HTTP and socket errors, and any <see cref="SamsaException"/> whose <see cref="SamsaException.IsTransient"/> is true,
/// are transient;</item>
/// <item><see cref="DefaultKind"/> (transient unless changed: retries are bounded, and the dead-letter topic takes what is left).</item>
/// </list>
/// An <see cref="AggregateException"/> with one inner exception and a <see cref="TargetInvocationException"/> are
/// classified by their inner exception.
/// </summary>
public sealed class FailureClassifier
{
    private static readonly (Type Type, FailureKind Kind)[] BuiltIn =
    [
        (typeof(ArgumentException), FailureKind.Permanent),
        (typeof(FormatException), FailureKind.Permanent),
        (typeof(JsonException), FailureKind.Permanent),
        (typeof(InvalidCastException), FailureKind.Permanent),
        (typeof(NotSupportedException), FailureKind.Permanent),
        (typeof(NotImplementedException), FailureKind.Permanent),
        (typeof(TimeoutException), FailureKind.Transient),
        (typeof(IOException), FailureKind.Transient),
        (typeof(HttpRequestException), FailureKind.Transient),
        (typeof(System.Net.Sockets.SocketException), FailureKind.Transient),
    ];

    private readonly List<Func<Exception, FailureKind?>> _predicates = [];
    private readonly Dictionary<Type, FailureKind> _types = [];

    /// <summary>What an exception nothing else classifies is. Default <see cref="FailureKind.Transient"/>.</summary>
    public FailureKind DefaultKind { get; set; } = FailureKind.Transient;

    /// <summary>Classifies <typeparamref name="TException"/> and the types derived from it as transient.</summary>
    /// <returns>This classifier, for chaining.</returns>
    public FailureClassifier Transient<TException>()
        where TException : Exception => Add(typeof(TException), FailureKind.Transient);

    /// <summary>Classifies <typeparamref name="TException"/> and the types derived from it as permanent.</summary>
    /// <returns>This classifier, for chaining.</returns>
    public FailureClassifier Permanent<TException>()
        where TException : Exception => Add(typeof(TException), FailureKind.Permanent);

    /// <summary>Classifies <typeparamref name="TException"/> and the types derived from it as a dependency being down.</summary>
    /// <returns>This classifier, for chaining.</returns>
    public FailureClassifier DependencyDown<TException>()
        where TException : Exception => Add(typeof(TException), FailureKind.DependencyDown);

    /// <summary>
    /// Classifies <typeparamref name="TException"/> and the types derived from it as fatal: a misconfiguration that
    /// stops the worker (see <see cref="FailureKind.Fatal"/>).
    /// </summary>
    /// <returns>This classifier, for chaining.</returns>
    public FailureClassifier Fatal<TException>()
        where TException : Exception => Add(typeof(TException), FailureKind.Fatal);

    /// <summary>Adds a predicate that classifies an exception, or returns null to leave it to the next rule.</summary>
    /// <returns>This classifier, for chaining.</returns>
    public FailureClassifier When(Func<Exception, FailureKind?> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        _predicates.Add(predicate);
        return this;
    }

    /// <summary>The kind of <paramref name="exception"/>.</summary>
    public FailureKind Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        exception = Unwrap(exception);
        foreach (var predicate in _predicates)
        {
            if (predicate(exception) is { } kind)
            {
                return kind;
            }
        }

        switch (exception)
        {
            case MisconfigurationException:
                return FailureKind.Fatal;
            case PermanentFailureException or EventDeserializationException:
                return FailureKind.Permanent;
            case DependencyDownException:
                return FailureKind.DependencyDown;
            case TransientFailureException:
                return FailureKind.Transient;
        }

        for (var type = exception.GetType(); type is not null; type = type.BaseType)
        {
            if (_types.TryGetValue(type, out var kind))
            {
                return kind;
            }
        }

        foreach (var (type, kind) in BuiltIn)
        {
            if (type.IsInstanceOfType(exception))
            {
                return kind;
            }
        }

        return exception is SamsaException { IsTransient: true } ? FailureKind.Transient : DefaultKind;
    }

    /// <summary>The exception that carries the meaning: the single inner exception of an aggregate or a reflection call.</summary>
    internal static Exception Unwrap(Exception exception)
    {
        while (true)
        {
            switch (exception)
            {
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    exception = aggregate.InnerExceptions[0];
                    continue;
                case TargetInvocationException { InnerException: { } inner }:
                    exception = inner;
                    continue;
                default:
                    return exception;
            }
        }
    }

    private FailureClassifier Add(Type type, FailureKind kind)
    {
        _types[type] = kind;
        return this;
    }
}
