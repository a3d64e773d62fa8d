/* sd_notify without libsystemd: the datagram reaches $NOTIFY_SOCKET as sent. */
#include "sf_test.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "app/notify.h"

static void ready_reaches_the_notify_socket(void **state)
{
    (void)state;
    char path[] = "/tmp/sf-notify-XXXXXX";
    int tmp = mkstemp(path);
    assert_true(tmp >= 0);
    close(tmp);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    setenv("NOTIFY_SOCKET", path, 1);
    assert_true(sf_notify("READY=1\nSTATUS=delivering"));
    char got[128] = "";
    ssize_t n = recv(fd, got, sizeof(got) - 1, 0);
    assert_true(n > 0);
    got[n] = '\0';
    assert_string_equal(got, "READY=1\nSTATUS=delivering");
    close(fd);
    unlink(path);
    unsetenv("NOTIFY_SOCKET");
    assert_true(sf_notify("READY=1")); /* not under systemd: nothing to do */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ready_reaches_the_notify_socket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
