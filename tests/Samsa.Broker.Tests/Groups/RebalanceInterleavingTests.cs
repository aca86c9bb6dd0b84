using System.Text;
using Samsa.Broker.Groups;
using Samsa.Protocol;

namespace Samsa.Broker.Tests.Groups;

/// <summary>
/// Two cooperative clients driven through many orderings of their requests against one group
/// (no clock moves, so nothing may be settled by a timeout): the group must always end Stable
/// with both members and no request left unanswered.
/// </summary>
public class RebalanceInterleavingTests
{
    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task SecondMemberJoinsWhileLeaderRejoins_AnyOrdering_BothEndStableWithoutTimeouts(int seed)
    {
        await using var h = new GroupTestHarness(initialDelay: TimeSpan.Zero);
        var formed = await h.FormStableGroupAsync(1);
        var random = new Random(seed);
        var a = new Client("A", h.Group) { MemberId = formed[0].MemberId, Generation = formed[0].GenerationId, Stable = true };
        var b = new Client("B", h.Group);
        var clients = new[] { a, b };
        var trace = new StringBuilder();

        for (var step = 0; step < 400; step++)
        {
            await h.DrainAsync();
            if (clients.All(c => c.Stable && c.Generation == a.Generation) && a.Generation > 1 && !clients.Any(c => c.FollowUp)
                && (await h.Group.DescribeAsync()) is { State: "Stable", Members.Count: 2 })
            {
                return;
            }

            var ready = clients.Where(c => c.Outstanding is null || c.Outstanding.IsCompleted).ToList();
            Assert.True(ready.Count > 0, "every client waits on a request only a timeout could answer:\n" + trace);
            if (random.Next(3) == 0)
            {
                // Real time passes, far below every session and rebalance timeout between two steps of a client.
                await h.AdvanceAsync(TimeSpan.FromMilliseconds(100));
            }

            var client = ready[random.Next(ready.Count)];
            trace.AppendLine(await client.StepAsync(random));
        }

        Assert.Fail("no settled group after 400 steps:\n" + trace);
    }

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < 300; i++)
        {
            data.Add(i);
        }

        return data;
    }

    /// <summary>A client as librdkafka's cooperative member behaves, one request at a time.</summary>
    private sealed class Client(string name, ConsumerGroup group)
    {
        public string MemberId { get; set; } = "";

        public int Generation { get; set; } = -1;

        public bool Stable { get; set; }

        /// <summary>The leader gave partitions away: it rejoins once it has synced (the cooperative follow-up).</summary>
        public bool FollowUp { get; set; }

        public Task? Outstanding { get; private set; }

        private int _metadataVersion;

        private int _earlyRejoins;

        private int _spontaneousRejoins;

        public async Task<string> StepAsync(Random random)
        {
            switch (Outstanding)
            {
                case Task<JoinGroupResult> join:
                    Outstanding = null;
                    return OnJoin(await join, random);
                case Task<SyncGroupResult> sync:
                    Outstanding = null;
                    return OnSync(await sync);
                case Task<ErrorCode> heartbeat:
                    Outstanding = null;
                    var error = await heartbeat;
                    if (error != ErrorCode.None)
                    {
                        Rejoin(error);
                    }

                    return $"{name} heartbeat -> {error}";
            }

            if (Stable && _spontaneousRejoins < 2 && random.Next(4) == 0)
            {
                // A Stable member rejoins on its own (a metadata refresh, or the leader seeing a topic change).
                _spontaneousRejoins++;
                Stable = false;
            }

            if (Stable)
            {
                Outstanding = group.HeartbeatAsync(MemberId, null, Generation);
                return $"{name} sends heartbeat gen {Generation}";
            }

            // Owned partitions are part of the cooperative metadata, so each rejoin may carry new bytes.
            var metadata = GroupTestHarness.Subscription("t", "owned-" + _metadataVersion);
            Outstanding = group.JoinAsync(GroupTestHarness.Join(MemberId, metadata: metadata));
            return $"{name} sends JoinGroup as '{MemberId}'";
        }

        private string OnJoin(JoinGroupResult result, Random random)
        {
            switch (result.Error)
            {
                case ErrorCode.MemberIdRequired:
                    MemberId = result.MemberId;
                    return $"{name} join -> MEMBER_ID_REQUIRED";
                case ErrorCode.None:
                    Generation = result.GenerationId;
                    if (result.LeaderId == MemberId && _earlyRejoins < 2 && random.Next(3) == 0)
                    {
                        // The leader rejoins before it syncs (its metadata changed while it assigned).
                        _earlyRejoins++;
                        _metadataVersion += random.Next(2);
                        return $"{name} join -> gen {Generation} as leader; rejoins at once without syncing";
                    }

                    var assignments = new Dictionary<string, byte[]>();
                    if (result.LeaderId == MemberId)
                    {
                        // A leader that sees a newcomer hands it nothing yet and must rejoin to give away what it revoked.
                        FollowUp = result.Members.Count > 1 && _metadataVersion == 0;
                        foreach (var member in result.Members)
                        {
                            assignments[member.MemberId] = member.MemberId == MemberId ? [1] : (FollowUp ? [] : [2]);
                        }
                    }

                    Outstanding = group.SyncAsync(new SyncGroupCommand(Generation, MemberId, null, null, null, assignments));
                    return $"{name} join -> gen {Generation} (leader {result.LeaderId == MemberId}, members {result.Members.Count}); sends SyncGroup";
                default:
                    Rejoin(result.Error);
                    return $"{name} join -> {result.Error}";
            }
        }

        private string OnSync(SyncGroupResult result)
        {
            if (result.Error != ErrorCode.None)
            {
                Rejoin(result.Error);
                return $"{name} sync -> {result.Error}";
            }

            if (FollowUp)
            {
                FollowUp = false;
                _metadataVersion++;
                Stable = false;
                return $"{name} sync gen {Generation} -> assigned [{string.Join(',', result.Assignment)}]; rejoins for the follow-up";
            }

            Stable = true;
            return $"{name} sync gen {Generation} -> assigned [{string.Join(',', result.Assignment)}]";
        }

        private void Rejoin(ErrorCode error)
        {
            Stable = false;
            if (error is ErrorCode.UnknownMemberId)
            {
                MemberId = "";
                Generation = -1;
            }
        }
    }
}
