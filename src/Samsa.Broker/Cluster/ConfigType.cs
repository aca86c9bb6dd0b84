namespace Samsa.Broker.Cluster;

/// <summary>Config value types as DescribeConfigs v3+ reports them.</summary>
internal enum ConfigType : sbyte
{
    Unknown = 0,
    Boolean = 1,
    String = 2,
    Int = 3,
    Short = 4,
    Long = 5,
    Double = 6,
    List = 7,
    Class = 8,
    Password = 9,
}

/// <summary>Where a config value comes from, as DescribeConfigs v1+ reports it.</summary>
internal enum ConfigSource : sbyte
{
    Unknown = 0,
    DynamicTopicConfig = 1,
    DynamicBrokerConfig = 2,
    DynamicDefaultBrokerConfig = 3,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
}
