using Samsa.Protocol;

namespace Samsa.Broker.Handlers;

/// <summary>The handlers a broker serves, by API key. The ApiVersions answer is built from it.</summary>
internal sealed class HandlerRegistry
{
    private readonly IRequestHandler?[] _byKey;

    public HandlerRegistry(IEnumerable<IRequestHandler> handlers)
    {
        var list = handlers.ToList();
        _byKey = new IRequestHandler?[list.Count == 0 ? 0 : list.Max(h => (int)h.ApiKey) + 1];
        foreach (var handler in list)
        {
            if (_byKey[(int)handler.ApiKey] is not null)
            {
                throw new InvalidOperationException($"Two handlers registered for {handler.ApiKey}.");
            }

            if (!ApiVersionRanges.TryGet(handler.ApiKey, out var schema) || handler.MinVersion < schema.MinVersion || handler.MaxVersion > schema.MaxVersion)
            {
                throw new InvalidOperationException($"{handler.GetType().Name} serves {handler.ApiKey} versions {handler.MinVersion}-{handler.MaxVersion}, outside what the schemas define.");
            }

            _byKey[(int)handler.ApiKey] = handler;
        }

        Handlers = list.OrderBy(h => h.ApiKey).ToList();
    }

    public IReadOnlyList<IRequestHandler> Handlers { get; }

    public IRequestHandler? Get(ApiKey key)
    {
        var index = (int)key;
        return (uint)index < (uint)_byKey.Length ? _byKey[index] : null;
    }
}
