using Samsa.Publishing;

namespace Samsa.Tests.Publishing;

public sealed class TopicNamingConventionsTests
{
    [Theory]
    [InlineData(typeof(OrderPlaced), "order-placed")]
    [InlineData(typeof(HTTPRequestLogged), "http-request-logged")]
    [InlineData(typeof(Invoice2Paid), "invoice2-paid")]
    [InlineData(typeof(Envelope<int>), "envelope")]
    public void KebabCase_TypeName_IsLowerCaseWithDashesBetweenWords(Type type, string expected) =>
        Assert.Equal(expected, TopicNamingConventions.KebabCase(type));

    [Fact]
    public void TypeName_Type_IsTheNameUnchanged() =>
        Assert.Equal("OrderPlaced", TopicNamingConventions.TypeName(typeof(OrderPlaced)));

    public sealed record HTTPRequestLogged;

    public sealed record Invoice2Paid;

    public sealed record Envelope<T>(T Value);
}
