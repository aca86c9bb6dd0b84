using Confluent.Kafka;
using Samsa.Startup;

namespace Samsa.Tests.Startup;

public class KafkaClientErrorRecorderTests
{
    [Theory]
    [InlineData(ErrorCode.Local_Authentication)]
    [InlineData(ErrorCode.SaslAuthenticationFailed)]
    [InlineData(ErrorCode.Local_Ssl)]
    [InlineData(ErrorCode.ClusterAuthorizationFailed)]
    public async Task Record_ErrorWaitingCannotFix_CompletesFatal(ErrorCode code)
    {
        var recorder = new KafkaClientErrorRecorder();

        recorder.Record(new Error(ErrorCode.Local_Transport, "disconnected"));
        recorder.Record(new Error(code, "refused"));

        Assert.Equal(code, (await recorder.Fatal).Code);
        Assert.Equal(code, recorder.Last!.Code);
    }

    [Theory]
    [InlineData(ErrorCode.Local_Transport)]
    [InlineData(ErrorCode.Local_AllBrokersDown)]
    [InlineData(ErrorCode.Local_TimedOut)]
    public void Record_TransientError_KeptAsLastButNotFatal(ErrorCode code)
    {
        var recorder = new KafkaClientErrorRecorder();

        recorder.Record(new Error(code, "reason"));

        Assert.False(recorder.Fatal.IsCompleted);
        Assert.Equal(code, recorder.Last!.Code);
    }
}
