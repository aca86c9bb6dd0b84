namespace Samsa.Cli.Readiness;

/// <summary>The outcome of one production-readiness check.</summary>
internal enum ReadinessStatus
{
    Pass,

    /// <summary>Works, but differs from the production setup; fails the check only with <c>--strict</c>.</summary>
    Warn,

    Fail,

    /// <summary>Not run because an earlier check it depends on failed.</summary>
    Skipped,
}
