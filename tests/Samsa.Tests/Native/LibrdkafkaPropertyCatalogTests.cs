using Samsa.Native;

namespace Samsa.Tests.Native;

public class LibrdkafkaPropertyCatalogTests
{
    [Theory]
    [InlineData("batch.size")]
    [InlineData("fetch.queue.backoff.ms")]
    [InlineData("sasl.username")]
    [InlineData("acks")]
    [InlineData("delivery.timeout.ms")]
    [InlineData("auto.offset.reset")]
    [InlineData("max.poll.records")]
    public void Shared_LoadedLibrary_KnowsProperty(string name)
    {
        Assert.True(LibrdkafkaPropertyCatalog.Shared.Contains(name));
    }

    [Fact]
    public void Shared_Aliases_PointToCanonicalName()
    {
        var properties = LibrdkafkaPropertyCatalog.Shared.Properties;

        Assert.Equal("request.required.acks", properties["acks"].AliasOf);
        Assert.Equal("queue.buffering.max.ms", properties["linger.ms"].AliasOf);
        Assert.Equal(LibrdkafkaPropertyScope.Producer, properties["batch.size"].Scope);
        Assert.Equal(LibrdkafkaPropertyScope.Consumer, properties["fetch.queue.backoff.ms"].Scope);
    }

    [Fact]
    public void Shared_EveryDumpedName_Listed()
    {
        var catalog = LibrdkafkaPropertyCatalog.Shared;
        var api = LibrdkafkaConfigApi.Create(LibrdkafkaLoader.EnsureLoaded().Handle);

        Assert.All(api.DumpGlobal().Concat(api.DumpTopic()), pair => Assert.True(catalog.Contains(pair.Key), pair.Key));
        Assert.True(catalog.Properties.Count > 150);
    }

    [Theory]
    [InlineData("batch_size", "1", "Unknown")]
    [InlineData("batch.size", "abc", "Invalid")]
    [InlineData("batch.size", "32768", "Ok")]
    [InlineData("acks", "all", "Ok")]
    [InlineData("plugin.library.paths", "/nonexistent/plugin.so", "Ok")]
    public void Check_NameAndValue_LibrdkafkaAnswer(string name, string value, string expected)
    {
        Assert.Equal(Enum.Parse<LibrdkafkaConfResult>(expected), LibrdkafkaPropertyCatalog.Shared.Check(name, value).Result);
    }

    [Fact]
    public void ParseTable_Rows_ScopeAliasRange()
    {
        const string table = """
            ## Global configuration properties

            Property                                 | C/P | Range           |       Default | Importance | Description
            -----------------------------------------|-----|-----------------|--------------:|------------| --------------------------
            client.id                                |  *  |                 |       rdkafka | low        | Client identifier. <br>*Type: string*
            linger.ms                                |  P  | 0 .. 900000     |             5 | high       | Alias for `queue.buffering.max.ms`: Delay | more. <br>*Type: float*
            """;

        var rows = LibrdkafkaPropertyCatalog.ParseTable(table);

        Assert.Equal(2, rows.Count);
        Assert.Equal(new LibrdkafkaProperty("client.id", LibrdkafkaPropertyScope.All, null, string.Empty, "rdkafka"), rows[0]);
        Assert.Equal(new LibrdkafkaProperty("linger.ms", LibrdkafkaPropertyScope.Producer, "queue.buffering.max.ms", "0 .. 900000", "5"), rows[1]);
    }
}
