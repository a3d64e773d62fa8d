/* Serving rate of tools/sls-emulator: starts the real binary with a generated dataset, then
 * pulls every shard to its end with a curl-multi client (signed v1 requests, lz4 by default,
 * count=1000), twice: the first pass compresses and fills the body cache, the second serves
 * from it. With --pin (default) the emulator runs on CPU 0 and this client on CPU 1, so the
 * number is what one server core delivers. Prints one line per pass:
 *   RESULT bench=emulator pass=cold|warm raw_mb_per_s=X wire_mb_per_s=Y pulls=N ...
 * usage: bench_emulator --emulator PATH [--logs N] [--shards N] [--codec lz4|zstd|deflate|none]
 *                       [--passes N] [--no-pin]
 * bench: $BUILD/tools/sls-emulator/bench_emulator --emulator $BUILD/sls-emulator
 * bench-smoke: $BUILD/tools/sls-emulator/bench_emulator --emulator $BUILD/sls-emulator --logs 2000
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"
#include "test_signer.h"
#include "util/alloc.h"
#include "util/clock.h"

#include "util/banned.h"

#define MAX_SHARDS 64

struct options {
    const char *emulator;
    long n_logs;
    int n_shards;
    const char *codec;
    int n_passes;
    bool is_pinned;
};

struct puller {
    CURL *easy;
    int shard;
    char cursor[96];
    char next[96];
    long raw;
    long count;
    bool is_done;
    struct curl_slist *headers;
};

struct totals {
    double raw_bytes;
    double wire_bytes;
    long pulls;
    long groups;
};

static int port;

static void pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

/* Starts the emulator; returns its pid and sets |port| from its "listening" line. */
static pid_t start_emulator(const struct options *opt)
{
    char shards[16], logs[48];
    snprintf(shards, sizeof(shards), "%d", opt->n_shards);
    snprintf(logs, sizeof(logs), "nginx:%ld", opt->n_logs);
    const char *argv[] = {opt->emulator, "--listen",   "127.0.0.1:0", "--access-key", "AK:SK",
                          "--project",   "bench",      "--logstore",  "nginx",        "--shards",
                          shards,        "--generate", logs,          "--cache-mb",   "4096",
                          "--quiet",     NULL};
    struct tool_proc proc;
    if (!tool_spawn(argv, "sls-emulator", opt->is_pinned ? 0 : -1, &proc)) {
        return -1;
    }
    port = proc.port;
    return proc.pid;
}

static size_t discard(char *data, size_t size, size_t n, void *cls)
{
    (void)data;
    (void)cls;
    return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *cls)
{
    struct puller *p = cls;
    size_t len = size * n;
    if (len > 14 && strncasecmp(data, "x-log-cursor: ", 14) == 0) {
        snprintf(p->next, sizeof(p->next), "%.*s", (int)strcspn(data + 14, "\r\n"), data + 14);
    } else if (len > 19 && strncasecmp(data, "x-log-bodyrawsize: ", 19) == 0) {
        p->raw = strtol(data + 19, NULL, 10);
    } else if (len > 13 && strncasecmp(data, "x-log-count: ", 13) == 0) {
        p->count = strtol(data + 13, NULL, 10);
    }
    return len;
}

static struct ts_request
shard_request(const char *path, const struct ts_param *params, size_t n, const char *accept)
{
    return (struct ts_request){.method = "GET",
                               .host = "bench.127.0.0.1",
                               .path = path,
                               .params = params,
                               .n_params = n,
                               .accept_encoding = accept,
                               .ak_id = "AK",
                               .ak_secret = "SK",
                               .now = time(NULL)};
}

static void setup(struct puller *p, const struct ts_request *req)
{
    char *target = ts_target(req);
    char url[1024];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, target);
    free(target);
    curl_slist_free_all(p->headers);
    p->headers = ts_sign(req);
    curl_easy_setopt(p->easy, CURLOPT_URL, url);
    curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, p->headers);
    curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(p->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(p->easy, CURLOPT_HEADERDATA, p);
    curl_easy_setopt(p->easy, CURLOPT_PRIVATE, p);
    p->raw = p->count = -1;
    p->next[0] = '\0';
}

static bool begin_cursor(struct puller *p)
{
    char path[64];
    snprintf(path, sizeof(path), "/logstores/nginx/shards/%d", p->shard);
    struct ts_param params[] = {{"type", "cursor"}, {"from", "begin"}};
    struct ts_request req = shard_request(path, params, 2, NULL);
    static char body[256];
    setup(p, &req);
    FILE *mem = fmemopen(body, sizeof(body) - 1, "w");
    curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, NULL);
    curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, mem);
    CURLcode rc = curl_easy_perform(p->easy);
    fclose(mem);
    const char *c = strstr(body, "\"cursor\":\"");
    if (rc != CURLE_OK || !c) {
        return false;
    }
    snprintf(p->cursor, sizeof(p->cursor), "%.*s", (int)strcspn(c + 10, "\""), c + 10);
    return true;
}

static void queue_pull(CURLM *multi, struct puller *p, const char *codec)
{
    char path[64];
    snprintf(path, sizeof(path), "/logstores/nginx/shards/%d", p->shard);
    struct ts_param params[] = {{"type", "log"}, {"cursor", p->cursor}, {"count", "1000"}};
    struct ts_request req = shard_request(path, params, 3, strcmp(codec, "none") ? codec : NULL);
    setup(p, &req);
    curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, NULL);
    curl_multi_add_handle(multi, p->easy);
}

/* One pass over every shard from begin to end; returns seconds. */
static double run_pass(struct puller *pullers, int n, const char *codec, struct totals *t)
{
    CURLM *multi = curl_multi_init();
    for (int i = 0; i < n; i++) {
        pullers[i].is_done = false;
        if (!begin_cursor(&pullers[i])) {
            fprintf(stderr, "bench: GetCursor failed on shard %d\n", i);
            exit(1);
        }
    }
    int64_t start = sf_now_ms();
    for (int i = 0; i < n; i++) {
        queue_pull(multi, &pullers[i], codec);
    }
    int running = n;
    while (running > 0) {
        int active = 0;
        curl_multi_perform(multi, &active);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            struct puller *p = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&p);
            curl_off_t wire = 0;
            long status = 0;
            curl_easy_getinfo(p->easy, CURLINFO_SIZE_DOWNLOAD_T, &wire);
            curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
            curl_multi_remove_handle(multi, p->easy);
            if (msg->data.result != CURLE_OK || status != 200) {
                fprintf(stderr, "bench: pull failed: %s status %ld\n",
                        curl_easy_strerror(msg->data.result), status);
                exit(1);
            }
            t->pulls++;
            t->raw_bytes += (double)p->raw;
            t->wire_bytes += (double)wire;
            t->groups += p->count;
            if (p->count <= 0) {
                p->is_done = true;
                running--;
            } else {
                snprintf(p->cursor, sizeof(p->cursor), "%s", p->next);
                queue_pull(multi, p, codec);
            }
        }
        if (running > 0) {
            curl_multi_poll(multi, NULL, 0, 100, NULL);
        }
    }
    double seconds = (double)(sf_now_ms() - start) / 1000.0;
    curl_multi_cleanup(multi);
    return seconds;
}

static bool parse_args(int argc, char **argv, struct options *opt)
{
    *opt = (struct options){
        .n_logs = 1000000, .n_shards = 4, .codec = "lz4", .n_passes = 2, .is_pinned = true};
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--no-pin") == 0) {
            opt->is_pinned = false;
            continue;
        }
        if (!value) {
            return false;
        }
        if (strcmp(argv[i], "--emulator") == 0) {
            opt->emulator = value;
        } else if (strcmp(argv[i], "--logs") == 0) {
            opt->n_logs = strtol(value, NULL, 10);
        } else if (strcmp(argv[i], "--shards") == 0) {
            opt->n_shards = (int)strtol(value, NULL, 10);
        } else if (strcmp(argv[i], "--codec") == 0) {
            opt->codec = value;
        } else if (strcmp(argv[i], "--passes") == 0) {
            opt->n_passes = (int)strtol(value, NULL, 10);
        } else {
            return false;
        }
        i++;
    }
    return opt->emulator && opt->n_logs > 0 && opt->n_shards > 0 && opt->n_shards <= MAX_SHARDS;
}

int main(int argc, char **argv)
{
    struct options opt;
    if (!parse_args(argc, argv, &opt)) {
        fprintf(stderr,
                "usage: %s --emulator PATH [--logs N] [--shards N] [--codec C] "
                "[--passes N] [--no-pin]\n",
                argv[0]);
        return 2;
    }
    int64_t t0 = sf_now_ms();
    pid_t pid = start_emulator(&opt);
    if (pid < 0) {
        return 1;
    }
    fprintf(stderr, "bench: emulator ready with %ld logs in %.1f s\n", opt.n_logs,
            (double)(sf_now_ms() - t0) / 1000.0);
    if (opt.is_pinned) {
        pin_to(1);
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct puller pullers[MAX_SHARDS];
    memset(pullers, 0, sizeof(pullers));
    for (int i = 0; i < opt.n_shards; i++) {
        pullers[i].easy = curl_easy_init();
        pullers[i].shard = i;
    }
    for (int pass = 0; pass < opt.n_passes; pass++) {
        struct totals t = {0};
        double seconds = run_pass(pullers, opt.n_shards, opt.codec, &t);
        printf("RESULT bench=emulator pass=%s raw_mb_per_s=%.0f wire_mb_per_s=%.0f pulls=%ld "
               "loggroups=%ld raw_mb=%.0f seconds=%.2f codec=%s shards=%d logs=%ld pinned=%s\n",
               pass == 0 ? "cold" : "warm", t.raw_bytes / seconds / 1e6,
               t.wire_bytes / seconds / 1e6, t.pulls, t.groups, t.raw_bytes / 1e6, seconds,
               opt.codec, opt.n_shards, opt.n_logs, opt.is_pinned ? "yes" : "no");
        fflush(stdout);
    }
    for (int i = 0; i < opt.n_shards; i++) {
        curl_slist_free_all(pullers[i].headers);
        curl_easy_cleanup(pullers[i].easy);
    }
    curl_global_cleanup();
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return 0;
}
