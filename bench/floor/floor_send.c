/* The floor's delivery yardstick: what it costs a sender to hand its output to a TCP peer on
 * loopback, as any forwarder must (slsfwd sends HEC requests over it in bench/e2e.sh). A child
 * process reads and discards; the parent's send calls are timed by its own CPU clock, so the
 * reader's copy is not counted. Plain send(2): on loopback, vmsplice + splice and MSG_ZEROCOPY were
 * measured no cheaper (bench/RESULTS.md). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "floor.h"

bool floor_sender_open(struct floor_sender *s)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(listener, 1) != 0 || getsockname(listener, (struct sockaddr *)&addr, &len) != 0) {
        perror("floor: loopback listener");
        return false;
    }
    s->reader = fork();
    if (s->reader < 0) {
        perror("floor: fork");
        return false;
    }
    if (s->reader == 0) {
        int conn = accept(listener, NULL, NULL);
        static char sink[1 << 20];
        while (conn >= 0 && read(conn, sink, sizeof(sink)) > 0) {
        }
        _exit(0);
    }
    close(listener);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        perror("floor: connect to the loopback reader");
        return false;
    }
    return true;
}

bool floor_send(struct floor_sender *s, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) {
            perror("floor: write to the loopback reader");
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

void floor_sender_close(struct floor_sender *s)
{
    close(s->fd);
    waitpid(s->reader, NULL, 0);
}
