namespace Samsa.Protocol;

/// <summary>A tagged field this version of Samsa does not know; kept so that it can be written back unchanged.</summary>
public sealed record RawTaggedField(int Tag, byte[] Data);
