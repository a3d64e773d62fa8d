/* notify-listen PATH: a stand-in for systemd's $NOTIFY_SOCKET. Binds an AF_UNIX datagram
 * socket at PATH and prints every datagram it receives (sd_notify's "READY=1\nSTATUS=…"),
 * then a line "--", flushing each, until killed. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: notify-listen PATH\n");
        return 2;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "notify-listen: path too long\n");
        return 2;
    }
    memcpy(addr.sun_path, argv[1], strlen(argv[1]) + 1);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    unlink(argv[1]);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        perror("notify-listen: bind");
        return 1;
    }
    char buf[4096];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
        if (n < 0) {
            perror("notify-listen: recv");
            return 1;
        }
        buf[n] = '\0';
        printf("%s\n--\n", buf);
        fflush(stdout);
    }
}
