using Microsoft.Extensions.DependencyInjection;
using Samsa.Consuming;
using Samsa.Tests.DependencyInjection;

namespace Samsa.Tests.Consuming;

public sealed class ConsumerWorkersTests
{
    [Fact]
    public void Get_RegisteredConsumers_FoundByTopicAndGroup_UnknownNamesTheRegisteredOnes()
    {
        using var host = SamsaTestHost.Build("127.0.0.1:9092", samsa =>
        {
            samsa.Services.AddSingleton(new RecordingHandler());
            samsa.AddConsumer<RecordingHandler, TestEvent>("orders", "billing", ConsumingTestSupport.Fast);
            samsa.AddConsumer<RecordingHandler, TestEvent>("refunds", "billing", ConsumingTestSupport.Fast);
        });
        var workers = host.Services.GetRequiredService<ConsumerWorkers>();

        var orders = workers.Get("orders", "billing");
        var missing = Assert.Throws<InvalidOperationException>(() => workers.Get("orders", "shipping"));

        Assert.Equal(("orders", "billing"), (orders.Topic, orders.GroupId));
        Assert.Same(orders, workers.Find("orders", "billing"));
        Assert.Null(workers.Find("payments", "billing"));
        Assert.Equal(["orders", "refunds"], workers.All.Select(w => w.Topic));
        Assert.Contains("topic 'orders' in group 'billing', topic 'refunds' in group 'billing'", missing.Message, StringComparison.Ordinal);
    }
}
