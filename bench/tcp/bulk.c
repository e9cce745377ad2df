/*
 * bulk: one TCP connection pushing data one way to the backend's sink port.
 *
 *   bulk HOST PORT SECONDS [MAX_MIB] [CHUNK_KIB]
 *
 * Sends the mode byte 'S', then writes CHUNK_KIB (default 128) chunks for SECONDS or until MAX_MIB (0 = no cap)
 * have been sent, then half-closes and waits (at most 15 s) for the sink's
 * 8-byte count. The rate is bytes / (time until the count arrived), so data
 * still sitting in a proxy's buffers when the client stops writing is counted
 * as time, not as throughput. Prints one line of key=value pairs; exits 0 only
 * when the count matches.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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
    static const char m[] = "bulk: hard time limit reached\n";
    ssize_t w = write(2, m, sizeof m - 1);
    (void)w;
    _exit(3);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bulk HOST PORT SECONDS [MAX_MIB] [CHUNK_KIB]\n");
        return 2;
    }
    double secs = atof(argv[3]);
    uint64_t max = argc > 4 ? (uint64_t)atoll(argv[4]) << 20 : 0;
    size_t chunk = (argc > 5 ? (size_t)atoi(argv[5]) : 128) * 1024;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, on_alarm);
    alarm((unsigned)secs + 30); /* hard bound, whatever the proxy does */

    char *buf = malloc(chunk);
    for (size_t i = 0; i < chunk; i++) buf[i] = (char)(i * 31 + 7);

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
    inet_pton(AF_INET, argv[1], &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        fprintf(stderr, "bulk: connect %s:%s: %s\n", argv[1], argv[2], strerror(errno));
        printf("error=connect\n");
        return 1;
    }
    /* a blocked write returns after 200 ms, so the deadline is checked even if the proxy stalls */
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    if (write(fd, "S", 1) != 1) {
        printf("error=write\n");
        return 1;
    }
    double c0 = cpu_us(), t0 = now(), end = t0 + secs, t;
    uint64_t sent = 0;
    int err = 0;
    while ((t = now()) < end && (max == 0 || sent < max)) {
        size_t len = chunk;
        if (max && max - sent < len) len = (size_t)(max - sent);
        ssize_t n = write(fd, buf, len);
        if (n > 0) sent += (uint64_t)n;
        else if (n < 0 && errno != EAGAIN && errno != EINTR) { err = errno; break; }
    }
    double t_shut = now();
    shutdown(fd, SHUT_WR);

    tv.tv_sec = 15; tv.tv_usec = 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    unsigned char le[8];
    size_t got = 0;
    while (got < 8) {
        ssize_t n = read(fd, le + got, 8 - got);
        if (n > 0) got += (size_t)n;
        else if (n < 0 && errno == EINTR) continue;
        else break;
    }
    double t_ack = now();
    uint64_t acked = 0;
    for (int b = 0; b < 8; b++) acked |= (uint64_t)le[b] << (8 * b);
    int verified = got == 8 && acked == sent && !err;
    double elapsed = (got == 8 ? t_ack : t_shut) - t0;
    double mib = sent / 1048576.0;
    char ackstr[32] = "none";
    if (got == 8) snprintf(ackstr, sizeof ackstr, "%llu", (unsigned long long)acked);
    printf("bytes=%llu acked=%s secs=%.4f mibps=%.1f send_mibps=%.1f drain_ms=%.1f verified=%s client_cpu_us=%.0f errno=%d\n",
           (unsigned long long)sent, ackstr, elapsed, mib / elapsed, mib / (t_shut - t0),
           (t_ack - t_shut) * 1e3, verified ? "yes" : "no", cpu_us() - c0, err);
    if (err) fprintf(stderr, "bulk: write: %s\n", strerror(err));
    if (got == 8 && acked != sent)
        fprintf(stderr, "bulk: sink received %llu bytes, client sent %llu\n", (unsigned long long)acked,
                (unsigned long long)sent);
    close(fd);
    return verified ? 0 : 1;
}
