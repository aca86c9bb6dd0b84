namespace Samsa.Cli.Readiness;

/// <summary>One row of <c>samsa check</c>: what was checked, where, the outcome, and what was seen or what to change.</summary>
internal sealed record ReadinessFinding(string Area, string Check, ReadinessStatus Status, string Detail)
{
    public static ReadinessFinding Pass(string area, string check, string detail) => new(area, check, ReadinessStatus.Pass, detail);

    public static ReadinessFinding Warn(string area, string check, string detail) => new(area, check, ReadinessStatus.Warn, detail);

    public static ReadinessFinding Fail(string area, string check, string detail) => new(area, check, ReadinessStatus.Fail, detail);

    public static ReadinessFinding Skipped(string area, string check, string detail) => new(area, check, ReadinessStatus.Skipped, detail);
}
