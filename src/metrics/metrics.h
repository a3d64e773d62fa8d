/* The metrics endpoint: Prometheus text on GET /metrics and readiness on GET /healthz, served
 * by libmicrohttpd on its own thread (loopback by default). The module knows nothing of the
 * coord: on each scrape it calls the app's |collect| to write the text. Modules keep their own
 * counters; nothing depends on this module (docs/CODE_STYLE.md §Layout). */
#ifndef SF_METRICS_METRICS_H
#define SF_METRICS_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

/* Writes the whole exposition into |out|; called on the server thread, must be thread-safe. */
typedef void (*sf_metrics_collect_fn)(void *ctx, struct sf_buf *out);
/* True when the daemon is ready (joined, delivering); called on the server thread. */
typedef bool (*sf_metrics_ready_fn)(void *ctx, struct sf_buf *why);

struct sf_metrics;

/* Listens on |listen| ("127.0.0.1:9464"; port 0 picks one, see sf_metrics_port). */
sf_err sf_metrics_start(const char *listen,
                        sf_metrics_collect_fn collect,
                        sf_metrics_ready_fn ready,
                        void *ctx,
                        struct sf_metrics **out,
                        char *errbuf,
                        size_t errbuf_size);
int sf_metrics_port(const struct sf_metrics *metrics);
void sf_metrics_stop(struct sf_metrics *metrics);

/* Exposition helpers. |labels| is "" or `source="a",shard="3"` (values already escaped with
 * sf_metrics_label). HELP/TYPE lines are written by sf_metrics_family once per name. */
void sf_metrics_family(struct sf_buf *out, const char *name, const char *type, const char *help);
void sf_metrics_sample(struct sf_buf *out, const char *name, const char *labels, double value);
/* Escapes |value| for a label value (backslash, quote, newline) into |dst|. */
void sf_metrics_label(char *dst, size_t dst_size, const char *value);

#endif
