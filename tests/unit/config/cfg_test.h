/* Helpers for the config tests: a scratch directory to write config and secret files into,
 * loading a YAML text through the real file path, and capturing what the logger writes. */
#ifndef SF_CFG_TEST_H
#define SF_CFG_TEST_H

#include "sf_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "util/err.h"

static char cfg_test_dir[64];

/* Group setup: every test runs inside a fresh directory, so files have short names and
 * messages read "slsfwd.yaml:3: ...". */
static inline int cfg_test_setup(void **state)
{
    (void)state;
    snprintf(cfg_test_dir, sizeof(cfg_test_dir), "/tmp/sf-config-test-XXXXXX");
    if (!mkdtemp(cfg_test_dir) || chdir(cfg_test_dir) != 0) {
        return -1;
    }
    return 0;
}

static inline int cfg_test_teardown(void **state)
{
    (void)state;
    DIR *dir = opendir(cfg_test_dir);
    struct dirent *ent;
    while (dir && (ent = readdir(dir)) != NULL) {
        if (ent->d_name[0] != '.') {
            char path[512];
            snprintf(path, sizeof(path), "%s/%s", cfg_test_dir, ent->d_name);
            unlink(path);
        }
    }
    if (dir) {
        closedir(dir);
    }
    if (chdir("/") != 0) {
        return -1;
    }
    return rmdir(cfg_test_dir);
}

static inline void cfg_write(const char *name, const char *text, mode_t mode)
{
    unlink(name);
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, mode), 0); /* the umask must not decide the test */
    close(fd);
}

/* Writes |yaml| to slsfwd.yaml (mode 0600) and loads it with |env| (NULL: none). */
static inline sf_err cfg_load(
    const char *yaml, char *const *env, struct sf_config **config, char *errbuf, size_t errbuf_size)
{
    char *const no_env[] = {NULL};
    cfg_write("slsfwd.yaml", yaml, 0600);
    struct sf_config_cli cli = {.config_path = "slsfwd.yaml"};
    return sf_config_load(&cli, env ? env : no_env, config, errbuf, errbuf_size);
}

/* Loads |yaml| expecting failure, and checks the message word for word. */
static inline void cfg_expect_error(const char *yaml, char *const *env, const char *want)
{
    struct sf_config *config = NULL;
    char errbuf[512];
    sf_err err = cfg_load(yaml, env, &config, errbuf, sizeof(errbuf));
    if (err != SF_ERR_CONFIG) {
        fail_msg("loaded, expected: %s", want);
    }
    assert_null(config);
    assert_string_equal(errbuf, want);
}

/* Loads |yaml| expecting success. */
static inline struct sf_config *cfg_expect_ok(const char *yaml, char *const *env)
{
    struct sf_config *config = NULL;
    char errbuf[512];
    sf_err err = cfg_load(yaml, env, &config, errbuf, sizeof(errbuf));
    if (err != SF_OK) {
        fail_msg("%s", errbuf);
    }
    return config;
}

/* Runs |fn| with stderr sent to a file, and returns what was written (test_free it). */
static inline char *cfg_capture_stderr(void (*fn)(void *), void *arg)
{
    char path[96];
    snprintf(path, sizeof(path), "%s/stderr.txt", cfg_test_dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    int saved = dup(STDERR_FILENO);
    assert_true(fd >= 0 && saved >= 0);
    dup2(fd, STDERR_FILENO);
    fn(arg);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    size_t len;
    char *text = (char *)sf_test_read_file(path, &len);
    unlink(path);
    return text;
}

/* Runs sf_config_dump into a file and returns the text (test_free it). */
static inline char *cfg_dump(const struct sf_config *config)
{
    char path[96];
    snprintf(path, sizeof(path), "%s/dump.yaml", cfg_test_dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    sf_config_dump(config, fd);
    close(fd);
    size_t len;
    char *text = (char *)sf_test_read_file(path, &len);
    unlink(path);
    return text;
}

/* A minimal valid `sls:` block, for tests about something else. */
#define CFG_SLS                                  \
    "sls:\n"                                     \
    "  endpoint: cn-hangzhou.log.aliyuncs.com\n" \
    "  access_key_id: LTAI5tTestKeyId\n"         \
    "  access_key_secret: s3cr3t-inline-value\n" \
    "  consumer_group: siem\n"

#endif
