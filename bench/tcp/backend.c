/*
 * backend: single-threaded epoll TCP backend for bench/tcp.sh.
 *
 *   backend PORT [BIND_ADDR]
 *
 * One listener (127.0.0.1 unless BIND_ADDR says otherwise), so a proxy under test
 * needs one route to one endpoint. The first byte a client sends picks the mode
 * of its connection and is not echoed or counted:
 *   'E'  echo every following byte back (request/response test);
 *   'S'  sink: read and discard; when the peer half-closes (EOF), write the number
 *        of bytes received after the 'S' as an 8-byte little-endian integer and
 *        close, so the bulk client can check that every byte crossed the proxy;
 *   any other first byte: echo everything, that byte included.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFSZ (256 * 1024)
enum { L_LISTEN, C_NEW, C_ECHO, C_SINK };

struct conn {
    int kind;
    int fd;
    uint64_t count;      /* sink: bytes received */
    char *pend;          /* echo: bytes not yet written back */
    size_t pend_off, pend_len;
};

static int ep;
static char buf[BUFSZ];

static int listen_on(const char *addr, int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, addr, &sa.sin_addr);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4096) < 0) {
        fprintf(stderr, "backend: bind/listen %s:%d: %s\n", addr, port, strerror(errno));
        exit(1);
    }
    return fd;
}

static void add(struct conn *c, uint32_t ev) {
    struct epoll_event e = {.events = ev, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e);
}

static void mod(struct conn *c, uint32_t ev) {
    struct epoll_event e = {.events = ev, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
}

static void drop(struct conn *c) {
    close(c->fd); /* also removes it from the epoll set */
    free(c->pend);
    free(c);
}

static void on_accept(struct conn *l) {
    for (;;) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return; /* EAGAIN or a transient error */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        c->fd = fd;
        c->kind = C_NEW;
        add(c, EPOLLIN);
    }
}

/* Write pending echo bytes; returns 0 when all are written, 1 when blocked, -1 on error. */
static int flush(struct conn *c) {
    while (c->pend_off < c->pend_len) {
        ssize_t n = write(c->fd, c->pend + c->pend_off, c->pend_len - c->pend_off);
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 1 : -1;
        c->pend_off += (size_t)n;
    }
    free(c->pend);
    c->pend = NULL;
    c->pend_off = c->pend_len = 0;
    return 0;
}

/* Echo n bytes at p; whatever does not fit in the socket buffer waits for EPOLLOUT. */
static void echo_bytes(struct conn *c, const char *p, ssize_t n) {
    if (n <= 0) return;
    ssize_t w = write(c->fd, p, (size_t)n);
    if (w < 0) {
        if (errno != EAGAIN && errno != EINTR) { drop(c); return; }
        w = 0;
    }
    if (w < n) {
        c->pend_len = (size_t)(n - w);
        c->pend = malloc(c->pend_len);
        memcpy(c->pend, p + w, c->pend_len);
        c->pend_off = 0;
        mod(c, EPOLLOUT);
    }
}

static void on_echo(struct conn *c, uint32_t ev) {
    if (c->pend) { /* blocked on write: only wait for EPOLLOUT */
        int r = flush(c);
        if (r < 0) { drop(c); return; }
        if (r == 0) mod(c, EPOLLIN);
        return;
    }
    if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    ssize_t n = read(c->fd, buf, BUFSZ);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) { drop(c); return; }
    echo_bytes(c, buf, n);
}

static void on_new(struct conn *c) {
    ssize_t n = read(c->fd, buf, BUFSZ);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) { drop(c); return; }
    if (buf[0] == 'S') {
        c->kind = C_SINK;
        c->count = (uint64_t)(n - 1);
    } else if (buf[0] == 'E') {
        c->kind = C_ECHO;
        echo_bytes(c, buf + 1, n - 1);
    } else {
        c->kind = C_ECHO;
        echo_bytes(c, buf, n);
    }
}

static void on_sink(struct conn *c) {
    for (int i = 0; i < 16; i++) { /* bounded, so one stream cannot starve the others */
        ssize_t n = read(c->fd, buf, BUFSZ);
        if (n > 0) { c->count += (uint64_t)n; continue; }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n == 0) { /* peer half-closed: report the count */
            unsigned char le[8];
            for (int b = 0; b < 8; b++) le[b] = (unsigned char)(c->count >> (8 * b));
            ssize_t w = write(c->fd, le, 8);
            (void)w; /* fresh socket buffer: an 8-byte write does not block */
        }
        drop(c);
        return;
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: backend PORT [BIND_ADDR]\n");
        return 2;
    }
    const char *addr = argc > 2 ? argv[2] : "127.0.0.1";
    signal(SIGPIPE, SIG_IGN);
    ep = epoll_create1(EPOLL_CLOEXEC);
    struct conn *l = calloc(1, sizeof *l);
    l->kind = L_LISTEN;
    l->fd = listen_on(addr, atoi(argv[1]));
    add(l, EPOLLIN);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            switch (c->kind) {
            case L_LISTEN: on_accept(c); break;
            case C_NEW: on_new(c); break;
            case C_ECHO: on_echo(c, evs[i].events); break;
            case C_SINK: on_sink(c); break;
            }
        }
    }
}
