namespace Samsa.Configuration;

/// <summary>The clients a setting reaches.</summary>
[Flags]
internal enum KafkaClientKinds
{
    None = 0,
    Producer = 1,
    Consumer = 2,
    Admin = 4,
    All = Producer | Consumer | Admin,
}
