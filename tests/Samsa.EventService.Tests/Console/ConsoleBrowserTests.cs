using System.Globalization;
using Confluent.Kafka;
using OpenQA.Selenium;
using Samsa.TestUtils;
using static Samsa.EventService.Tests.SamplePipelineClient;

namespace Samsa.EventService.Tests.Console;

/// <summary>The console in a real browser (headless chromium) against a Development EventService on the embedded broker.</summary>
public sealed class ConsoleBrowserTests(ConsoleAppFixture fixture) : IClassFixture<ConsoleAppFixture>
{
    private ChromeBrowser Browser => fixture.Browser;

    private IWebDriver Driver => fixture.Browser.Driver;

    [Fact]
    public void Console_EveryPageLoads_WithoutConsoleErrors()
    {
        Driver.Navigate().GoToUrl(new Uri(fixture.Address, "/console/?refresh=500"));
        Browser.ConsoleErrors();

        Browser.WaitForText("#brokers tbody tr", text => text.Contains("controller", StringComparison.Ordinal), "a broker on the overview");
        Browser.WaitForText("#health tbody tr td.status-Healthy", text => text == "Healthy", "a healthy check");
        Browser.WaitForText("#topics tbody tr[data-topic='events']", text => text.StartsWith("events", StringComparison.Ordinal), "the declared topic");
        Browser.Screenshot("console-overview");

        Browser.Click("nav button[data-page=consumers]", "the consumers tab");
        Browser.WaitForText("#workers tbody tr", text => text.Contains("event-service", StringComparison.Ordinal), "the sample consumer");
        Browser.WaitForText("#lag tbody tr[data-group='event-service']", text => text.Length > 0, "the sample group's lag");
        Browser.WaitForText("#lag tbody tr[data-group='event-service'][data-topic='events'] td.partition-state", text => text == "Running", "the sample partition's state from the service's worker");
        Browser.Screenshot("console-consumers");

        Browser.Click("nav button[data-page=producer]", "the producer tab");
        Browser.WaitForText("#producer-facts dt", text => text == "Acknowledged", "the producer's counters");
        Browser.Screenshot("console-producer");

        Browser.Click("nav button[data-page=deadletters]", "the dead letters tab");
        Browser.WaitForText("#dlq-summary", text => text.Length > 0, "the dead-letter summary");
        Browser.Screenshot("console-deadletters");

        Assert.Empty(Browser.ConsoleErrors());
    }

    [Fact]
    public async Task Lag_RisesWhileTheConsumerIsPaused_AndFallsWhenItResumes()
    {
        const string topic = "orders";
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = fixture.App.BootstrapServers,
            GroupId = ConsoleAppFixture.LagGroup,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Latest,
            FetchWaitMaxMs = 50,
        }).Build();
        consumer.Subscribe(topic);
        var partition = new TopicPartition(topic, 0);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (consumer.Assignment.Count == 0 && clock.Elapsed < ChromeBrowser.Wait)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(100));
        }

        Assert.Contains(partition, consumer.Assignment);
        var end = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High;
        consumer.Commit([new TopicPartitionOffset(partition, end)]);
        consumer.Pause([partition]);

        Driver.Navigate().GoToUrl(new Uri(fixture.Address, "/console/?refresh=500"));
        Browser.Click("nav button[data-page=consumers]", "the consumers tab");
        var lagCell = $"#lag tbody tr[data-group='{ConsoleAppFixture.LagGroup}'][data-topic='{topic}'][data-partition='0'] td.lag";
        Browser.WaitForText(lagCell, text => text == "0", "lag 0 before producing");

        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = fixture.App.BootstrapServers, LingerMs = 5 }).Build())
        {
            for (var i = 0; i < 500; i++)
            {
                producer.Produce(topic, new Message<byte[]?, byte[]?> { Value = System.Text.Encoding.UTF8.GetBytes($"{{\"n\":{i}}}") });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        Browser.WaitForText(lagCell, text => text == "500", "lag 500 while paused");
        Browser.Screenshot("console-lag-paused");

        consumer.Resume([partition]);
        var consumed = 0;
        clock.Restart();
        ConsumeResult<byte[]?, byte[]?>? last = null;
        while (consumed < 500 && clock.Elapsed < ChromeBrowser.Wait)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
            {
                consumed++;
                last = record;
            }
        }

        Assert.Equal(500, consumed);
        consumer.Commit([new TopicPartitionOffset(partition, last!.Offset + 1)]);

        Browser.WaitForText(lagCell, text => text == "0", "lag back to 0 after resuming");
        var trend = Browser.Attribute($"#lag tbody tr[data-group='{ConsoleAppFixture.LagGroup}'] svg.spark", "aria-label") ?? "";
        Assert.Contains("500", trend, StringComparison.Ordinal);
        Browser.Screenshot("console-lag-resumed");
        consumer.Close();
        await Task.CompletedTask;
    }

    [Fact]
    public async Task DeadLetter_FoundByExceptionType_DryRunThenReplay_IsHandled()
    {
        var orderId = "console-" + Guid.NewGuid().ToString("N")[..8];
        var published = await fixture.Client.PublishAsync($"{{\"orderId\":\"{orderId}\",\"fail\":\"permanent-once\"}}");
        await Poll.UntilAsync(() => fixture.Client.DeadLettersAsync(published), d => d.Count > 0, "the event dead-lettered");

        Driver.Navigate().GoToUrl(new Uri(fixture.Address, "/console/#deadletters"));
        var rowCss = $"#dlq tbody tr[data-partition='{published.Partition}'][data-offset='{published.Offset.ToString(CultureInfo.InvariantCulture)}']";

        // The unfiltered list first, so that its rendering cannot replace the filtered one.
        Browser.WaitForText(rowCss, text => text.Length > 0, "the dead letter in the unfiltered list");
        Driver.FindElement(By.Id("f-exceptionType")).SendKeys("NoSuchException");
        Browser.Click("#dlq-search", "search");
        Browser.WaitFor(() => Browser.Text(rowCss), text => text is null, "the dead letter filtered out by another exception type");
        var filter = Driver.FindElement(By.Id("f-exceptionType"));
        filter.Clear();
        filter.SendKeys("PermanentFailureException");
        Browser.Click("#dlq-search", "search");
        Assert.EndsWith("PermanentFailureException", Browser.WaitForText(rowCss + " td.exception", text => text.Length > 0, "the dead letter found by exception type"), StringComparison.Ordinal);

        Browser.Click(rowCss + " button.open", "the dead letter's details");
        Assert.Contains("asked to fail permanently", Browser.WaitForText("#detail-stack", text => text.Length > 0, "the stack trace"), StringComparison.Ordinal);
        Assert.Contains(orderId, Browser.Text("#detail-payload"), StringComparison.Ordinal);

        Browser.Click(rowCss + " input.select", "the dead letter's checkbox");
        Browser.Click("#dryrun-selected", "dry run");
        var plan = Browser.WaitForText("#replay-plan-text", text => text.Length > 0, "the dry run's plan");
        Assert.Contains("Dry run: 1 dead letter(s) would be written back", plan, StringComparison.Ordinal);
        Browser.Screenshot("console-replay-dryrun");
        Assert.Empty(await fixture.Client.HandledAsync(published.EventId));

        Browser.Click("#replay-confirm", "confirm");
        Browser.WaitForText("#replay-outcome", text => text.StartsWith("Replayed 1", StringComparison.Ordinal), "the replay's outcome");
        await Poll.UntilAsync(() => fixture.Client.HandledAsync(published.EventId), h => h.Count > 0, "the replayed event handled");
        Browser.WaitForText(rowCss + " td.replayed", text => text == "yes", "the dead letter marked replayed");
        Browser.Screenshot("console-replayed");
        Assert.Empty(Browser.ConsoleErrors());
    }
}

/// <summary>A Production-configured service in the browser: a sign-in form until a valid key is given, then the console.</summary>
public sealed class ConsoleProductionBrowserTests(ProductionAppFixture fixture) : IClassFixture<ProductionAppFixture>, IDisposable
{
    private readonly ChromeBrowser _browser = new();

    [Fact]
    public async Task Console_AsksForAKey_RejectsAWrongOne_AndWorksWithAValidOne()
    {
        using (var anonymous = fixture.CreateClient())
        {
            using var page = await anonymous.GetAsync(new Uri("/console/", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, page.StatusCode);
            using var replay = await anonymous.PostAsync(new Uri("/dlq/events/replay", UriKind.Relative), null, TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, replay.StatusCode);
        }

        var driver = _browser.Driver;
        driver.Navigate().GoToUrl(new Uri(fixture.Address, "/console/"));
        _browser.WaitForElement("#apiKey", "the sign-in form");
        _browser.Screenshot("console-signin");
        driver.FindElement(By.Id("apiKey")).SendKeys("not-a-key-0123456789abcdef");
        driver.FindElement(By.Id("signin")).Click();
        Assert.Contains("not valid", _browser.WaitForElement("p.error", "the rejection").Text, StringComparison.Ordinal);

        driver.FindElement(By.Id("apiKey")).SendKeys(ProductionAppFixture.OperatorKey);
        driver.FindElement(By.Id("signin")).Click();
        _browser.WaitForText("#user", text => text.Contains("Signed in as operator", StringComparison.Ordinal), "the signed-in console");
        _browser.WaitForText("#brokers tbody tr", text => text.Contains("controller", StringComparison.Ordinal), "a broker on the overview");

        _browser.Click("nav button[data-page=deadletters]", "the dead letters tab");
        _browser.WaitForText("#dlq-summary", text => text.Length > 0, "the dead-letter summary");
        _browser.Click("#dryrun-filtered", "dry run");
        Assert.Contains("Dry run: 0 dead letter(s)", _browser.WaitForText("#replay-plan-text", text => text.Length > 0, "the dry run's plan"), StringComparison.Ordinal);
        Assert.DoesNotContain(ProductionAppFixture.OperatorKey, driver.PageSource, StringComparison.Ordinal);
        _browser.Screenshot("console-production-signed-in");
    }

    public void Dispose() => _browser.Dispose();
}
