using Pool.Reactor;
using Pool.Reactor.Linux;
using Pool.Tests.Pooling;

namespace Pool.Tests.Reactor;

/// <summary>
/// The epoll poller reports the same events whether a wait finds them spinning or blocked: a descriptor made ready
/// by another thread, and a wake-up that is consumed and never reported, after waits that found events (so that the
/// next one spins first).
/// </summary>
public sealed unsafe class EpollPollerTests : IDisposable
{
    private const ulong Token = 7;
    private readonly EpollPoller _poller = new();
    private readonly int _eventFd = Native.EventFd(0, Native.EfdCloexec | Native.EfdNonblock);

    public EpollPollerTests()
    {
        Assert.True(_eventFd >= 0, "eventfd");
        _poller.Add(_eventFd, Token, Interest.Readable);
    }

    public void Dispose()
    {
        _poller.Remove(_eventFd);
        Native.Close(_eventFd);
        _poller.Dispose();
    }

    [Fact]
    public void A_descriptor_made_ready_by_another_thread_is_reported_after_waits_that_found_events()
    {
        var ready = new ReadyEvent[8];
        for (var round = 0; round < 50; round++)
        {
            _poller.Wake();
            Assert.Equal(0, _poller.Wait(ready, null)); // the wake-up: consumed, not reported
            var signal = Started(() => Signal(1));
            var count = _poller.Wait(ready, Wait.Limit); // a lost event fails the test instead of hanging it
            Assert.True(signal.Join(Wait.Limit));
            Assert.Equal(1, count);
            Assert.Equal(Token, ready[0].Token);
            Assert.True(ready[0].Readable);
            Drain();
        }
    }

    [Fact]
    public void A_wake_up_from_another_thread_ends_a_wait_that_follows_one_that_found_events_and_is_never_reported()
    {
        var ready = new ReadyEvent[8];
        for (var round = 0; round < 50; round++)
        {
            Signal(1);
            Assert.Equal(1, _poller.Wait(ready, null));
            Drain();
            var wake = Started(_poller.Wake);
            var started = Environment.TickCount64;
            Assert.Equal(0, _poller.Wait(ready, Wait.Limit));
            Assert.True(wake.Join(Wait.Limit));
            Assert.True(
                Environment.TickCount64 - started < Wait.Limit.TotalMilliseconds,
                "the wake-up ended the wait, not its timeout"
            );
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void A_timeout_after_a_wait_that_found_events_still_ends_the_wait_with_nothing(
        int milliseconds
    )
    {
        var ready = new ReadyEvent[8];
        Signal(1);
        Assert.Equal(1, _poller.Wait(ready, null));
        Drain();
        var result = -1;
        // On a thread of its own: a wait that never ends fails the test instead of hanging it.
        var waiter = Started(() =>
            result = _poller.Wait(ready, TimeSpan.FromMilliseconds(milliseconds))
        );
        Assert.True(waiter.Join(Wait.Limit), "a wait with a timeout after a busy wait did not end");
        Assert.Equal(0, result);
    }

    private static Thread Started(Action action)
    {
        var thread = new Thread(() => action());
        thread.Start();
        return thread;
    }

    private void Signal(ulong value) =>
        Assert.Equal(8, Native.Write(_eventFd, &value, sizeof(ulong)));

    private void Drain()
    {
        ulong value;
        Assert.Equal(8, Native.Read(_eventFd, &value, sizeof(ulong)));
    }
}
