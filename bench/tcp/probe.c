/*
 * probe: small helpers for bench/tcp.sh.
 *
 *   probe freeport N
 *       print N distinct TCP ports free on 127.0.0.1, chosen at random below the kernel's ephemeral
 *       range (net.ipv4.ip_local_port_range), so that no outgoing connection takes one of them as its
 *       local port between this check and the server's bind
 *   probe http HOST PORT PATH T0 TIMEOUT_S [PID]
 *   probe echo HOST PORT T0 TIMEOUT_S [PID]
 *       poll about every 1 ms until GET PATH answers HTTP 200 (http), or until a
 *       64-byte message (sent after the mode byte 'E') comes back unchanged on a new connection (echo); print the
 *       milliseconds since T0, a CLOCK_REALTIME time in seconds such as bash's
 *       $EPOCHREALTIME. Exit 1, printing "timeout" after TIMEOUT_S seconds, or "exited" as soon as
 *       process PID (when given) no longer exists.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static double rt_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    struct timeval tv = {.tv_sec = 1, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { close(fd); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int try_http(const char *host, int port, const char *path) {
    int fd = dial(host, port);
    if (fd < 0) return 0;
    char req[512], resp[64];
    int len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n", path, host, port);
    int ok = 0;
    if (write(fd, req, (size_t)len) == len) {
        size_t got = 0;
        while (got < 12) {
            ssize_t n = read(fd, resp + got, sizeof resp - 1 - got);
            if (n <= 0) break;
            got += (size_t)n;
        }
        resp[got] = 0;
        ok = got >= 12 && strncmp(resp, "HTTP/1.", 7) == 0 && strncmp(resp + 9, "200", 3) == 0;
    }
    close(fd);
    return ok;
}

static int try_echo(const char *host, int port) {
    int fd = dial(host, port);
    if (fd < 0) return 0;
    char msg[65], back[64];
    msg[0] = 'E'; /* the backend's echo mode byte, not echoed */
    for (int i = 1; i < 65; i++) msg[i] = (char)('A' + i % 26);
    int ok = 0;
    if (write(fd, msg, 65) == 65) {
        size_t got = 0;
        while (got < 64) {
            ssize_t n = read(fd, back + got, 64 - got);
            if (n <= 0) break;
            got += (size_t)n;
        }
        ok = got == 64 && memcmp(msg + 1, back, 64) == 0;
    }
    close(fd);
    return ok;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 3 && strcmp(argv[1], "freeport") == 0) {
        int n = atoi(argv[2]), fds[64], ports[64], got = 0, lo = 32768, hi;
        if (n < 1 || n > 64) return 2;
        FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
        if (f) {
            if (fscanf(f, "%d %d", &lo, &hi) != 2) lo = 32768;
            fclose(f);
        }
        if (lo > 20000) lo = 20000 + (lo - 20000) / 2; /* e.g. 26384..32767 with the default 32768 */
        else lo = 1024 + (lo - 1024) / 2;
        hi = lo + (lo < 20000 ? (lo - 1024) : (lo - 20000)); /* the upper half below the ephemeral range */
        srand((unsigned)(getpid() ^ time(NULL)));
        for (int tries = 0; got < n && tries < 10000; tries++) {
            int port = lo + rand() % (hi - lo), dup = 0;
            for (int i = 0; i < got; i++) dup |= ports[i] == port;
            if (dup) continue;
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
            inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
            if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { close(fd); continue; }
            fds[got] = fd;
            ports[got++] = port;
        }
        if (got < n) { fprintf(stderr, "freeport: found only %d free ports\n", got); return 1; }
        for (int i = 0; i < n; i++) {
            printf("%d%s", ports[i], i + 1 < n ? " " : "\n");
            close(fds[i]);
        }
        return 0;
    }
    int http = argc >= 7 && strcmp(argv[1], "http") == 0;
    int echo = argc >= 6 && strcmp(argv[1], "echo") == 0;
    if (!http && !echo) {
        fprintf(stderr, "usage: probe freeport N | probe http HOST PORT PATH T0 TIMEOUT_S [PID] | probe echo HOST PORT T0 TIMEOUT_S [PID]\n");
        return 2;
    }
    const char *host = argv[2];
    int port = atoi(argv[3]);
    double t0 = atof(argv[http ? 5 : 4]), limit = atof(argv[http ? 6 : 5]);
    int pid = argc > (http ? 7 : 6) ? atoi(argv[http ? 7 : 6]) : 0;
    double start = rt_now();
    for (;;) {
        int ok = http ? try_http(host, port, argv[4]) : try_echo(host, port);
        double t = rt_now();
        if (ok) { printf("%.1f\n", (t - t0) * 1e3); return 0; }
        if (t - start > limit) { printf("timeout\n"); return 1; }
        if (pid > 0 && kill(pid, 0) < 0 && errno == ESRCH) { printf("exited\n"); return 1; }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}
