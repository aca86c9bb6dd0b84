namespace Samsa.EventService.SamplePipeline;

/// <summary>
/// Whether the sample handler honours <c>"fail": "permanent"</c>: on by default; <c>POST /pipeline/fix</c> turns it off
/// (the bug is fixed, so replayed dead letters are handled), <c>POST /pipeline/break</c> on again.
/// </summary>
internal sealed class FailureSwitch
{
    private volatile bool _permanentFailuresHonoured = true;

    public bool PermanentFailuresHonoured
    {
        get => _permanentFailuresHonoured;
        set => _permanentFailuresHonoured = value;
    }
}
