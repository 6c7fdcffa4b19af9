using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace EchoLoad;

/// <summary>
/// The design of the native limit (bench/native/echo-epoll.c) written in C#, with nothing beyond it: one epoll loop per
/// thread, each with its own listening socket on the port (SO_REUSEPORT), level-triggered, each readable connection
/// read once into 64 KiB, fib(work) once per read, the bytes written back; with workers the loops only read, and a
/// connection with input waiting is queued once (one lock and condition) for the workers, which compute and write the
/// reply themselves until the connection has no input left. Loops and idle workers poll (yielding) for up to 100 µs
/// before they block, the budget adapted as the native server's is. No framing, no metrics, no timers, no teardown
/// safety beyond a reference count: what it reaches is what a .NET server of either design reaches with nothing else
/// (not a bound: a better one may exist), to tell a miss of ours from one of .NET or of the design. One difference,
/// for <see cref="Stop"/>: a blocking wait lasts at most 100 ms (the C server's never ends), which an idle server pays
/// with ten wake-ups a second per loop.
/// <para>With <see cref="HandOff.Pool"/> or <see cref="HandOff.Executor"/> the loops hand connections to our thread pool
/// or to our executor's queues instead of the server's own queue and workers, all else unchanged.</para>
/// </summary>
internal sealed class MinimalEpollServer
{
    private const int BufferSize = 64 * 1024;
    private const int Capacity = 256; // events per epoll_wait
    private const int SockNonblockCloexec = 0x800 | 0x80000;
    private const int MsgNosignal = 0x4000;

    private const int IdleWaitMilliseconds = 100; // a blocking wait's longest, so that a loop sees Stop

    // The longest spin before a blocking wait: 100 µs in Stopwatch ticks, as the native server's.
    private static readonly long s_busyPoll = Stopwatch.Frequency / 10_000;
    private static long s_sink; // the work's result, so that it is not optimised away

    private readonly int _port; // 0: the first loop's listener picks one, the others share it
    private readonly int _work;
    private readonly object _tasksLock = new(); // guards _head's writes, _tail and _sleeping
    private Connection? _head; // read without the lock by spinning workers (Volatile)
    private Connection? _tail;
    private int _sleeping;
    private int _stopped; // 1 once Stop was called (Volatile)
    private readonly List<Thread> _threads = [];
    private readonly HandOff _handOff;
    private Pool.ThreadPool? _pool; // with HandOff.Pool
    private Pool.Executor? _executor; // with HandOff.Executor
    private Pool.ExecQueue[] _queues = []; // the executor's, four per worker, connection by descriptor

    [ThreadStatic]
    private static byte[]? t_taken; // a pool worker's buffer for the input it takes

    private sealed class Connection(int descriptor, int epoll)
    {
        public readonly int Descriptor = descriptor;
        public readonly int Epoll = epoll;
        public readonly object Lock = new(); // with workers: guards everything below, shared by the loop and the workers
        public byte[] Pending = new byte[4096]; // bytes the socket did not take yet
        public int PendingLength;
        public bool WritableWanted; // EPOLLOUT is in the interest set
        public byte[] Input = new byte[4096]; // with workers: bytes read, waiting for a worker
        public int InputLength;
        public bool Scheduled; // a worker's task is queued or running
        public bool Closed; // the loop dropped it
        public int References = 1; // the loop's, and the task's while scheduled
        public Connection? Next; // in the task queue
    }

    /// <summary>A server on 127.0.0.1:<paramref name="port"/>; nothing runs before <see cref="Start"/>.</summary>
    internal MinimalEpollServer(
        int port,
        int work,
        int loops,
        int workers,
        HandOff handOff = HandOff.Own
    )
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(loops, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        (_port, _work, Loops, Workers, _handOff) = (port, work, loops, workers, handOff);
    }

    internal int Loops { get; }

    /// <summary>The port every loop listens on (known once <see cref="Start"/> has returned).</summary>
    internal int Port { get; private set; }

    internal int Workers { get; }

    private bool WithWorkers => Workers > 0;

    /// <summary>Starts the loops (each listening before this returns) and the workers, as background threads. Once.</summary>
    internal void Start()
    {
        Port = _port;
        for (var i = 0; i < Loops; i++)
        {
            var listener = Listen();
            Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            _threads.Add(
                new Thread(() => Loop(listener)) { IsBackground = true, Name = $"loop-{i}" }
            );
        }
        if (WithWorkers && _handOff == HandOff.Pool)
        {
            _pool = new Pool.ThreadPool(Workers);
        }
        else if (WithWorkers && _handOff == HandOff.Executor)
        {
            _executor = new Pool.Executor(Workers);
            _queues =
            [
                .. Enumerable.Range(0, 4 * Workers).Select(i => _executor.CreateQueue($"q{i}")),
            ];
        }
        else
        {
            for (var i = 0; i < Workers; i++)
            {
                _threads.Add(new Thread(RunWorker) { IsBackground = true, Name = $"worker-{i}" });
            }
        }
        _threads.ForEach(thread => thread.Start());
    }

    /// <summary>
    /// Stops the loops (each closes its listener and the connections it still has, within 100 ms) and the workers,
    /// and joins them. A connection a worker still holds is closed by the worker.
    /// </summary>
    internal void Stop()
    {
        Volatile.Write(ref _stopped, 1);
        lock (_tasksLock)
        {
            Monitor.PulseAll(_tasksLock);
        }
        _threads.ForEach(thread => thread.Join());
        _pool?.Destroy();
        _executor?.Destroy();
    }

    private Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.SetRawSocketOption(
            1 /* SOL_SOCKET */
            ,
            15 /* SO_REUSEPORT */
            ,
            BitConverter.GetBytes(1)
        );
        listener.Bind(new IPEndPoint(IPAddress.Loopback, Port));
        listener.Listen(1024);
        listener.Blocking = false;
        return listener;
    }

    private void Compute()
    {
        if (_work > 0)
        {
            Volatile.Write(ref s_sink, Work.Fibonacci(_work));
        }
    }

    private void Loop(Socket listener)
    {
        var listening = (int)listener.Handle;
        var epoll = Check(LibC.EpollCreate1(LibC.EpollCloexec), "epoll_create1");
        Control(epoll, LibC.EpollCtlAdd, listening, LibC.EpollIn, ulong.MaxValue);
        var connections = new Connection?[1024]; // by descriptor: the token is the descriptor
        var events = new byte[Capacity * LibC.EpollEventSize];
        var buffer = new byte[BufferSize];
        var budget = s_busyPoll;
        var found = false;
        while (Volatile.Read(ref _stopped) == 0)
        {
            var count = WaitEvents(epoll, events, ref budget, ref found);
            for (var i = 0; i < count; i++)
            {
                var (flags, token) = LibC.EpollEvent(events, i);
                if (token == ulong.MaxValue)
                {
                    Accept(listening, epoll, ref connections);
                    continue;
                }
                var c = connections[(int)token]!;
                if ((flags & LibC.EpollOut) != 0)
                {
                    bool failed;
                    if (WithWorkers)
                    {
                        lock (c.Lock)
                        {
                            failed = Flush(c) < 0;
                        }
                    }
                    else
                    {
                        failed = Flush(c) < 0;
                    }
                    if (failed)
                    {
                        Drop(c, connections);
                        continue;
                    }
                }
                if ((flags & (LibC.EpollIn | LibC.EpollHup | LibC.EpollErr)) == 0)
                {
                    continue;
                }
                var n = (int)LibC.Recv(c.Descriptor, buffer, BufferSize, 0);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is not (LibC.Eagain or LibC.Eintr))
                    {
                        Drop(c, connections);
                    }
                    continue;
                }
                if (n == 0)
                {
                    Drop(c, connections);
                    continue;
                }
                if (WithWorkers)
                {
                    bool first;
                    lock (c.Lock)
                    {
                        Append(ref c.Input, ref c.InputLength, buffer.AsSpan(0, n));
                        first = !c.Scheduled;
                        if (first)
                        {
                            c.Scheduled = true;
                            c.References++;
                        }
                    }
                    if (first)
                    {
                        Submit(c);
                    }
                    continue;
                }
                Compute();
                Append(ref c.Pending, ref c.PendingLength, buffer.AsSpan(0, n));
                if (Flush(c) < 0)
                {
                    Drop(c, connections);
                }
            }
        }
        foreach (var c in connections)
        {
            if (c is not null)
            {
                Drop(c, connections);
            }
        }
        _ = LibC.Close(epoll);
        listener.Dispose();
    }

    private static void Accept(int listening, int epoll, ref Connection?[] connections)
    {
        int descriptor;
        while ((descriptor = LibC.Accept4(listening, 0, 0, SockNonblockCloexec)) >= 0)
        {
            var one = 1;
            _ = LibC.SetSockOpt(
                descriptor,
                6 /* IPPROTO_TCP */
                ,
                1 /* TCP_NODELAY */
                ,
                ref one,
                sizeof(int)
            );
            if (descriptor >= connections.Length)
            {
                Array.Resize(ref connections, Math.Max(descriptor + 1, connections.Length * 2));
            }
            connections[descriptor] = new Connection(descriptor, epoll);
            Control(epoll, LibC.EpollCtlAdd, descriptor, LibC.EpollIn, (ulong)descriptor);
        }
    }

    // epoll_wait with no timeout, after a spin of up to `budget` ticks when the last wait found events.
    private static int WaitEvents(int epoll, byte[] events, ref long budget, ref bool found)
    {
        long spun = 0;
        if (found && budget > 0)
        {
            var start = Stopwatch.GetTimestamp();
            while (true)
            {
                var polled = LibC.EpollWait(epoll, events, Capacity, 0);
                if (polled > 0)
                {
                    return polled;
                }
                spun = Stopwatch.GetTimestamp() - start;
                if (spun >= budget)
                {
                    break;
                }
                Thread.Yield();
            }
        }
        var before = Stopwatch.GetTimestamp();
        var count = LibC.EpollWait(epoll, events, Capacity, IdleWaitMilliseconds);
        var slept = Stopwatch.GetTimestamp() - before;
        if (spun > 0)
        {
            Adapt(ref budget, spun, slept);
        }
        found = count > 0;
        return Math.Max(0, count);
    }

    private static void Adapt(ref long budget, long spun, long slept) =>
        budget =
            slept <= s_busyPoll - spun
                ? Math.Min(s_busyPoll, budget * 2)
                : Math.Max(s_busyPoll / 32, budget / 2);

    // The loop is done with the connection; it is closed with its last reference (a worker may still hold one).
    private void Drop(Connection c, Connection?[] connections)
    {
        Control(c.Epoll, LibC.EpollCtlDel, c.Descriptor, 0, 0);
        connections[c.Descriptor] = null;
        bool last;
        if (WithWorkers)
        {
            lock (c.Lock)
            {
                c.Closed = true;
                last = --c.References == 0;
            }
        }
        else
        {
            last = true;
        }
        if (last)
        {
            _ = LibC.Close(c.Descriptor);
        }
    }

    private static void Append(ref byte[] to, ref int length, ReadOnlySpan<byte> bytes)
    {
        if (length + bytes.Length > to.Length)
        {
            Array.Resize(ref to, (length + bytes.Length) * 2);
        }
        bytes.CopyTo(to.AsSpan(length));
        length += bytes.Length;
    }

    // Writes what is pending (with workers: under the connection's lock); -1 when the connection failed.
    private static int Flush(Connection c)
    {
        var done = 0;
        while (done < c.PendingLength)
        {
            var n = (int)
                LibC.Send(
                    c.Descriptor,
                    c.Pending.AsSpan(done),
                    c.PendingLength - done,
                    MsgNosignal
                );
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is LibC.Eagain or LibC.Eintr)
                {
                    break;
                }
                return -1;
            }
            done += n;
        }
        c.Pending.AsSpan(done, c.PendingLength - done).CopyTo(c.Pending);
        c.PendingLength -= done;
        if (c.PendingLength > 0 != c.WritableWanted)
        {
            c.WritableWanted = c.PendingLength > 0;
            Control(
                c.Epoll,
                LibC.EpollCtlMod,
                c.Descriptor,
                LibC.EpollIn | (c.WritableWanted ? LibC.EpollOut : 0),
                (ulong)c.Descriptor
            );
        }
        return 0;
    }

    private void Submit(Connection c)
    {
        if (_pool is not null)
        {
            _pool.Schedule(() => Serve(c));
            return;
        }
        if (_executor is not null)
        {
            _queues[c.Descriptor % _queues.Length].Submit(() => Serve(c));
            return;
        }
        lock (_tasksLock)
        {
            c.Next = null;
            if (_tail is not null)
            {
                _tail.Next = c;
            }
            else
            {
                Volatile.Write(ref _head, c);
            }
            _tail = c;
            if (_sleeping > 0)
            {
                Monitor.Pulse(_tasksLock);
            }
        }
    }

    // A worker's next connection: after a spin of up to `budget` ticks (adapted as the loops' is), it sleeps. Null once
    // the server stops.
    private Connection? Take(ref long budget)
    {
        long spun = 0;
        if (budget > 0)
        {
            var start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _head) is null)
            {
                spun = Stopwatch.GetTimestamp() - start;
                if (spun >= budget)
                {
                    break;
                }
                Thread.Yield();
            }
        }
        Connection c;
        long slept;
        var waited = false;
        lock (_tasksLock)
        {
            var before = Stopwatch.GetTimestamp();
            while (_head is null)
            {
                if (Volatile.Read(ref _stopped) != 0)
                {
                    return null;
                }
                _sleeping++;
                Monitor.Wait(_tasksLock);
                _sleeping--;
                waited = true;
            }
            slept = Stopwatch.GetTimestamp() - before;
            c = _head;
            Volatile.Write(ref _head, c.Next);
            if (c.Next is null)
            {
                _tail = null;
            }
        }
        if (spun > 0 && waited)
        {
            Adapt(ref budget, spun, slept);
        }
        return c;
    }

    private void RunWorker()
    {
        var taken = new byte[4096];
        var budget = s_busyPoll;
        while (Take(ref budget) is { } c)
        {
            Serve(c, ref taken);
        }
    }

    // A task of our pool or executor: serves the connection with the worker's own buffer.
    private void Serve(Connection c)
    {
        var taken = t_taken ?? new byte[4096];
        Serve(c, ref taken);
        t_taken = taken;
    }

    // A worker: takes the connection's input, computes fib(work) once per take, and writes the reply itself (what the
    // socket does not take waits for the loop's EPOLLOUT), until the connection has no input left. `taken` is swapped
    // with the connection's input buffer at each take (the loop appends to the worker's old one).
    private void Serve(Connection c, ref byte[] taken)
    {
        while (true)
        {
            int n;
            lock (c.Lock)
            {
                if (c.InputLength == 0 || c.Closed)
                {
                    c.Scheduled = false;
                    if (--c.References == 0)
                    {
                        _ = LibC.Close(c.Descriptor);
                    }
                    return;
                }
                (taken, c.Input) = (c.Input, taken);
                n = c.InputLength;
                c.InputLength = 0;
            }
            Compute();
            lock (c.Lock)
            {
                if (!c.Closed)
                {
                    Append(ref c.Pending, ref c.PendingLength, taken.AsSpan(0, n));
                    _ = Flush(c); // a failure shows in the loop as an error event
                }
            }
        }
    }

    private static int Check(int result, string call) =>
        result >= 0
            ? result
            : throw new Win32Exception(Marshal.GetLastPInvokeError(), $"{call} failed");

    private static void Control(
        int epoll,
        int operation,
        int descriptor,
        uint events,
        ulong token
    ) => _ = Check(LibC.EpollControl(epoll, operation, descriptor, events, token), "epoll_ctl");
}
