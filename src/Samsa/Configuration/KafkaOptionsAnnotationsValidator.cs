using Microsoft.Extensions.Options;

namespace Samsa.Configuration;

/// <summary>
/// The DataAnnotations checks of <see cref="KafkaOptions"/> (ranges, nested producer and consumer options),
/// generated at compile time. <see cref="KafkaOptionsValidator"/> runs it, so its failures are reported
/// together with every other problem.
/// </summary>
[OptionsValidator]
internal sealed partial class KafkaOptionsAnnotationsValidator : IValidateOptions<KafkaOptions>;
