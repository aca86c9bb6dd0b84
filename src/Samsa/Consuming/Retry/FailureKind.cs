namespace Samsa.Consuming.Retry;

/// <summary>What a handler's exception means for the record, as <see cref="FailureClassifier"/> decides.</summary>
public enum FailureKind
{
    /// <summary>Trying again may succeed: retried in place with backoff, then through the retry topics, then dead-lettered.</summary>
    Transient,

    /// <summary>Trying again fails the same way: dead-lettered at once.</summary>
    Permanent,

    /// <summary>
    /// Something the handler needs is down (a database, an API): the partition is paused, nothing is committed, and the
    /// record is tried again once <see cref="ConsumerOptions.DependencyProbe"/> says the dependency is back. Attempts
    /// made while the dependency is down do not count towards the retry limits.
    /// </summary>
    DependencyDown,

    /// <summary>
    /// The library or the application is misconfigured (a missing setting, a handler used in a way its consumer does
    /// not allow): no record can succeed until someone changes the configuration. Nothing is retried, forwarded or
    /// dead-lettered: the record is left uncommitted, the worker commits what it handled before it, stops, and reports
    /// Unhealthy with one log line that says why (see <see cref="MisconfigurationException"/>).
    /// </summary>
    Fatal,
}
