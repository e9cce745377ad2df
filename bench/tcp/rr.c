/*
 * rr: closed-loop TCP request/response client for bench/tcp.sh.
 *
 *   rr HOST PORT CONNS SECONDS [SIZE]
 *
 * Opens CONNS connections (default use: 64) and sends the backend's mode byte
 * 'E' on each (not timed), then on each one sends a SIZE-byte
 * (default 64) request, waits for the SIZE-byte echo, checks it, and sends the
 * next, for SECONDS. One thread, epoll. Only responses received before the
 * deadline count. Latency is measured per round trip with CLOCK_MONOTONIC into
 * a 1 µs histogram. Prints one line of key=value pairs; exits 0 only when no
 * connection failed and no echo was wrong.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HIST_US 1000000 /* 1 s; slower round trips go to the last bucket */

struct conn {
    int fd, id, dead, done;
    uint64_t seq;
    double t_sent;
    size_t got;
    char req[4096], resp[4096];
};

static uint32_t hist[HIST_US + 1];

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_us(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static void on_alarm(int sig) {
    (void)sig;
    static const char m[] = "rr: hard time limit reached\n";
    ssize_t w = write(2, m, sizeof m - 1);
    (void)w;
    _exit(3);
}

static size_t size;

static int send_req(struct conn *c, double t) {
    c->seq++;
    memcpy(c->req, &c->id, sizeof c->id);
    memcpy(c->req + 4, &c->seq, sizeof c->seq);
    c->got = 0;
    c->t_sent = t;
    ssize_t n = write(c->fd, c->req, size);
    /* one request in flight on an idle socket: a short write does not happen in practice */
    return n == (ssize_t)size ? 0 : -1;
}

static uint64_t pct(uint64_t total, double p) {
    uint64_t want = (uint64_t)(total * p + 0.5), acc = 0;
    if (want == 0) want = 1;
    for (uint64_t i = 0; i <= HIST_US; i++) {
        acc += hist[i];
        if (acc >= want) return i;
    }
    return HIST_US;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: rr HOST PORT CONNS SECONDS [SIZE]\n");
        return 2;
    }
    int nconn = atoi(argv[3]);
    double secs = atof(argv[4]);
    size = argc > 5 ? (size_t)atoi(argv[5]) : 64;
    if (size < 12 || size > 4096) { fprintf(stderr, "rr: SIZE must be 12..4096\n"); return 2; }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, on_alarm);
    alarm((unsigned)secs + 30);

    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
    inet_pton(AF_INET, argv[1], &sa.sin_addr);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct conn *cs = calloc((size_t)nconn, sizeof *cs);
    for (int i = 0; i < nconn; i++) {
        struct conn *c = &cs[i];
        c->id = i;
        for (size_t b = 0; b < size; b++) c->req[b] = (char)('a' + (b + i) % 26);
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
            fprintf(stderr, "rr: connect %s:%s: %s\n", argv[1], argv[2], strerror(errno));
            printf("error=connect\n");
            return 1;
        }
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (write(c->fd, "E", 1) != 1) {
            printf("error=write\n");
            return 1;
        }
        fcntl(c->fd, F_SETFL, O_NONBLOCK);
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e);
    }

    uint64_t ops = 0, errors = 0, bad = 0;
    double c0 = cpu_us(), t0 = now(), end = t0 + secs, hard = end + 5, t = t0;
    for (int i = 0; i < nconn; i++)
        if (send_req(&cs[i], t0) < 0) { cs[i].dead = 1; errors++; }
    int active = nconn - (int)errors;
    struct epoll_event evs[512];
    while (active > 0 && t < hard) {
        int n = epoll_wait(ep, evs, 512, 100);
        t = now();
        if (n < 0 && errno != EINTR) { perror("epoll_wait"); break; }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->dead || c->done) continue;
            ssize_t r = read(c->fd, c->resp + c->got, size - c->got);
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (r <= 0) { c->dead = 1; errors++; active--; continue; }
            c->got += (size_t)r;
            if (c->got < size) continue;
            t = now();
            if (memcmp(c->req, c->resp, size) != 0) bad++;
            if (t <= end) {
                ops++;
                double us = (t - c->t_sent) * 1e6;
                hist[us >= HIST_US ? HIST_US : (uint64_t)us]++;
                if (send_req(c, t) < 0) { c->dead = 1; errors++; active--; }
            } else {
                c->done = 1;
                active--;
            }
        }
    }
    double elapsed = end - t0;
    for (int i = 0; i < nconn; i++) close(cs[i].fd);
    uint64_t stuck = (uint64_t)active;
    printf("rr_per_s=%.1f ops=%llu secs=%.3f conns=%d size=%zu p50_us=%llu p90_us=%llu p99_us=%llu p999_us=%llu "
           "max_us=%llu errors=%llu bad=%llu stuck=%llu client_cpu_us=%.0f\n",
           ops / elapsed, (unsigned long long)ops, elapsed, nconn, size, (unsigned long long)pct(ops, 0.5),
           (unsigned long long)pct(ops, 0.9), (unsigned long long)pct(ops, 0.99), (unsigned long long)pct(ops, 0.999),
           (unsigned long long)pct(ops, 1.0), (unsigned long long)errors, (unsigned long long)bad,
           (unsigned long long)stuck, cpu_us() - c0);
    return (errors || bad || stuck || ops == 0) ? 1 : 0;
}
