using Samsa.Protocol;

namespace Samsa.Broker.Replication;

/// <summary>
/// The outcome of validating one partition's produced batches: an error (None when they may be
/// appended) with its message, how many batches were checked, and the records that failed
/// record-level checks.
/// </summary>
internal readonly record struct BatchValidationResult(ErrorCode Error, string? Message, int Batches, IReadOnlyList<RecordError>? RecordErrors = null);
