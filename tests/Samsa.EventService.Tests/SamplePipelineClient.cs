using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Samsa.EventService.Tests;

/// <summary>Calls of the sample pipeline's endpoints, for the tests: publish, wait, read the handled events and dead letters.</summary>
internal static class SamplePipelineClient
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Where an event was published.</summary>
    public sealed record Published(int Partition, long Offset, string EventId)
    {
        /// <summary>The query string that picks exactly this record's dead letter.</summary>
        public string Only => $"originalPartition={Partition}&fromOffset={Offset}&toOffset={Offset}";
    }

    public static async Task<Published> PublishAsync(this HttpClient client, string body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/events/events", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Add("X-Event-Key", key);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var published = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Published(
            published.GetProperty("partition").GetInt32(), published.GetProperty("offset").GetInt64(), published.GetProperty("eventId").GetGuid().ToString("D"));
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> PostJsonAsync(this HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content: null);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The handled events of <c>events</c> with <paramref name="eventId"/>.</summary>
    public static async Task<List<JsonElement>> HandledAsync(this HttpClient client, string eventId) =>
        [.. (await client.GetJsonAsync("/events/events/handled")).GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("eventId").GetString() == eventId)];

    /// <summary>The dead letters of <c>events</c> that <paramref name="published"/> picks.</summary>
    public static async Task<List<JsonElement>> DeadLettersAsync(this HttpClient client, Published published) =>
        [.. (await client.GetJsonAsync($"/dlq/events?{published.Only}")).GetProperty("records").EnumerateArray()];
}
