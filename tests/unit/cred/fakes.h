/* Test doubles for the cred module's remote providers (cred/sts.c, cred/ecs.c, cred/time.c are
 * another part's work): scripted answers, call counters, the last config seen. Also a fake
 * environment for sf_cred_config.getenv_fn and log capture. Every secret a fake hands out
 * contains "SECRET" or "TOKEN", so a test can prove no log line holds one. */
#ifndef SF_TEST_CRED_FAKES_H
#define SF_TEST_CRED_FAKES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cred/provider.h"

struct fake_remote {
    const char *name; /* "oidc", "ecs", "ram": the prefix of the ids it issues */
    pthread_mutex_t lock;
    /* script (set under |lock| while a refresher may run) */
    sf_err err;           /* SF_OK: issue credentials */
    char error_text[128]; /* written to errbuf on failure */
    int lifetime_s;       /* expiration = now + lifetime_s; 0: no expiration */
    /* record */
    int calls;
    int64_t call_ms[64]; /* monotonic ms of each call */
    char role_arn[256];
    char role_session_name[256];
    char oidc_provider_arn[256];
    char oidc_token_file[256];
    char ecs_role_name[256];
    char sts_endpoint[256];
    char policy[256];
    char access_key_id[128];
    bool ecs_imdsv1_disabled;
};

extern struct fake_remote fake_oidc;
extern struct fake_remote fake_ecs;
extern struct fake_remote fake_ram;

/* Clears scripts, records and the fake environment. */
void fakes_reset(void);
void fake_script(struct fake_remote *fake, sf_err err, const char *error_text, int lifetime_s);
int fake_calls(struct fake_remote *fake);
int64_t fake_call_ms(struct fake_remote *fake, int index);

/* The fake environment: set NULL to unset. */
void fake_env_set(const char *name, const char *value);
const char *fake_getenv(const char *name);

/* Sends every log line to |path| too (debug on for module cred). */
void fakes_capture_log(const char *path);
/* Lines of |path| containing |needle|. */
int fakes_count_in_file(const char *path, const char *needle);

/* One log file per test in a directory of its own, for suites whose counts must see only one
 * test's lines. fakes_logs_begin makes |dir| (a mkdtemp template, rewritten in place);
 * fakes_log_setup, a cmocka setup, resets the fakes and sends the log to a new file,
 * fake_log_path; fakes_logs_end checks that no file holds a fake secret ("SECRET-", "TOKEN-"),
 * removes them and |dir| (which must be empty by then), and returns |failed|, or 1 on a leak. */
extern char fake_log_path[256];
bool fakes_logs_begin(char *dir);
int fakes_log_setup(void **state);
int fakes_logs_end(int failed);

/* Writes |text| to |path| (0600). */
void fakes_write_file(const char *path, const char *text);
/* Polls |cond(ctx)| every 10 ms for up to |timeout_ms|; true when it became true. */
bool fakes_wait_for(bool (*cond)(void *ctx), void *ctx, int64_t timeout_ms);

#endif
