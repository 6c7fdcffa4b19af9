using System.Net;
using Pool.Reactor;
using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios.Network;

/// <summary>
/// The reactor's poller and socket seams under the explorer: in-memory connections whose arrival, data, peer
/// close and reset are done by scenario threads (<see cref="SimulatedPeer"/>), so the explorer orders them
/// against the loop and the workers. The loop's wait is a timed condition wait, so time is virtual. Where a
/// real network is nondeterministic the explorer chooses (<see cref="Nondeterminism.Choose"/>): how much of
/// the waiting data a read returns, how much of a write the peer's window takes.
/// </summary>
/// <remarks>
/// Each loop over the network watches its descriptors through a poller of its own: the network itself for the first
/// loop, <see cref="CreatePoller"/> for the others (a server with several I/O loops); a descriptor is in one at most.
/// The network is also a witness: a call on a descriptor that was closed (use after release), closing one
/// twice, or registering one twice throws <see cref="InvariantViolatedException"/>. Descriptor numbers are
/// never reused, so every such use is caught, not only those that would hit a reused number.
/// </remarks>
internal sealed class SimulatedNetwork : IPoller, INetwork
{
    private const int ListenerDescriptor = 3;
    private readonly IThreading _threading;
    private readonly ILock _lock;
    private readonly ICondition _changed; // the loop and every peer wait on it; broadcast on any change
    private readonly Queue<SimulatedPeer> _backlog = []; // guarded by _lock
    private readonly Dictionary<int, SimulatedPeer> _connections = []; // guarded by _lock
    private readonly List<Poller> _pollers = []; // guarded by _lock; the first is this network's own
    private readonly Poller _first;
    private readonly HashSet<int> _closed = []; // guarded by _lock
    private readonly bool _chooses;
    private bool _listening; // guarded by _lock
    private int _nextDescriptor = ListenerDescriptor + 1; // guarded by _lock
    private readonly HashSet<int> _spares = []; // guarded by _lock: spare descriptors open
    private int _freeWhileOut; // guarded by _lock: descriptors freed while out of them (the spare closed, a connection closed)

    /// <param name="threading">The explorer's threading.</param>
    /// <param name="window">Bytes a peer's receive window holds: a smaller window means partial writes and EAGAIN.</param>
    /// <param name="chooses">Whether reads and writes may be partial at the explorer's choice.</param>
    public SimulatedNetwork(IThreading threading, int window = 1024, bool chooses = false)
    {
        _threading = threading;
        _lock = threading.CreateLock();
        _changed = threading.CreateCondition(_lock);
        Window = window;
        _chooses = chooses;
        _first = NewPoller();
    }

    internal int Window { get; }

    /// <summary>Until this time (the explorer's clock) every accept fails with EMFILE, and there is no spare descriptor.</summary>
    public TimeSpan OutOfDescriptorsUntil { get; set; }

    /// <summary>
    /// Whether the server may keep a spare descriptor (<see cref="INetwork.OpenSpare"/>): one taken before the
    /// process runs out of descriptors is the only way to free one then (closing it lets one accept succeed, until a
    /// descriptor is opened again). False: no spare can be had.
    /// </summary>
    public bool KeepsSpare { get; set; }

    /// <summary>Accepts that failed for want of descriptors.</summary>
    public int FailedAccepts { get; private set; }

    /// <summary>How many times the first loop's poller (this network) was disposed.</summary>
    public int Disposals => Locked(() => _first.Disposals);

    /// <summary>Accepted connections whose descriptor is still open (after the server stopped: a leak).</summary>
    public int OpenConnections =>
        Locked(() => _connections.Keys.Count(fd => !_closed.Contains(fd)));

    /// <summary>Any thread: a client connects; the server accepts it when its loop next polls.</summary>
    public SimulatedPeer Connect()
    {
        var peer = new SimulatedPeer(this);
        Locked(() =>
        {
            Check.That(_listening, "a client connected before the server listened");
            _backlog.Enqueue(peer);
            _changed.Broadcast();
        });
        return peer;
    }

    // ---- INetwork (the loop's side) ----

    public int Listen(IPAddress address, int port, int backlog) =>
        Locked(() =>
        {
            Check.That(!_listening, "the server listened twice");
            _listening = true;
            return ListenerDescriptor;
        });

    public int LocalPort(int listener) => 1;

    public int Accept(int listener, out int errno)
    {
        _lock.Enter();
        try
        {
            Use(listener);
            var outOfDescriptors = _threading.Now < OutOfDescriptorsUntil;
            if (outOfDescriptors && (!KeepsSpare || _freeWhileOut == 0))
            {
                FailedAccepts++;
                Check.That(
                    FailedAccepts <= 20,
                    "the loop keeps accepting while out of descriptors (a busy loop)"
                );
                errno = Errno.Emfile;
                return -1;
            }
            if (_backlog.Count == 0)
            {
                errno = Errno.Eagain;
                return -1;
            }
            if (outOfDescriptors)
            {
                _freeWhileOut--; // the one the closed spare left
            }
            var fd = _nextDescriptor++;
            var peer = _backlog.Dequeue();
            peer.Descriptor = fd;
            _connections.Add(fd, peer);
            errno = 0;
            return fd;
        }
        finally
        {
            _lock.Exit();
        }
    }

    public void ConfigureAccepted(int connection) => Locked(() => Use(connection));

    public int Receive(int connection, Span<byte> buffer, out int errno)
    {
        _lock.Enter();
        try
        {
            var peer = Use(connection);
            var count = peer.Inbound.Count;
            if (peer.IsReset)
            {
                errno = Errno.Econnreset;
                return -1;
            }
            if (count == 0)
            {
                peer.EndOfStreamRead |= peer.InboundEnded;
                errno = peer.InboundEnded ? 0 : Errno.Eagain;
                return peer.InboundEnded ? 0 : -1;
            }
            var take = Math.Min(count, buffer.Length);
            if (_chooses && take > 1 && Nondeterminism.Choose(_threading, 2) == 1)
            {
                take /= 2; // a partial read: TCP keeps no message boundaries
            }
            for (var i = 0; i < take; i++)
            {
                buffer[i] = peer.Inbound.Dequeue();
            }
            errno = 0;
            return take;
        }
        finally
        {
            _lock.Exit();
        }
    }

    public int Send(int connection, ReadOnlySpan<byte> data, out int errno)
    {
        _lock.Enter();
        try
        {
            var peer = Use(connection);
            Check.That(!peer.OutboundEnded, "a write after the sending direction was shut");
            if (peer.IsReset)
            {
                errno = Errno.Econnreset;
                return -1;
            }
            if (peer.HasClosed)
            {
                peer.Written.AddRange(data);
                errno = 0;
                return data.Length; // the peer's kernel takes it and discards it
            }
            var room = Window - peer.Unread.Count;
            if (room <= 0)
            {
                errno = Errno.Eagain;
                return -1;
            }
            var take = Math.Min(room, data.Length);
            if (_chooses && take > 1 && Nondeterminism.Choose(_threading, 2) == 1)
            {
                take /= 2;
            }
            foreach (var b in data[..take])
            {
                peer.Unread.Enqueue(b);
                peer.Written.Add(b);
            }
            _changed.Broadcast();
            errno = 0;
            return take;
        }
        finally
        {
            _lock.Exit();
        }
    }

    public void ShutdownWrite(int connection) =>
        Locked(() =>
        {
            Use(connection).OutboundEnded = true;
            _changed.Broadcast();
        });

    public void Close(int descriptor) =>
        Locked(() =>
        {
            if (_threading.Now < OutOfDescriptorsUntil)
            {
                _freeWhileOut++;
            }
            if (_spares.Remove(descriptor))
            {
                _closed.Add(descriptor);
                return;
            }
            Use(descriptor);
            Check.That(
                _pollers.All(p => !p.IsRegistered(descriptor)),
                $"descriptor {descriptor} closed while still in the poller"
            );
            _closed.Add(descriptor);
            if (descriptor == ListenerDescriptor)
            {
                while (_backlog.TryDequeue(out var waiting))
                {
                    waiting.RefuseByServer(); // as the kernel resets the connections no one accepted
                }
            }
            if (_connections.TryGetValue(descriptor, out var peer))
            {
                peer.OutboundEnded = true; // the peer reads end of stream
                peer.Releases++;
            }
            _changed.Broadcast();
        });

    public int OpenSpare() =>
        !KeepsSpare
            ? -1 // set before the server starts: no lock (and no scheduling point) where no spare is kept
            : Locked(() =>
            {
                if (_threading.Now < OutOfDescriptorsUntil)
                {
                    if (_freeWhileOut == 0)
                    {
                        return -1;
                    }
                    _freeWhileOut--;
                }
                var spare = _nextDescriptor++;
                _spares.Add(spare);
                return spare;
            });

    // ---- IPoller: the first loop's poller; CreatePoller gives each further loop its own ----

    public IPoller CreatePoller() => Locked(() => NewPoller());

    public void Add(int descriptor, ulong token, Interest interest) =>
        _first.Add(descriptor, token, interest);

    public void Modify(int descriptor, ulong token, Interest interest) =>
        _first.Modify(descriptor, token, interest);

    public void Remove(int descriptor) => _first.Remove(descriptor);

    public int Wait(Span<ReadyEvent> ready, TimeSpan? timeout) => _first.Wait(ready, timeout);

    public void Wake() => _first.Wake();

    public void Dispose() => _first.Dispose();

    /// <summary>Under the lock: a poller of this network, known to it (a descriptor is registered in one at most).</summary>
    private Poller NewPoller()
    {
        var poller = new Poller(this);
        _pollers.Add(poller);
        return poller;
    }

    /// <summary>One loop's registrations and wake-up flag; the lock and the condition are the network's.</summary>
    private sealed class Poller(SimulatedNetwork network) : IPoller
    {
        private readonly Dictionary<int, (ulong Token, Interest Interest)> _registered = []; // guarded by the lock
        private bool _wakeRequested; // guarded by the network's lock

        /// <summary>Under the network's lock: how many times the poller was disposed (it may not be used after).</summary>
        internal int Disposals { get; private set; }

        internal bool IsRegistered(int descriptor) => _registered.ContainsKey(descriptor);

        public void Add(int descriptor, ulong token, Interest interest) =>
            network.Locked(() =>
            {
                CheckNotDisposed();
                network.Use(descriptor);
                Check.That(
                    network._pollers.All(p => !p.IsRegistered(descriptor)),
                    "registered twice"
                );
                _registered.Add(descriptor, (token, interest));
            });

        public void Modify(int descriptor, ulong token, Interest interest) =>
            network.Locked(() =>
            {
                CheckNotDisposed();
                network.Use(descriptor);
                Check.That(
                    _registered.ContainsKey(descriptor),
                    "modified an unregistered descriptor"
                );
                _registered[descriptor] = (token, interest);
            });

        public void Remove(int descriptor) =>
            network.Locked(() =>
            {
                CheckNotDisposed();
                network.Use(descriptor);
                Check.That(_registered.Remove(descriptor), "removed an unregistered descriptor");
            });

        public int Wait(Span<ReadyEvent> ready, TimeSpan? timeout)
        {
            network._lock.Enter();
            try
            {
                CheckNotDisposed();
                var count = network.Collect(_registered, ready);
                if (count > 0 || _wakeRequested)
                {
                    _wakeRequested = false;
                    return count;
                }
                if (timeout is { } limit)
                {
                    if (limit > TimeSpan.Zero)
                    {
                        network._changed.Wait(limit);
                    }
                }
                else
                {
                    network._changed.Wait();
                }
                _wakeRequested = false;
                return network.Collect(_registered, ready);
            }
            finally
            {
                network._lock.Exit();
            }
        }

        public void Wake() =>
            network.Locked(() =>
            {
                CheckNotDisposed();
                _wakeRequested = true;
                network._changed.Broadcast();
            });

        public void Dispose() => network.Locked(() => Disposals++);

        private void CheckNotDisposed() =>
            Check.That(Disposals == 0, "the poller was used after it was disposed");
    }

    // ---- the peers' side (called by SimulatedPeer under no lock) ----

    internal void Locked(Action action) =>
        Locked(() =>
        {
            action();
            return 0;
        });

    internal T Locked<T>(Func<T> action)
    {
        _lock.Enter();
        try
        {
            return action();
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Under the lock: a peer changed something the loop or another peer may wait for.</summary>
    internal void Changed() => _changed.Broadcast();

    /// <summary>Under the lock: waits for the next change.</summary>
    internal void WaitForChange() => _changed.Wait();

    private int Collect(
        Dictionary<int, (ulong Token, Interest Interest)> registered,
        Span<ReadyEvent> ready
    )
    {
        var count = 0;
        foreach (var (fd, (token, interest)) in registered)
        {
            if (count == ready.Length)
            {
                break;
            }
            bool readable;
            bool writable = false;
            bool closed = false;
            if (fd == ListenerDescriptor)
            {
                readable = _backlog.Count > 0;
            }
            else
            {
                var peer = _connections[fd];
                readable = peer.Inbound.Count > 0 || peer.InboundEnded || peer.IsReset;
                writable = peer.IsReset || peer.HasClosed || peer.Unread.Count < Window;
                closed = peer.IsReset || (peer.InboundEnded && peer.OutboundEnded);
            }
            readable &= interest.HasFlag(Interest.Readable);
            if (readable && fd != ListenerDescriptor)
            {
                Check.That(
                    !_connections[fd].EndOfStreamRead || _connections[fd].IsReset,
                    $"descriptor {fd} is still watched for reading after its end of stream was read (a busy loop)"
                );
            }
            writable &= interest.HasFlag(Interest.Writable);
            if (readable || writable || closed)
            {
                ready[count++] = new ReadyEvent(token, readable, writable, closed);
            }
        }
        return count;
    }

    private SimulatedPeer Use(int descriptor)
    {
        Check.That(
            !_closed.Contains(descriptor),
            $"descriptor {descriptor} used after it was closed (use after release)"
        );
        if (descriptor == ListenerDescriptor)
        {
            return null!;
        }
        Check.That(
            _connections.TryGetValue(descriptor, out var peer),
            $"unknown descriptor {descriptor}"
        );
        return peer!;
    }
}
