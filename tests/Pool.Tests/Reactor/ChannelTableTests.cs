using Pool.Reactor;

namespace Pool.Tests.Reactor;

/// <summary>A token of a removed channel never reaches the slot's next occupant, and a removed channel is gone.</summary>
public class ChannelTableTests
{
    private sealed class Channel : IChannel
    {
        public void HandleEvent(in ReadyEvent ready) { }
    }

    [Fact]
    public void A_stale_token_finds_nothing_after_its_slot_is_reused()
    {
        var table = new ChannelTable();
        var first = new Channel();
        var second = new Channel();
        var firstToken = table.Add(first);
        Assert.Same(first, table.Find(firstToken));

        table.Remove(firstToken);
        Assert.Null(table.Find(firstToken));

        var secondToken = table.Add(second);
        Assert.Equal((uint)firstToken, (uint)secondToken); // the same slot, reused
        Assert.NotEqual(firstToken, secondToken);
        Assert.Null(table.Find(firstToken));
        Assert.Same(second, table.Find(secondToken));
    }

    [Fact]
    public void Removing_a_stale_token_leaves_the_slots_new_occupant_in_place()
    {
        var table = new ChannelTable();
        var firstToken = table.Add(new Channel());
        table.Remove(firstToken);
        var second = new Channel();
        var secondToken = table.Add(second);

        table.Remove(firstToken); // a late removal of the old occupant
        Assert.Same(second, table.Find(secondToken));
        var third = new Channel();
        var thirdToken = table.Add(third); // must not share the slot the second still holds
        Assert.NotEqual((uint)secondToken, (uint)thirdToken);
        Assert.Same(second, table.Find(secondToken));
        Assert.Same(third, table.Find(thirdToken));
    }

    [Fact]
    public void A_token_of_no_slot_finds_nothing()
    {
        var table = new ChannelTable();
        Assert.Null(table.Find(((ulong)1 << 32) | 5));
    }
}
