/* A TCP sink for benchmarks: accepts connections on 127.0.0.1:0, prints the port, reads and
 * discards everything, and answers "bytes=<n>" to SIGUSR1 on stderr. One thread per
 * connection is not needed: slsfwd's syslog sink keeps one connection. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t want_report;

static void on_usr1(int signo)
{
    (void)signo;
    want_report = 1;
}

int main(void)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(lfd, 8) != 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &len) != 0) {
        perror("tcp_sink");
        return 1;
    }
    signal(SIGUSR1, on_usr1);
    printf("tcp_sink listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    static char buf[1 << 20];
    unsigned long long total = 0;
    struct pollfd fds[2] = {{.fd = lfd, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
    for (;;) {
        if (want_report) {
            want_report = 0;
            fprintf(stderr, "bytes=%llu\n", total);
        }
        if (poll(fds, 2, 100) <= 0) {
            continue;
        }
        if (fds[0].revents & POLLIN) {
            int cfd = accept(lfd, NULL, NULL);
            if (fds[1].fd >= 0) {
                close(fds[1].fd);
            }
            fds[1].fd = cfd;
        }
        if (fds[1].fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP))) {
            ssize_t n = read(fds[1].fd, buf, sizeof(buf));
            if (n <= 0) {
                close(fds[1].fd);
                fds[1].fd = -1;
            } else {
                total += (unsigned long long)n;
            }
        }
    }
}
