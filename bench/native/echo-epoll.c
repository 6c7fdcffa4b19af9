/*
 * The limit for the echo benchmark: a minimal epoll echo server in C, one loop per thread (one thread per core
 * by default), each with its own listening socket on the same port (SO_REUSEPORT: the kernel spreads the
 * connections), level-triggered, non-blocking, TCP_NODELAY. Each readable connection is read once into a 64 KiB
 * buffer, fib(WORK) is computed once per read (0: none), and the bytes are written back; what the socket does not
 * take at once waits in a per-connection buffer until it is writable. Nothing else: no framing, no metrics. Like the
 * Pool reactor's epoll poller, a loop whose last wait found events polls without blocking (yielding between polls) for
 * up to a budget before it blocks, the budget doubling when the next event came within what the longest spin would
 * have covered and halving otherwise (--busy-poll-us 0: always block).
 * With --workers N the loops only read: a connection with input waiting is queued (once) for N worker threads (one
 * mutex-and-condition queue, as workflow's thread pool), and the worker that takes it computes fib(WORK) once per
 * take and writes the reply itself, until the connection has no input left; an idle worker spins on the queue as the
 * loops do before it sleeps. That is the least a hand-off of each message to a worker costs, the limit for the Pool
 * reactor's worker mode.
 * With --work-us X the work is not fib but X microseconds of CPU (a loop calibrated at start): the same server paying
 * what another compiler's fib costs, to tell what a server built with that compiler could reach at best.
 * Build: cc -O2 -pthread -o echo-epoll echo-epoll.c
 * Usage: echo-epoll [--port 9713] [--work 0] [--work-us X] [--loops N (default: the cores)] [--busy-poll-us 100]
 * [--workers 0];
 * SIGTERM or SIGINT ends it. echo-epoll --work-cost prints what fib(n) costs here, n = 15..27, as EchoLoad's
 * work-cost does for .NET (warmed up, then timed over at least half a second, in wall and CPU time).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER (64 * 1024)

static int port = 9713, work = 0, workers = 0;
static double work_us = 0;       /* > 0: the work is this much CPU time instead of fib(work) */
static long spin_iterations = 0; /* what work_us takes, calibrated at start */
static long busy_poll_ns = 100000; /* the longest spin before a blocking wait */

struct connection {
    int fd, epoll;
    pthread_mutex_t lock; /* with workers: guards everything below, shared by the loop and the workers */
    char *pending;        /* bytes the socket did not take yet */
    size_t length, capacity;
    int writable_wanted; /* EPOLLOUT is in the interest set */
    char *input;         /* with workers: bytes read, waiting for a worker */
    size_t input_length, input_capacity;
    int scheduled, closed, references; /* a task is queued or running; the loop dropped it; loop + task */
    struct connection *next;           /* in the task queue */
};

/* With workers: the connections that have input waiting, each at most once, for any worker. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct connection *head, *tail;
    int sleeping;
} tasks = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0};

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static volatile long sink;

/* A loop the compiler cannot shorten: each step depends on the last through an empty assembly statement. */
static long spin(long iterations) {
    long x = 0;
    for (long i = 0; i < iterations; i++) __asm__ volatile("" : "+r"(x) : "r"(i));
    return x;
}

/* The work of one read: fib(work), or with --work-us the calibrated spin. */
static void compute(void) {
    if (spin_iterations > 0) sink = spin(spin_iterations);
    else if (work > 0) sink = fib(work);
}

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* After a spin of `spun` ns that found nothing and a sleep of `slept` ns: the budget doubles when the sleep was within
 * what the longest spin would have covered, and halves otherwise (the pool's and the Pool reactor's rule). */
static void adapt(long *budget, long spun, long slept) {
    if (slept <= busy_poll_ns - spun) *budget = *budget * 2 < busy_poll_ns ? *budget * 2 : busy_poll_ns;
    else *budget = *budget / 2 > busy_poll_ns / 32 ? *budget / 2 : busy_poll_ns / 32;
}

/* epoll_wait with no timeout, after a spin of up to *budget ns when the last wait found events (*found). */
static int wait_events(int epoll, struct epoll_event *ready, int capacity, long *budget, int *found) {
    long spun = 0;
    if (*found && *budget > 0) {
        long start = now_ns();
        for (;;) {
            int count = epoll_wait(epoll, ready, capacity, 0);
            if (count != 0) return count;
            spun = now_ns() - start;
            if (spun >= *budget) break;
            sched_yield();
        }
    }
    long slept = now_ns();
    int count = epoll_wait(epoll, ready, capacity, -1);
    slept = now_ns() - slept;
    if (spun > 0) adapt(budget, spun, slept);
    *found = count > 0;
    return count;
}

static int listener(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0 || listen(fd, 1024) < 0) {
        perror("bind/listen");
        exit(1);
    }
    return fd;
}

static void destroy(struct connection *c) {
    close(c->fd);
    pthread_mutex_destroy(&c->lock);
    free(c->pending);
    free(c->input);
    free(c);
}

/* The loop is done with the connection; it is freed with its last reference (a worker may still hold one). */
static void drop(int epoll, struct connection *c) {
    epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
    pthread_mutex_lock(&c->lock);
    c->closed = 1;
    int last = --c->references == 0;
    pthread_mutex_unlock(&c->lock);
    if (last) destroy(c);
}

static void append(char **to, size_t *length, size_t *capacity, const char *bytes, size_t n) {
    if (*length + n > *capacity) {
        *capacity = (*length + n) * 2;
        *to = realloc(*to, *capacity);
    }
    memcpy(*to + *length, bytes, n);
    *length += n;
}

/* Writes what is pending (with workers: under the connection's lock); returns -1 when the connection failed. */
static int flush(struct connection *c) {
    size_t done = 0;
    while (done < c->length) {
        ssize_t n = send(c->fd, c->pending + done, c->length - done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            return -1;
        }
        done += (size_t)n;
    }
    memmove(c->pending, c->pending + done, c->length - done);
    c->length -= done;
    if ((c->length > 0) != c->writable_wanted) { /* a system call only when the interest changes */
        c->writable_wanted = c->length > 0;
        struct epoll_event event = {.events = EPOLLIN | (c->writable_wanted ? EPOLLOUT : 0), .data.ptr = c};
        epoll_ctl(c->epoll, EPOLL_CTL_MOD, c->fd, &event);
    }
    return 0;
}

static void submit(struct connection *c) {
    pthread_mutex_lock(&tasks.lock);
    c->next = NULL;
    if (tasks.tail) tasks.tail->next = c;
    else __atomic_store_n(&tasks.head, c, __ATOMIC_RELEASE);
    tasks.tail = c;
    if (tasks.sleeping) pthread_cond_signal(&tasks.wake);
    pthread_mutex_unlock(&tasks.lock);
}

/* A worker's next connection: after a spin of up to *budget ns (adapted as the loops' is), it sleeps. */
static struct connection *take(long *budget) {
    long spun = 0;
    if (*budget > 0) {
        long start = now_ns();
        while (__atomic_load_n(&tasks.head, __ATOMIC_ACQUIRE) == NULL) {
            spun = now_ns() - start;
            if (spun >= *budget) break;
            sched_yield();
        }
    }
    pthread_mutex_lock(&tasks.lock);
    long slept = now_ns();
    int waited = 0;
    while (tasks.head == NULL) {
        tasks.sleeping++;
        pthread_cond_wait(&tasks.wake, &tasks.lock);
        tasks.sleeping--;
        waited = 1;
    }
    slept = now_ns() - slept;
    struct connection *c = tasks.head;
    __atomic_store_n(&tasks.head, c->next, __ATOMIC_RELEASE);
    if (c->next == NULL) tasks.tail = NULL;
    pthread_mutex_unlock(&tasks.lock);
    if (spun > 0 && waited) adapt(budget, spun, slept);
    return c;
}

/* A worker: takes a connection's input, computes fib(WORK) once per take, and writes the reply itself (what the
 * socket does not take waits for the loop's EPOLLOUT), until the connection has no input left. */
static void *worker(void *unused) {
    (void)unused;
    char *taken = NULL;
    size_t taken_capacity = 0;
    long budget = busy_poll_ns;
    for (;;) {
        struct connection *c = take(&budget);
        for (;;) {
            pthread_mutex_lock(&c->lock);
            if (c->input_length == 0 || c->closed) {
                c->scheduled = 0;
                int last = --c->references == 0;
                pthread_mutex_unlock(&c->lock);
                if (last) destroy(c);
                break;
            }
            char *input = c->input; /* swap buffers: the loop appends to the worker's old one */
            size_t n = c->input_length, capacity = c->input_capacity;
            c->input = taken;
            c->input_capacity = taken_capacity;
            c->input_length = 0;
            taken = input;
            taken_capacity = capacity;
            pthread_mutex_unlock(&c->lock);
            compute();
            pthread_mutex_lock(&c->lock);
            if (!c->closed) {
                append(&c->pending, &c->length, &c->capacity, taken, n);
                flush(c); /* a failure shows in the loop as an error event */
            }
            pthread_mutex_unlock(&c->lock);
        }
    }
    return NULL;
}

static void *loop(void *unused) {
    (void)unused;
    int epoll = epoll_create1(EPOLL_CLOEXEC), listen_fd = listener();
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL}, ready[256];
    epoll_ctl(epoll, EPOLL_CTL_ADD, listen_fd, &event);
    char *buffer = malloc(BUFFER);
    long budget = busy_poll_ns;
    int found = 0;
    for (;;) {
        int count = wait_events(epoll, ready, 256, &budget, &found);
        for (int i = 0; i < count; i++) {
            struct connection *c = ready[i].data.ptr;
            if (c == NULL) {
                int fd;
                while ((fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    c = calloc(1, sizeof *c);
                    c->fd = fd;
                    c->epoll = epoll;
                    c->references = 1;
                    pthread_mutex_init(&c->lock, NULL);
                    struct epoll_event added = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &added);
                }
                continue;
            }
            if (ready[i].events & EPOLLOUT) {
                if (workers) pthread_mutex_lock(&c->lock);
                int failed = flush(c) < 0;
                if (workers) pthread_mutex_unlock(&c->lock);
                if (failed) {
                    drop(epoll, c);
                    continue;
                }
            }
            if (!(ready[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            ssize_t n = recv(c->fd, buffer, BUFFER, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                drop(epoll, c);
                continue;
            }
            if (n < 0) continue;
            if (workers) {
                pthread_mutex_lock(&c->lock);
                append(&c->input, &c->input_length, &c->input_capacity, buffer, (size_t)n);
                int first = !c->scheduled;
                if (first) {
                    c->scheduled = 1;
                    c->references++;
                }
                pthread_mutex_unlock(&c->lock);
                if (first) submit(c);
                continue;
            }
            compute();
            append(&c->pending, &c->length, &c->capacity, buffer, (size_t)n);
            if (flush(c) < 0) drop(epoll, c);
        }
    }
    return NULL;
}

static long cpu_ns(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000L
        + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000L;
}

/* How many spin iterations take work_us of this process's CPU time (the machine idle, one thread busy). */
static long calibrate(void) {
    long iterations = 1000000;
    sink = spin(iterations * 50); /* warm-up */
    long cpu = cpu_ns();
    long start = now_ns();
    long done = 0;
    while (now_ns() - start < 300000000L) {
        sink = spin(iterations);
        done += iterations;
    }
    cpu = cpu_ns() - cpu;
    return (long)(work_us * 1000.0 * (double)done / (double)cpu);
}

/* Calls fib(n) for at least the given time; returns the calls. */
static long run_for(int n, long ns) {
    long calls = 0, start = now_ns();
    do {
        sink = fib(n);
        calls++;
    } while (now_ns() - start < ns);
    return calls;
}

static int work_cost(void) {
    for (int n = 15; n <= 27; n++) {
        run_for(n, 300000000L);
        long cpu = cpu_ns(), wall = now_ns();
        long calls = run_for(n, 500000000L);
        wall = now_ns() - wall;
        cpu = cpu_ns() - cpu;
        printf("native fib(%d): %.1f us (CPU %.1f us, %ld calls)\n", n, wall / 1e3 / calls, cpu / 1e3 / calls, calls);
    }
    return 0;
}

int main(int argc, char **argv) {
    int loops = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (argc == 2 && !strcmp(argv[1], "--work-cost")) return work_cost();
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--work")) work = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--work-us")) work_us = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--loops")) loops = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--busy-poll-us")) busy_poll_ns = atol(argv[i + 1]) * 1000;
        else if (!strcmp(argv[i], "--workers")) workers = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "usage: echo-epoll [--port N] [--work N] [--loops N] [--busy-poll-us N] [--workers N] [--work-us X] | echo-epoll --work-cost\n");
            return 2;
        }
    }
    if (work_us > 0) spin_iterations = calibrate();
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL); /* the loops never see them; main waits for them */
    for (int i = 0; i < loops + workers; i++) {
        pthread_t thread;
        pthread_create(&thread, NULL, i < loops ? loop : worker, NULL);
    }
    if (spin_iterations > 0)
        printf("native epoll echo server on 127.0.0.1:%d, %d loops, %d workers, work %.1f us of CPU (%ld iterations)\n",
               port, loops, workers, work_us, spin_iterations);
    else
        printf("native epoll echo server on 127.0.0.1:%d, %d loops, %d workers, work fib(%d)\n", port, loops, workers, work);
    fflush(stdout);
    int signal;
    sigwait(&signals, &signal);
    return 0;
}
