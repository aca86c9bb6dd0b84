using Samsa.Broker.Security;

namespace Samsa.Broker.Tests.Security;

public class BrokerUserCollectionTests
{
    [Fact]
    public void Add_TwoUsersSamePassword_DerivesSaltedCredentialsWithDistinctSalts()
    {
        var users = new BrokerUserCollection { { "alice", "same" }, { "bob", "same" } };

        var alice = users.FindOrDecoy("alice", ScramMechanism.Sha512, out var aliceKnown);
        var bob = users.FindOrDecoy("bob", ScramMechanism.Sha512, out _);
        var alice256 = users.FindOrDecoy("alice", ScramMechanism.Sha256, out _);

        Assert.True(aliceKnown);
        Assert.Equal(SecurityDefaults.ScramIterations, alice.Iterations);
        Assert.Equal(SecurityDefaults.ScramSaltLength, alice.Salt.Length);
        Assert.NotEqual(alice.Salt, bob.Salt);
        Assert.NotEqual(alice.StoredKey, bob.StoredKey);
        Assert.NotEqual(alice.Salt, alice256.Salt);
        Assert.Equal(64, alice.StoredKey.Length);
        Assert.Equal(32, alice256.StoredKey.Length);
        Assert.Equal(["alice", "bob"], users);
    }

    [Fact]
    public void Add_Password_IsNotKeptAnywhereInTheCollection()
    {
        const string password = "p4ssw0rd-that-must-not-stay";
        var users = new BrokerUserCollection { { "alice", password } };

        var fields = typeof(BrokerUserCollection).GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public);

        Assert.DoesNotContain(fields, f => f.FieldType == typeof(string));
        Assert.True(users.VerifyPassword("alice", password));
        Assert.False(users.VerifyPassword("alice", password + "x"));
        Assert.False(users.VerifyPassword("mallory", password));
    }

    [Fact]
    public void AddRemove_ExistingUser_ReplacesThenRemoves()
    {
        var users = new BrokerUserCollection { { "alice", "one" } };

        users.Add("alice", "two");

        Assert.Equal(1, users.Count);
        Assert.True(users.VerifyPassword("alice", "two"));
        Assert.True(users.Remove("alice"));
        Assert.False(users.Contains("alice"));
    }

    [Theory]
    [InlineData("", "pw")]
    [InlineData("alice", "")]
    public void Add_EmptyNameOrPassword_Throws(string name, string password) =>
        Assert.Throws<ArgumentException>(() => new BrokerUserCollection().Add(name, password));
}
