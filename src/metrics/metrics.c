#include "metrics/metrics.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/str.h"

#include "util/banned.h"

struct sf_metrics {
    struct MHD_Daemon *daemon;
    sf_metrics_collect_fn collect;
    sf_metrics_ready_fn ready;
    void *ctx;
    int port;
};

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned status, const char *type, struct sf_buf *body)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(body->len, body->ptr, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result handle(void *cls,
                              struct MHD_Connection *conn,
                              const char *url,
                              const char *method,
                              const char *version,
                              const char *upload_data,
                              size_t *upload_size,
                              void **con_cls)
{
    (void)version;
    (void)upload_data;
    (void)upload_size;
    (void)con_cls;
    struct sf_metrics *metrics = cls;
    struct sf_buf body;
    sf_buf_init(&body, 64 << 20);
    unsigned status = 200;
    const char *type = "text/plain; version=0.0.4; charset=utf-8";
    if (strcmp(method, "GET") != 0) {
        status = 405;
        sf_buf_append_cstr(&body, "method not allowed\n");
    } else if (strcmp(url, "/metrics") == 0) {
        metrics->collect(metrics->ctx, &body);
    } else if (strcmp(url, "/healthz") == 0) {
        bool is_ready = metrics->ready(metrics->ctx, &body);
        status = is_ready ? 200 : 503;
        type = "text/plain; charset=utf-8";
    } else {
        status = 404;
        sf_buf_append_cstr(&body, "not found: try /metrics or /healthz\n");
    }
    enum MHD_Result ret = reply(conn, status, type, &body);
    sf_buf_cleanup(&body);
    return ret;
}

static bool parse_listen(const char *listen, struct sockaddr_in *addr)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    long long port = 0;
    if (!colon || (size_t)(colon - listen) >= sizeof(host) ||
        !sf_str_to_i64(sf_str_from(colon + 1), 0, 65535, &port)) {
        return false;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0) {
        snprintf(host, sizeof(host), "127.0.0.1");
    }
    return inet_pton(AF_INET, host, &addr->sin_addr) == 1;
}

sf_err sf_metrics_start(const char *listen,
                        sf_metrics_collect_fn collect,
                        sf_metrics_ready_fn ready,
                        void *ctx,
                        struct sf_metrics **out,
                        char *errbuf,
                        size_t errbuf_size)
{
    *out = NULL;
    struct sockaddr_in addr;
    if (!parse_listen(listen, &addr)) {
        snprintf(errbuf, errbuf_size, "metrics.listen %s: expected IPv4:PORT", listen);
        return SF_ERR_CONFIG;
    }
    struct sf_metrics *metrics = sf_xcalloc(1, sizeof(*metrics));
    metrics->collect = collect;
    metrics->ready = ready;
    metrics->ctx = ctx;
    metrics->daemon =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_INTERNAL_THREAD, 0, NULL,
                         NULL, handle, metrics, MHD_OPTION_SOCK_ADDR, &addr,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    if (!metrics->daemon) {
        snprintf(errbuf, errbuf_size, "metrics.listen %s: cannot listen (address in use?)", listen);
        free(metrics);
        return SF_ERR_CONFIG;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(metrics->daemon, MHD_DAEMON_INFO_BIND_PORT);
    metrics->port = info ? info->port : 0;
    *out = metrics;
    return SF_OK;
}

int sf_metrics_port(const struct sf_metrics *metrics)
{
    return metrics->port;
}

void sf_metrics_stop(struct sf_metrics *metrics)
{
    if (!metrics) {
        return;
    }
    MHD_stop_daemon(metrics->daemon);
    free(metrics);
}

void sf_metrics_family(struct sf_buf *out, const char *name, const char *type, const char *help)
{
    sf_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void sf_metrics_sample(struct sf_buf *out, const char *name, const char *labels, double value)
{
    if (labels && labels[0]) {
        sf_buf_printf(out, "%s{%s} %.17g\n", name, labels, value);
    } else {
        sf_buf_printf(out, "%s %.17g\n", name, value);
    }
}

void sf_metrics_label(char *dst, size_t dst_size, const char *value)
{
    size_t o = 0;
    for (const char *p = value; *p && o + 3 < dst_size; p++) {
        if (*p == '\\' || *p == '"') {
            dst[o++] = '\\';
            dst[o++] = *p;
        } else if (*p == '\n') {
            dst[o++] = '\\';
            dst[o++] = 'n';
        } else {
            dst[o++] = *p;
        }
    }
    dst[o] = '\0';
}
