/* See fakes.h. */
#include "cred/fakes.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/clock.h"
#include "util/log.h"

struct fake_remote fake_oidc = {.name = "oidc", .lock = PTHREAD_MUTEX_INITIALIZER};
struct fake_remote fake_ecs = {.name = "ecs", .lock = PTHREAD_MUTEX_INITIALIZER};
struct fake_remote fake_ram = {.name = "ram", .lock = PTHREAD_MUTEX_INITIALIZER};

#define MAX_ENV 32
static struct {
    char name[64];
    char value[512];
} env[MAX_ENV];
static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;

static void reset_one(struct fake_remote *fake)
{
    pthread_mutex_lock(&fake->lock);
    size_t head = offsetof(struct fake_remote, err);
    memset((char *)fake + head, 0, sizeof(*fake) - head);
    fake->lifetime_s = 3600;
    pthread_mutex_unlock(&fake->lock);
}

void fakes_reset(void)
{
    reset_one(&fake_oidc);
    reset_one(&fake_ecs);
    reset_one(&fake_ram);
    pthread_mutex_lock(&env_lock);
    memset(env, 0, sizeof(env));
    pthread_mutex_unlock(&env_lock);
}

void fake_script(struct fake_remote *fake, sf_err err, const char *error_text, int lifetime_s)
{
    pthread_mutex_lock(&fake->lock);
    fake->err = err;
    snprintf(fake->error_text, sizeof(fake->error_text), "%s", error_text ? error_text : "");
    fake->lifetime_s = lifetime_s;
    pthread_mutex_unlock(&fake->lock);
}

int fake_calls(struct fake_remote *fake)
{
    pthread_mutex_lock(&fake->lock);
    int calls = fake->calls;
    pthread_mutex_unlock(&fake->lock);
    return calls;
}

int64_t fake_call_ms(struct fake_remote *fake, int index)
{
    pthread_mutex_lock(&fake->lock);
    int64_t ms = fake->call_ms[index];
    pthread_mutex_unlock(&fake->lock);
    return ms;
}

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static sf_err fake_fetch(struct fake_remote *fake,
                         const struct sf_cred_config *config,
                         struct sf_cred_value *out,
                         char *errbuf,
                         size_t errbuf_size)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&fake->lock);
    int n = ++fake->calls;
    if (n <= 64) {
        fake->call_ms[n - 1] = sf_now_ms();
    }
    copy(fake->role_arn, sizeof(fake->role_arn), config->role_arn);
    copy(fake->role_session_name, sizeof(fake->role_session_name), config->role_session_name);
    copy(fake->oidc_provider_arn, sizeof(fake->oidc_provider_arn), config->oidc_provider_arn);
    copy(fake->oidc_token_file, sizeof(fake->oidc_token_file), config->oidc_token_file);
    copy(fake->ecs_role_name, sizeof(fake->ecs_role_name), config->ecs_role_name);
    copy(fake->sts_endpoint, sizeof(fake->sts_endpoint), config->sts_endpoint);
    copy(fake->policy, sizeof(fake->policy), config->policy);
    copy(fake->access_key_id, sizeof(fake->access_key_id), config->access_key_id);
    fake->ecs_imdsv1_disabled = config->ecs_imdsv1_disabled;
    sf_err err = fake->err;
    if (err) {
        snprintf(errbuf, errbuf_size, "%s", fake->error_text);
    } else {
        snprintf(out->access_key_id, sizeof(out->access_key_id), "STS.%s-%d", fake->name, n);
        snprintf(out->access_key_secret, sizeof(out->access_key_secret), "SECRET-%s-%d", fake->name,
                 n);
        snprintf(out->security_token, sizeof(out->security_token), "TOKEN-%s-%d", fake->name, n);
        out->expiration = fake->lifetime_s ? (int64_t)time(NULL) + fake->lifetime_s : 0;
    }
    pthread_mutex_unlock(&fake->lock);
    return err;
}

sf_err sf_cred_fetch_oidc(const struct sf_cred_config *config,
                          struct sf_cred_value *out,
                          char *errbuf,
                          size_t errbuf_size)
{
    return fake_fetch(&fake_oidc, config, out, errbuf, errbuf_size);
}

sf_err sf_cred_fetch_ecs(const struct sf_cred_config *config,
                         struct sf_cred_value *out,
                         char *errbuf,
                         size_t errbuf_size)
{
    return fake_fetch(&fake_ecs, config, out, errbuf, errbuf_size);
}

sf_err sf_cred_fetch_ram_role_arn(const struct sf_cred_config *config,
                                  struct sf_cred_value *out,
                                  char *errbuf,
                                  size_t errbuf_size)
{
    return fake_fetch(&fake_ram, config, out, errbuf, errbuf_size);
}

/* Only the form the services write: 2026-12-06T03:00:00Z. */
bool sf_cred_parse_expiration(const char *text, int64_t *out)
{
    struct tm tm = {0};
    char z = 0;
    int used = 0;
    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z, &used) != 7 ||
        z != 'Z' || text[used] != '\0') {
        return false;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm);
    return true;
}

void fake_env_set(const char *name, const char *value)
{
    pthread_mutex_lock(&env_lock);
    int free_slot = -1;
    for (int i = 0; i < MAX_ENV; i++) {
        if (strcmp(env[i].name, name) == 0) {
            env[i].name[0] = '\0';
        }
        if (!env[i].name[0] && free_slot < 0) {
            free_slot = i;
        }
    }
    if (value) {
        assert_true(free_slot >= 0);
        copy(env[free_slot].name, sizeof(env[free_slot].name), name);
        copy(env[free_slot].value, sizeof(env[free_slot].value), value);
    }
    pthread_mutex_unlock(&env_lock);
}

const char *fake_getenv(const char *name)
{
    const char *value = NULL;
    pthread_mutex_lock(&env_lock);
    for (int i = 0; i < MAX_ENV; i++) {
        if (env[i].name[0] && strcmp(env[i].name, name) == 0) {
            value = env[i].value; /* stable: tests change the environment between steps */
        }
    }
    pthread_mutex_unlock(&env_lock);
    return value;
}

void fakes_capture_log(const char *path)
{
    assert_true(sf_log_set_file(path, 16 << 20, 1));
    sf_log_set_debug_modules("cred");
}

int fakes_count_in_file(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int n = 0;
    if (!f) {
        return 0;
    }
    while (fgets(line, sizeof(line), f)) {
        n += strstr(line, needle) != NULL;
    }
    fclose(f);
    return n;
}

char fake_log_path[256];
static const char *logs_dir;
static int n_logs;

bool fakes_logs_begin(char *dir)
{
    logs_dir = mkdtemp(dir);
    return logs_dir != NULL;
}

int fakes_log_setup(void **state)
{
    (void)state;
    fakes_reset();
    snprintf(fake_log_path, sizeof(fake_log_path), "%s/log%d", logs_dir, ++n_logs);
    fakes_capture_log(fake_log_path);
    return 0;
}

int fakes_logs_end(int failed)
{
    for (int i = 1; i <= n_logs; i++) {
        snprintf(fake_log_path, sizeof(fake_log_path), "%s/log%d", logs_dir, i);
        if (fakes_count_in_file(fake_log_path, "SECRET-") ||
            fakes_count_in_file(fake_log_path, "TOKEN-")) {
            fprintf(stderr, "a secret reached the log %s\n", fake_log_path);
            return 1;
        }
        unlink(fake_log_path);
    }
    rmdir(logs_dir);
    return failed;
}

void fakes_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

bool fakes_wait_for(bool (*cond)(void *ctx), void *ctx, int64_t timeout_ms)
{
    int64_t deadline = sf_now_ms() + timeout_ms;
    while (!cond(ctx)) {
        if (sf_now_ms() > deadline) {
            return false;
        }
        sf_sleep_ms(10);
    }
    return true;
}
