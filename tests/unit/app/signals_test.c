/* Signals on their own thread: a stop before there is a coord is remembered and passed on
 * at attach; a repeat within 1 s is ignored; one 1 s later exits 130; SIGHUP reopens the log
 * file. Observed through the log file the signal thread writes. */
#include "sf_test.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/signals.h"
#include "util/log.h"

static char dir[] = "/tmp/sf-signals-test.XXXXXX";
static char log_path[128];

static bool file_has(const char *path, const char *text)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return false;
    }
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f)) {
        found = strstr(line, text) != NULL;
    }
    fclose(f);
    return found;
}

/* Polls for up to 10 s: the signal thread answers asynchronously. */
static bool eventually_has(const char *path, const char *text)
{
    for (int i = 0; i < 1000; i++) {
        if (file_has(path, text)) {
            return true;
        }
        usleep(10 * 1000);
    }
    return false;
}

static void count_stop(void *ctx)
{
    (*(int *)ctx)++;
}

static void early_stop_repeat_and_hup(void **state)
{
    (void)state;
    assert_true(sf_log_set_file(log_path, 1 << 20, 1));
    assert_int_equal(sf_signals_start(), SF_OK);

    kill(getpid(), SIGTERM); /* no coord yet: remembered */
    assert_true(eventually_has(log_path, "stop requested: during start-up"));
    int n_stops = 0;
    sf_signals_attach(count_stop, &n_stops);
    assert_int_equal(n_stops, 1); /* passed on at attach, on this thread */

    kill(getpid(), SIGTERM); /* the same stop delivered again (process, then group) */
    assert_true(eventually_has(log_path, "same stop signal again within 1 s"));
    assert_int_equal(n_stops, 1);

    char moved[160];
    snprintf(moved, sizeof(moved), "%s.1", log_path);
    assert_int_equal(rename(log_path, moved), 0);
    kill(getpid(), SIGHUP);
    assert_true(eventually_has(log_path, "log file reopened (SIGHUP)"));

    sf_signals_attach(NULL, NULL);
    sf_signals_stop();
}

/* A second stop 1 s or more after the first leaves at once with 130. In a child, since it
 * ends the process. */
static void a_later_second_signal_exits_130(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (sf_signals_start() != SF_OK) {
            _exit(3);
        }
        kill(getpid(), SIGTERM);
        usleep(1300 * 1000);
        kill(getpid(), SIGTERM);
        sleep(10);
        _exit(0); /* not reached when the second signal works */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
}

int main(void)
{
    assert_non_null(mkdtemp(dir));
    snprintf(log_path, sizeof(log_path), "%s/slsfwd.log", dir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(early_stop_repeat_and_hup),
        cmocka_unit_test(a_later_second_signal_exits_130),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        rc = 1;
    }
    return rc;
}
