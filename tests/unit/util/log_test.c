/* Logging: size-rotated file, rate-limited repeats, no line can be forged by a value. */
#include "sf_test.h"

#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

#define SF_LOG_MODULE "test"

static char dir[] = "/tmp/sf-log-test.XXXXXX";

static size_t lines_in(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return 0;
    }
    size_t n = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        n += c == '\n';
    }
    fclose(f);
    return n;
}

static void files_rotate_by_size_and_keep_count(void **state)
{
    (void)state;
    char path[128], rotated[160];
    snprintf(path, sizeof(path), "%s/slsfwd.log", dir);
    assert_true(sf_log_set_file(path, 4096, 2));
    for (int i = 0; i < 200; i++) {
        SF_LOG_INFO("msg=\"line\" i=%d pad=%s", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    }
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size <= 4096);
    snprintf(rotated, sizeof(rotated), "%s.1", path);
    assert_int_equal(stat(rotated, &st), 0);
    snprintf(rotated, sizeof(rotated), "%s.2", path);
    assert_int_equal(stat(rotated, &st), 0);
    snprintf(rotated, sizeof(rotated), "%s.3", path);
    assert_int_not_equal(stat(rotated, &st), 0);
}

static void repeated_warnings_are_rate_limited(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/rate.log", dir);
    assert_true(sf_log_set_file(path, 1 << 20, 1));
    for (int i = 0; i < 50; i++) {
        SF_LOG_WARN("msg=\"the same problem again\" i=%d", i);
    }
    assert_int_equal(lines_in(path), 5);
    SF_LOG_WARN("msg=\"another call site\"");
    assert_int_equal(lines_in(path), 6);
}

static void values_cannot_start_a_new_line(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/inject.log", dir);
    assert_true(sf_log_set_file(path, 1 << 20, 1));
    SF_LOG_INFO("msg=\"%s\"", "evil\nlevel=error msg=forged\r");
    assert_int_equal(lines_in(path), 1);
}

/* logrotate moves the file away, then SIGHUP: the next lines go to a new file at the path. */
static void reopen_follows_the_path(void **state)
{
    (void)state;
    char path[128], moved[160];
    snprintf(path, sizeof(path), "%s/reopen.log", dir);
    snprintf(moved, sizeof(moved), "%s.moved", path);
    assert_true(sf_log_set_file(path, 1 << 20, 1));
    assert_true(sf_log_has_file());
    SF_LOG_INFO("msg=\"before\"");
    assert_int_equal(rename(path, moved), 0);
    SF_LOG_INFO("msg=\"still to the moved file\"");
    assert_true(sf_log_reopen());
    SF_LOG_INFO("msg=\"after\"");
    assert_int_equal(lines_in(moved), 2);
    assert_int_equal(lines_in(path), 1);
}

/* A path that cannot be opened again (its directory is gone): false, and lines keep going to
 * the file already open. */
static void a_failed_reopen_keeps_the_old_file(void **state)
{
    (void)state;
    char sub[128], path[160], moved[160];
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    snprintf(path, sizeof(path), "%s/x.log", sub);
    snprintf(moved, sizeof(moved), "%s/x.log.moved", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_true(sf_log_set_file(path, 1 << 20, 1));
    assert_int_equal(rename(path, moved), 0);
    assert_int_equal(rmdir(sub), 0);
    assert_false(sf_log_reopen());
    SF_LOG_INFO("msg=\"kept\"");
    assert_int_equal(lines_in(moved), 1);
}

int main(void)
{
    assert_non_null(mkdtemp(dir));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(files_rotate_by_size_and_keep_count),
        cmocka_unit_test(repeated_warnings_are_rate_limited),
        cmocka_unit_test(values_cannot_start_a_new_line),
        cmocka_unit_test(reopen_follows_the_path),
        cmocka_unit_test(a_failed_reopen_keeps_the_old_file),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        rc = 1;
    }
    return rc;
}
