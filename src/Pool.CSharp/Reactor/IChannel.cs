namespace Pool.Reactor;

/// <summary>Something registered with a loop's poller: it handles its own readiness events on the loop thread.</summary>
internal interface IChannel
{
    void HandleEvent(in ReadyEvent ready);
}
