namespace Pool.Reactor;

/// <summary>
/// The loop's registered channels, addressed by tokens of slot and generation: a token of a removed channel
/// never finds the slot's next occupant, so a stale readiness report is ignored. Loop thread only.
/// </summary>
internal sealed class ChannelTable
{
    private readonly List<(IChannel? Channel, uint Generation)> _slots = [];
    private readonly Stack<int> _free = new();

    internal int Count { get; private set; }

    internal ulong Add(IChannel channel)
    {
        if (!_free.TryPop(out var slot))
        {
            slot = _slots.Count;
            _slots.Add((null, 0));
        }
        var generation = _slots[slot].Generation + 1;
        _slots[slot] = (channel, generation);
        Count++;
        return ((ulong)generation << 32) | (uint)slot;
    }

    internal IChannel? Find(ulong token)
    {
        var slot = (int)(uint)token;
        var generation = (uint)(token >> 32);
        return slot < _slots.Count && _slots[slot].Generation == generation
            ? _slots[slot].Channel
            : null;
    }

    internal void Remove(ulong token)
    {
        var slot = (int)(uint)token;
        if (Find(token) is null)
        {
            return;
        }
        _slots[slot] = (null, _slots[slot].Generation);
        _free.Push(slot);
        Count--;
    }
}
