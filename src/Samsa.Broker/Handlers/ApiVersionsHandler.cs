using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// ApiVersions (key 18), versions 0-4.
/// Answers with the key and version range of every registered handler, so what is advertised is
/// exactly what is served. A request at a version above 4 is answered by the connection with
/// UNSUPPORTED_VERSION in the v0 layout (see <see cref="CreateUnsupportedVersionResponse"/>), and
/// the client retries with a version in range.
/// Version notes: v1 adds throttle time; v3 is flexible and carries the client's software name and
/// version; v3+ may carry feature flags (none are reported).
/// </summary>
internal sealed class ApiVersionsHandler(Func<HandlerRegistry> registry) : RequestHandler<ApiVersionsRequest, ApiVersionsResponse>
{
    public override ApiKey ApiKey => ApiKey.ApiVersions;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override ValueTask<ApiVersionsResponse?> HandleAsync(RequestContext context, ApiVersionsRequest request) =>
        ValueTask.FromResult<ApiVersionsResponse?>(CreateResponse(registry(), ErrorCode.None));

    /// <summary>The answer to an ApiVersions request at a version this broker does not serve.</summary>
    public ApiVersionsResponse CreateUnsupportedVersionResponse() => CreateResponse(registry(), ErrorCode.UnsupportedVersion);

    private static ApiVersionsResponse CreateResponse(HandlerRegistry handlers, ErrorCode error)
    {
        var response = new ApiVersionsResponse { ErrorCode = (short)error };
        foreach (var handler in handlers.Handlers)
        {
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion
            {
                ApiKey = (short)handler.ApiKey,
                MinVersion = handler.MinVersion,
                MaxVersion = handler.MaxVersion,
            });
        }

        return response;
    }
}
