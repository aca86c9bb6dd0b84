using System.Reflection;
using Samsa.Consuming;
using Samsa.Consuming.Retry;

namespace Samsa.Tests.Consuming.Retry;

public sealed class FailureClassifierTests
{
    [Fact]
    public void Classify_MisconfigurationException_Fatal()
    {
        var classifier = new FailureClassifier();

        Assert.Equal(FailureKind.Fatal, classifier.Classify(new MisconfigurationException("Billing:ConnectionString is missing")));
        Assert.Equal(FailureKind.Fatal, classifier.Classify(new AggregateException(new MisconfigurationException())));
        Assert.Equal(FailureKind.Fatal, classifier.Classify(new TargetInvocationException(new MisconfigurationException())));
    }

    [Fact]
    public void Classify_TypeAddedAsFatal_FatalForItAndItsSubtypesOnly()
    {
        var classifier = new FailureClassifier().Fatal<InvalidOperationException>();

        Assert.Equal(FailureKind.Fatal, classifier.Classify(new InvalidOperationException("no connection string")));
        Assert.Equal(FailureKind.Fatal, classifier.Classify(new ObjectDisposedException("pool")));
        Assert.Equal(FailureKind.Transient, classifier.Classify(new TimeoutException()));
        Assert.Equal(FailureKind.Transient, new FailureClassifier().Classify(new InvalidOperationException()));
    }

    [Fact]
    public void Classify_PredicateSaysFatal_WinsOverTheBuiltInKind()
    {
        var classifier = new FailureClassifier()
            .When(e => e is TimeoutException { Message: "license expired" } ? FailureKind.Fatal : null);

        Assert.Equal(FailureKind.Fatal, classifier.Classify(new TimeoutException("license expired")));
        Assert.Equal(FailureKind.Transient, classifier.Classify(new TimeoutException("slow")));
    }

    [Fact]
    public void Classify_PredicateOverridesMisconfiguration_UserDecides()
    {
        var classifier = new FailureClassifier().When(e => e is MisconfigurationException ? FailureKind.Permanent : null);

        Assert.Equal(FailureKind.Permanent, classifier.Classify(new MisconfigurationException()));
        Assert.Equal(FailureKind.Permanent, classifier.Classify(new EventDeserializationException("bad", new FormatException())));
    }
}
