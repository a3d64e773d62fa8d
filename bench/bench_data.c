#include "bench_data.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lz4.h>

#include "sls_logs.pb-c.h"
#include "util/alloc.h"
#include "util/arena.h"

#include "util/banned.h" /* last: poisons what the project does not use */

#define GROUPS_PER_BODY 64

static uint64_t rng_state = 0x5eed5eed;

/* splitmix64 */
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static unsigned rng_below(unsigned n)
{
    return (unsigned)(rng_next() % n);
}

static char *fmt(struct sf_arena *arena, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static char *fmt(struct sf_arena *arena, const char *format, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(tmp, sizeof(tmp), format, ap);
    va_end(ap);
    char *s = sf_arena_alloc(arena, (size_t)n + 1);
    memcpy(s, tmp, (size_t)n + 1);
    return s;
}

static const char *const user_agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.47",
    "curl/8.5.0",
    "okhttp/4.12.0",
};
static const char *const methods[] = {"GET", "GET", "GET", "POST", "PUT", "HEAD"};
static const char *const statuses[] = {"200", "200", "200", "200", "304", "404", "500", "301"};
static const char *const paths[] = {"/api/v1/items",         "/api/v1/orders",
                                    "/static/js/app.min.js", "/index.html",
                                    "/api/v2/users/profile", "/healthz"};

static void add_content(Log *log, struct sf_arena *arena, const char *key, char *value)
{
    Log__Content *c = sf_arena_alloc(arena, sizeof(*c));
    log__content__init(c);
    c->key = (char *)key;
    c->value = value;
    log->contents[log->n_contents++] = c;
}

/* 15 fields as an nginx access log parsed by Logtail would have them. */
static Log *nginx_log(struct sf_arena *arena, uint32_t time)
{
    Log *log = sf_arena_alloc(arena, sizeof(*log));
    log__init(log);
    log->time = time;
    log->has_time_ns = rng_below(2);
    log->time_ns = log->has_time_ns ? rng_below(1000000000) : 0;
    log->contents = sf_arena_alloc(arena, 15 * sizeof(*log->contents));
    unsigned ip = (unsigned)rng_next();
    add_content(log, arena, "remote_addr",
                fmt(arena, "%u.%u.%u.%u", 1 + ip % 223, ip >> 8 & 255, ip >> 16 & 255, ip >> 24));
    add_content(log, arena, "remote_user", fmt(arena, "-"));
    add_content(log, arena, "time_local",
                fmt(arena, "10/Jun/2025:08:%02u:%02u +0800", time / 60 % 60, time % 60));
    add_content(log, arena, "request_method", fmt(arena, "%s", methods[rng_below(6)]));
    add_content(log, arena, "request_uri",
                fmt(arena, "%s/%u?page=%u&size=20&sort=desc", paths[rng_below(6)],
                    rng_below(100000), rng_below(50)));
    add_content(log, arena, "server_protocol", fmt(arena, "HTTP/1.1"));
    add_content(log, arena, "status", fmt(arena, "%s", statuses[rng_below(8)]));
    add_content(log, arena, "body_bytes_sent", fmt(arena, "%u", rng_below(200000)));
    add_content(log, arena, "http_referer",
                fmt(arena, "https://www.example.com/category/%u", rng_below(1000)));
    add_content(log, arena, "http_user_agent", fmt(arena, "%s", user_agents[rng_below(6)]));
    add_content(log, arena, "request_time", fmt(arena, "0.%03u", rng_below(1000)));
    add_content(log, arena, "upstream_response_time", fmt(arena, "0.%03u", rng_below(1000)));
    add_content(log, arena, "upstream_addr", fmt(arena, "10.0.1.%u:8080", rng_below(32)));
    add_content(log, arena, "host", fmt(arena, "www.example.com"));
    add_content(log, arena, "request_id",
                fmt(arena, "%016llx%016llx", (unsigned long long)rng_next(),
                    (unsigned long long)rng_next()));
    return log;
}

static LogTag *tag(struct sf_arena *arena, const char *key, char *value)
{
    LogTag *t = sf_arena_alloc(arena, sizeof(*t));
    log_tag__init(t);
    t->key = (char *)key;
    t->value = value;
    return t;
}

static LogGroup *nginx_group(struct sf_arena *arena, uint32_t time, unsigned host)
{
    LogGroup *group = sf_arena_alloc(arena, sizeof(*group));
    log_group__init(group);
    group->topic = fmt(arena, "nginx");
    group->source = fmt(arena, "192.168.%u.%u", host / 250, host % 250 + 1);
    group->n_logs = 80 + rng_below(41);
    group->logs = sf_arena_alloc(arena, group->n_logs * sizeof(*group->logs));
    for (size_t i = 0; i < group->n_logs; i++) {
        group->logs[i] = nginx_log(arena, time + (uint32_t)(i / 10));
    }
    group->n_logtags = 5;
    group->logtags = sf_arena_alloc(arena, 5 * sizeof(*group->logtags));
    group->logtags[0] = tag(arena, "__hostname__", fmt(arena, "web-%03u", host));
    group->logtags[1] = tag(arena, "__path__", fmt(arena, "/var/log/nginx/access.log"));
    group->logtags[2] =
        tag(arena, "__pack_id__", fmt(arena, "%016llX-%X", (unsigned long long)rng_next(), host));
    group->logtags[3] = tag(arena, "__receive_time__", fmt(arena, "%u", time + 2));
    group->logtags[4] = tag(arena, "__client_ip__", fmt(arena, "%s", group->source));
    return group;
}

/* One body: GROUPS_PER_BODY groups, packed, plus its LZ4 block. */
static void make_body(struct bench_bodies *bodies, struct sf_arena *arena, uint32_t *time)
{
    LogGroupList list = LOG_GROUP_LIST__INIT;
    list.n_loggroups = GROUPS_PER_BODY;
    list.loggroups = sf_arena_alloc(arena, GROUPS_PER_BODY * sizeof(*list.loggroups));
    for (size_t g = 0; g < GROUPS_PER_BODY; g++) {
        list.loggroups[g] = nginx_group(arena, *time, rng_below(200));
        bodies->n_logs += list.loggroups[g]->n_logs;
        *time += 12;
    }
    struct bench_body *raw = &bodies->raw[bodies->n];
    struct bench_body *lz4 = &bodies->lz4[bodies->n];
    raw->len = log_group_list__get_packed_size(&list);
    raw->ptr = sf_xmalloc(raw->len);
    log_group_list__pack(&list, raw->ptr);
    int bound = LZ4_compressBound((int)raw->len);
    lz4->ptr = sf_xmalloc((size_t)bound);
    int n = LZ4_compress_default((const char *)raw->ptr, (char *)lz4->ptr, (int)raw->len, bound);
    if (n <= 0) {
        abort();
    }
    lz4->len = (size_t)n;
    bodies->n_groups += GROUPS_PER_BODY;
    bodies->raw_bytes += raw->len;
    bodies->lz4_bytes += lz4->len;
    bodies->n++;
}

void bench_bodies_generate(struct bench_bodies *bodies, size_t target_bytes)
{
    memset(bodies, 0, sizeof(*bodies));
    size_t cap = 16;
    bodies->raw = sf_xmalloc(cap * sizeof(*bodies->raw));
    bodies->lz4 = sf_xmalloc(cap * sizeof(*bodies->lz4));
    struct sf_arena arena;
    sf_arena_init(&arena, 1 << 20);
    uint32_t time = 1749542400;
    while (bodies->raw_bytes < target_bytes) {
        if (bodies->n == cap) {
            cap *= 2;
            bodies->raw = sf_xrealloc(bodies->raw, cap * sizeof(*bodies->raw));
            bodies->lz4 = sf_xrealloc(bodies->lz4, cap * sizeof(*bodies->lz4));
        }
        make_body(bodies, &arena, &time);
        sf_arena_reset(&arena);
    }
    sf_arena_cleanup(&arena);
}

void bench_bodies_free(struct bench_bodies *bodies)
{
    for (size_t i = 0; i < bodies->n; i++) {
        free(bodies->raw[i].ptr);
        free(bodies->lz4[i].ptr);
    }
    free(bodies->raw);
    free(bodies->lz4);
    memset(bodies, 0, sizeof(*bodies));
}
