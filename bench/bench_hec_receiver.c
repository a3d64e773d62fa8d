/* Throughput of tools/hec-receiver: starts the real binary, then POSTs pre-built ~1 MB
 * /event batches (nginx-like JSON envelopes, plain and gzip) with a curl-multi client for a
 * fixed volume, and reads the receiver's CPU time from /proc. With --pin (default) the
 * receiver runs on CPU 0 with one MHD thread and this client on CPU 1, so the figure is what
 * one receiver core absorbs. One line per run:
 *   RESULT bench=hec_receiver mode=count_only|record gzip=on|off events=N raw_mb=X
 *          seconds=S raw_mb_per_s=Y receiver_cpu_s=C raw_mb_per_cpu_s=Z requests=R
 * usage: bench_hec_receiver [--receiver PATH] [--mb N] [--parallel N] [--batch-kb N]
 *                           [--threads N] [--no-pin]
 * bench: $BUILD/tools/hec-receiver/bench_hec_receiver --receiver $BUILD/hec-receiver --mb 1000
 * bench-smoke: $BUILD/tools/hec-receiver/bench_hec_receiver --receiver $BUILD/hec-receiver --mb 16
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "spawn.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"

#include "util/banned.h"

#ifndef HEC_RECEIVER_PATH
#define HEC_RECEIVER_PATH "build/hec-receiver"
#endif

#define TOKEN        "bench-token"
#define MAX_PARALLEL 32

struct options {
    const char *receiver;
    long total_mb;
    int parallel;
    long batch_kb;
    int threads;
    bool is_pinned;
};

struct run {
    const char *mode; /* "count_only" or "record" */
    bool is_gzip;
    long total_mb;
};

static void pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

/* Starts the receiver; returns its pid and sets |*port|. */
static pid_t start_receiver(const struct options *opt, bool is_count_only, int *port)
{
    char threads[16];
    snprintf(threads, sizeof(threads), "%d", opt->threads);
    const char *count_only[] = {opt->receiver,  "--listen",  "127.0.0.1:0", "--token", TOKEN,
                                "--count-only", "--threads", threads,       "--quiet", NULL};
    const char *recording[] = {opt->receiver, "--listen", "127.0.0.1:0",
                               "--token",     TOKEN,      "--threads",
                               threads,       "--out",    "/tmp/bench_hec_receiver.ndjson",
                               "--quiet",     NULL};
    struct tool_proc proc;
    if (!tool_spawn(is_count_only ? count_only : recording, "hec-receiver", opt->is_pinned ? 0 : -1,
                    &proc)) {
        return -1;
    }
    *port = proc.port;
    return proc.pid;
}

/* utime + stime of |pid| in seconds. */
static double cpu_seconds(pid_t pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) {
        return 0;
    }
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *p = strrchr(text, ')');
    unsigned long utime = 0, stime = 0;
    /* After ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
     * stime: fields 3..15. */
    if (!p ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) {
        return 0;
    }
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* nginx-like access-log envelopes, ~600 bytes each, up to |max_bytes|. */
static void build_batch(struct sf_buf *out, size_t max_bytes, size_t *n_events)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE"};
    static const char chrome[] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
                                 "like Gecko) Chrome/120.0 Safari/537.36";
    static const char *const agents[] = {
        chrome, "curl/7.88.1", "Go-http-client/1.1",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15"};
    *n_events = 0;
    for (size_t i = 0;; i++) {
        char line[1024];
        int n = snprintf(
            line, sizeof(line),
            "{\"time\":%lld.%03zu,\"host\":\"10.0.%zu.%zu\",\"source\":\"sls:proj/nginx\","
            "\"sourcetype\":\"aliyun:sls\",\"index\":\"main\",\"event\":{\"remote_addr\":"
            "\"192.168.%zu.%zu\",\"request_method\":\"%s\",\"request_uri\":\"/api/v1/items/%zu"
            "?page=%zu&sort=desc\",\"status\":\"%d\",\"body_bytes_sent\":\"%zu\","
            "\"request_time\":\"0.%03zu\",\"http_referer\":\"https://example.com/p/%zu\","
            "\"http_user_agent\":\"%s\",\"upstream_addr\":\"10.1.%zu.%zu:8080\"},\"fields\":"
            "{\"sls_project\":\"proj\",\"sls_logstore\":\"nginx\",\"sls_shard\":\"%zu\"}}\n",
            1732600000LL + (long long)(i / 1000), i % 1000, i % 7, i % 250, i % 200, i % 250,
            methods[i % 4], i, i % 17, i % 13 ? 200 : 404, 500 + i % 9000, i % 1000, i % 97,
            agents[i % 4], i % 5, i % 200, i % 4);
        if (out->len + (size_t)n > max_bytes) {
            break;
        }
        sf_buf_append(out, line, (size_t)n);
        (*n_events)++;
    }
}

static void gzip_into(const struct sf_buf *in, struct sf_buf *out)
{
    z_stream zs = {0};
    deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    sf_buf_reserve(out, deflateBound(&zs, (uLong)in->len));
    zs.next_in = in->ptr;
    zs.avail_in = (uInt)in->len;
    zs.next_out = out->ptr;
    zs.avail_out = (uInt)out->cap;
    deflate(&zs, Z_FINISH);
    out->len = zs.total_out;
    deflateEnd(&zs);
}

static size_t discard(char *data, size_t size, size_t n, void *cls)
{
    (void)data;
    (void)cls;
    return size * n;
}

static CURL *make_easy(int port, const struct sf_buf *body, struct curl_slist *headers)
{
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/services/collector/event", port);
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, (const char *)body->ptr);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    return easy;
}

/* Posts |body| until |n_requests| are answered, |parallel| at a time. Returns failures. */
static long
post_all(int port, const struct sf_buf *body, bool is_gzip, long n_requests, int parallel)
{
    struct curl_slist *headers = curl_slist_append(NULL, "Authorization: Splunk " TOKEN);
    headers = curl_slist_append(headers, "Expect:");
    headers = curl_slist_append(headers, "Content-Type: application/json");
    if (is_gzip) {
        headers = curl_slist_append(headers, "Content-Encoding: gzip");
    }
    CURLM *multi = curl_multi_init();
    CURL *easies[MAX_PARALLEL];
    long started = 0, done = 0, failed = 0;
    for (int i = 0; i < parallel && started < n_requests; i++, started++) {
        easies[i] = make_easy(port, body, headers);
        curl_multi_add_handle(multi, easies[i]);
    }
    while (done < n_requests) {
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }
            long status = 0;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            failed += msg->data.result != CURLE_OK || status != 200;
            done++;
            curl_multi_remove_handle(multi, msg->easy_handle);
            if (started < n_requests) {
                curl_multi_add_handle(multi, msg->easy_handle); /* reuse: keep-alive */
                started++;
            } else {
                curl_easy_cleanup(msg->easy_handle);
            }
        }
        if (done < n_requests) {
            curl_multi_poll(multi, NULL, 0, 100, NULL);
        }
    }
    curl_multi_cleanup(multi);
    curl_slist_free_all(headers);
    return failed;
}

static int bench_one(const struct options *opt, const struct run *run)
{
    struct sf_buf plain, zipped;
    sf_buf_init(&plain, (size_t)64 << 20);
    sf_buf_init(&zipped, (size_t)64 << 20);
    size_t n_events = 0;
    build_batch(&plain, (size_t)opt->batch_kb * 1024, &n_events);
    gzip_into(&plain, &zipped);
    const struct sf_buf *body = run->is_gzip ? &zipped : &plain;
    long n_requests = (long)((double)run->total_mb * 1e6 / (double)plain.len) + 1;
    int port = 0;
    pid_t pid = start_receiver(opt, strcmp(run->mode, "count_only") == 0, &port);
    if (pid < 0) {
        return 1;
    }
    post_all(port, body, run->is_gzip, opt->parallel, opt->parallel); /* warm up */
    double cpu0 = cpu_seconds(pid);
    int64_t t0 = sf_now_ms();
    long failed = post_all(port, body, run->is_gzip, n_requests, opt->parallel);
    double seconds = (double)(sf_now_ms() - t0) / 1000.0;
    double cpu = cpu_seconds(pid) - cpu0;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    double raw_mb = (double)n_requests * (double)plain.len / 1e6;
    printf("RESULT bench=hec_receiver mode=%s gzip=%s events=%ld raw_mb=%.0f seconds=%.2f "
           "raw_mb_per_s=%.0f receiver_cpu_s=%.2f raw_mb_per_cpu_s=%.0f requests=%ld "
           "batch_bytes=%zu wire_bytes=%zu threads=%d parallel=%d pinned=%s failed=%ld\n",
           run->mode, run->is_gzip ? "on" : "off", n_requests * (long)n_events, raw_mb, seconds,
           raw_mb / seconds, cpu, cpu > 0 ? raw_mb / cpu : 0.0, n_requests, plain.len, body->len,
           opt->threads, opt->parallel, opt->is_pinned ? "yes" : "no", failed);
    fflush(stdout);
    sf_buf_cleanup(&plain);
    sf_buf_cleanup(&zipped);
    unlink("/tmp/bench_hec_receiver.ndjson");
    return failed ? 1 : 0;
}

static bool parse_args(struct options *opt, int argc, char **argv)
{
    *opt = (struct options){HEC_RECEIVER_PATH, 4000, 4, 1000, 1, true};
    for (int i = 1; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--no-pin") == 0) {
            opt->is_pinned = false;
        } else if (strcmp(argv[i], "--receiver") == 0 && next) {
            opt->receiver = argv[++i];
        } else if (strcmp(argv[i], "--mb") == 0 && next) {
            opt->total_mb = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--parallel") == 0 && next) {
            opt->parallel = (int)strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--batch-kb") == 0 && next) {
            opt->batch_kb = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--threads") == 0 && next) {
            opt->threads = (int)strtol(argv[++i], NULL, 10);
        } else {
            return false;
        }
    }
    return opt->total_mb > 0 && opt->parallel > 0 && opt->parallel <= MAX_PARALLEL &&
           opt->batch_kb > 0 && opt->threads >= 0;
}

int main(int argc, char **argv)
{
    struct options opt;
    if (!parse_args(&opt, argc, argv)) {
        fprintf(stderr,
                "usage: %s [--receiver PATH] [--mb N] [--parallel N] [--batch-kb N] "
                "[--threads N] [--no-pin]\n",
                argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_ALL);
    if (opt.is_pinned) {
        pin_to(1);
    }
    const struct run runs[] = {
        {"count_only", false, opt.total_mb},
        {"count_only", true, opt.total_mb},
        {"record", false, opt.total_mb / 8},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        rc |= bench_one(&opt, &runs[i]);
    }
    curl_global_cleanup();
    return rc;
}
