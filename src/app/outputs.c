#include "app/outputs.h"

#include <stdlib.h>

#include "app/syslog_output.h"
#include "sink/file_sink.h"
#include "sink/hec_sink.h"
#include "transform/filter.h"
#include "transform/hec_event.h"
#include "util/alloc.h"
#include "util/assert.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "app"

/* Each output reads one payload of the batch; outputs that read the same one share it. */
enum payload {
    PAYLOAD_HEC_EVENTS,    /* batch->payload: NDJSON HEC events */
    PAYLOAD_SYSLOG_FRAMES, /* batch->syslog_payload: framed syslog messages */
    PAYLOAD__COUNT,
};

struct output_kind {
    const char *name; /* in messages */
    enum sf_config_sink_kind config;
    enum payload payload;
    /* The mapping of one source: its own keys over the global ones. */
    sf_err (*make_mapping)(const struct sf_config *config,
                           const struct sf_config_source *source,
                           void **mapping,
                           char *errbuf,
                           size_t errbuf_size);
    void (*free_mapping)(void *mapping);
    /* Appends one event per log of |list| that |filter| keeps to its payload of |batch|;
     * counts them, and the logs the filter dropped. */
    sf_err (*build)(const void *mapping,
                    const struct sf_filter *filter,
                    const struct sf_config_source *source,
                    const struct sf_loggroup_list *list,
                    struct sf_batch *batch,
                    size_t *n_events,
                    size_t *n_filtered);
    sf_err (*make_sink)(const struct sf_config *config,
                        struct sf_sink **out,
                        char *errbuf,
                        size_t errbuf_size);
    enum sf_output_metrics metrics;
};

/* ---- HEC events (the HEC and file outputs) ---- */

static sf_err hec_mapping_new(const struct sf_config *config,
                              const struct sf_config_source *source,
                              void **mapping,
                              char *errbuf,
                              size_t errbuf_size)
{
    struct sf_config_mapping merged;
    sf_config_source_mapping(config, source, &merged);
    const struct sf_config_mapping *m = &merged;
    struct sf_hec_event_options opts = {
        .sourcetype = m->sourcetype,
        .index = m->index,
        .source = m->source,
        .host = m->host,
        .event_as_string = m->event_as_string,
        .json_fields = (const char *const *)m->json_fields,
        .n_json_fields = m->n_json_fields,
        .fields = (const char *const *)m->fields,
        .n_fields = m->n_fields,
        .position_fields = m->position_fields,
    };
    struct sf_hec_event_mapping *out = NULL;
    sf_err err = sf_hec_event_mapping_new(&opts, &out, errbuf, errbuf_size);
    *mapping = out;
    return err;
}

static void hec_mapping_free(void *mapping)
{
    sf_hec_event_mapping_free(mapping);
}

static sf_err hec_build(const void *mapping,
                        const struct sf_filter *filter,
                        const struct sf_config_source *source,
                        const struct sf_loggroup_list *list,
                        struct sf_batch *batch,
                        size_t *n_events,
                        size_t *n_filtered)
{
    struct sf_hec_event_origin from = {
        .project = source->project,
        .logstore = source->logstore,
        .shard = batch->shard_id,
        .cursor = batch->cursor,
    };
    /* The events' ends go with the payload, so the HEC sink need not search it for them. */
    if (batch->cap_payload_ends < list->n_logs_total) {
        batch->cap_payload_ends = list->n_logs_total;
        free(batch->payload_ends);
        batch->payload_ends = sf_xmalloc(batch->cap_payload_ends * sizeof(*batch->payload_ends));
    }
    size_t n_done = 0;
    sf_err err = sf_hec_event_append_list_indexed(mapping, filter, &from, list, 0, &batch->payload,
                                                  batch->payload_ends, &n_done, n_filtered);
    *n_events = n_done - *n_filtered;
    batch->n_payload_ends = err ? 0 : *n_events;
    return err;
}

static sf_err hec_sink_make(const struct sf_config *config,
                            struct sf_sink **out,
                            char *errbuf,
                            size_t errbuf_size)
{
    return sf_hec_sink_new(&config->hec, out, errbuf, errbuf_size);
}

static sf_err file_sink_make(const struct sf_config *config,
                             struct sf_sink **out,
                             char *errbuf,
                             size_t errbuf_size)
{
    (void)errbuf;
    (void)errbuf_size;
    return sf_file_sink_new(config->file_path, out);
}

/* ---- syslog ---- */

static sf_err syslog_mapping_new(const struct sf_config *config,
                                 const struct sf_config_source *source,
                                 void **mapping,
                                 char *errbuf,
                                 size_t errbuf_size)
{
    struct sf_config_syslog merged;
    sf_config_source_syslog(config, source, &merged);
    struct sf_syslog_line_mapping *out = NULL;
    sf_err err = sf_syslog_output_mapping(&merged, &out, errbuf, errbuf_size);
    *mapping = out;
    return err;
}

static void syslog_mapping_free(void *mapping)
{
    sf_syslog_line_mapping_free(mapping);
}

static sf_err syslog_build(const void *mapping,
                           const struct sf_filter *filter,
                           const struct sf_config_source *source,
                           const struct sf_loggroup_list *list,
                           struct sf_batch *batch,
                           size_t *n_events,
                           size_t *n_filtered)
{
    return sf_syslog_output_build(mapping, filter, source, list, batch, n_events, n_filtered);
}

static sf_err syslog_sink_make(const struct sf_config *config,
                               struct sf_sink **out,
                               char *errbuf,
                               size_t errbuf_size)
{
    return sf_syslog_output_sink(&config->syslog, out, errbuf, errbuf_size);
}

/* Every output slsfwd knows, in the order their sinks are made and started. */
static const struct output_kind kinds[] = {
    {.name = "HEC",
     .config = SF_CONFIG_SINK_HEC,
     .payload = PAYLOAD_HEC_EVENTS,
     .make_mapping = hec_mapping_new,
     .free_mapping = hec_mapping_free,
     .build = hec_build,
     .make_sink = hec_sink_make,
     .metrics = SF_OUTPUT_METRICS_HEC},
    {.name = "syslog",
     .config = SF_CONFIG_SINK_SYSLOG,
     .payload = PAYLOAD_SYSLOG_FRAMES,
     .make_mapping = syslog_mapping_new,
     .free_mapping = syslog_mapping_free,
     .build = syslog_build,
     .make_sink = syslog_sink_make,
     .metrics = SF_OUTPUT_METRICS_SYSLOG},
    {.name = "file",
     .config = SF_CONFIG_SINK_FILE,
     .payload = PAYLOAD_HEC_EVENTS,
     .make_mapping = hec_mapping_new,
     .free_mapping = hec_mapping_free,
     .build = hec_build,
     .make_sink = file_sink_make,
     .metrics = SF_OUTPUT_METRICS_NONE},
};

#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))
_Static_assert(N_KINDS <= SF_BATCH_SINKS_MAX, "a batch has an entry per output");

/* A configured output; its index in |outputs| is its slot in every batch. */
struct output {
    const struct output_kind *kind;
    void **mappings; /* one per source, in config->sources order */
    struct sf_sink *sink;
    bool builds_payload; /* the first configured output of its payload builds it */
};

struct sf_outputs {
    const struct sf_config *config;
    struct output outputs[N_KINDS];
    size_t n;
    /* Client-side filters by source index (config->sources[i]); compiled once at start. */
    struct sf_filter **filters;
};

/* Compiles every source's filters. The loader already checked each rule, so a failure here
 * is unexpected; it still names the source. */
static sf_err make_filters(struct sf_outputs *o, const struct sf_config *config)
{
    o->filters = sf_xcalloc(config->n_sources ? config->n_sources : 1, sizeof(*o->filters));
    for (size_t i = 0; i < config->n_sources; i++) {
        const struct sf_config_filters *f = &config->sources[i].filters;
        struct sf_filter_options opts = {
            .keep_if = (const char *const *)f->keep_if,
            .n_keep_if = f->n_keep_if,
            .drop_if = (const char *const *)f->drop_if,
            .n_drop_if = f->n_drop_if,
            .keep_fields = (const char *const *)f->keep_fields,
            .n_keep_fields = f->n_keep_fields,
            .drop_fields = (const char *const *)f->drop_fields,
            .n_drop_fields = f->n_drop_fields,
            .rename = (const char *const *)f->rename,
            .n_rename = f->n_rename,
        };
        char errbuf[512];
        sf_err err = sf_filter_new(&opts, &o->filters[i], errbuf, sizeof(errbuf));
        if (err) {
            SF_LOG_ERROR("msg=\"invalid filters\" source=\"%s\" error=\"%s\"",
                         config->sources[i].name, errbuf);
            return err;
        }
    }
    return SF_OK;
}

/* The index of |source| in config->sources: the coord passes the config's own pointers.
 * Mappings and filters are per source, by that index. */
static size_t source_index(const struct sf_outputs *o, const struct sf_config_source *source)
{
    size_t i = (size_t)(source - o->config->sources);
    SF_ASSERT(i < o->config->n_sources);
    return i;
}

void sf_outputs_set_budget(struct sf_outputs *outputs, struct sf_budget *budget)
{
    for (size_t i = 0; i < outputs->n; i++) {
        if (outputs->outputs[i].kind->config == SF_CONFIG_SINK_HEC) {
            sf_hec_sink_set_budget(outputs->outputs[i].sink, budget);
        }
    }
}

sf_err sf_outputs_new(const struct sf_config *config, struct sf_outputs **out)
{
    struct sf_outputs *o = sf_xcalloc(1, sizeof(*o));
    *out = o;
    o->config = config;
    bool is_built[PAYLOAD__COUNT] = {false};
    sf_err filters_err = make_filters(o, config);
    if (filters_err) {
        return filters_err;
    }
    for (size_t i = 0; i < N_KINDS; i++) {
        const struct output_kind *kind = &kinds[i];
        if (!sf_config_has_sink(config, kind->config)) {
            continue;
        }
        struct output *output = &o->outputs[o->n++];
        output->kind = kind;
        output->builds_payload = !is_built[kind->payload];
        is_built[kind->payload] = true;
        char errbuf[512];
        sf_err err = SF_OK;
        output->mappings =
            sf_xcalloc(config->n_sources ? config->n_sources : 1, sizeof(*output->mappings));
        for (size_t s = 0; s < config->n_sources; s++) {
            err = kind->make_mapping(config, &config->sources[s], &output->mappings[s], errbuf,
                                     sizeof(errbuf));
            if (err) {
                SF_LOG_ERROR("msg=\"invalid event mapping for the %s output\" source=\"%s\" "
                             "error=\"%s\"",
                             kind->name, config->sources[s].name, errbuf);
                return err;
            }
        }
        err = kind->make_sink(config, &output->sink, errbuf, sizeof(errbuf));
        if (err) {
            SF_LOG_ERROR("msg=\"cannot set up the %s output\" error=\"%s\"", kind->name, errbuf);
            return err;
        }
    }
    return SF_OK;
}

sf_err sf_outputs_start(struct sf_outputs *outputs)
{
    for (size_t i = 0; i < outputs->n; i++) {
        sf_err err = sf_sink_start(outputs->outputs[i].sink);
        if (err) {
            return err;
        }
    }
    return SF_OK;
}

sf_err sf_outputs_build(void *ctx,
                        const struct sf_config_source *source,
                        const struct sf_loggroup_list *list,
                        struct sf_batch *batch)
{
    struct sf_outputs *outputs = ctx;
    for (size_t i = 0; i < outputs->n; i++) {
        const struct output *output = &outputs->outputs[i];
        if (!output->builds_payload) {
            continue;
        }
        size_t n_events = 0;
        size_t n_filtered = 0;
        size_t s = source_index(outputs, source);
        sf_err err = output->kind->build(output->mappings[s], outputs->filters[s], source, list,
                                         batch, &n_events, &n_filtered);
        if (err) {
            return err;
        }
        /* The same filter for every payload: the same events in each. */
        batch->n_events = n_events;
        batch->n_filtered = n_filtered;
    }
    return SF_OK;
}

void sf_outputs_submit(void *ctx, struct sf_batch *batch)
{
    struct sf_outputs *outputs = ctx;
    for (size_t i = 0; i < outputs->n; i++) {
        sf_sink_submit(outputs->outputs[i].sink, sf_batch_hold(batch, (unsigned)i));
    }
}

struct sf_sink *sf_outputs_metrics_sink(const struct sf_outputs *outputs,
                                        enum sf_output_metrics metrics)
{
    for (size_t i = 0; outputs && i < outputs->n; i++) {
        if (outputs->outputs[i].kind->metrics == metrics) {
            return outputs->outputs[i].sink;
        }
    }
    return NULL;
}

void sf_outputs_stop(struct sf_outputs *outputs, int64_t deadline_ms)
{
    for (size_t i = 0; i < outputs->n; i++) {
        sf_sink_stop(outputs->outputs[i].sink, deadline_ms);
    }
}

void sf_outputs_free(struct sf_outputs *outputs)
{
    if (!outputs) {
        return;
    }
    for (size_t i = 0; outputs->config && i < outputs->config->n_sources; i++) {
        sf_filter_free(outputs->filters[i]);
    }
    free(outputs->filters);
    for (size_t i = 0; i < outputs->n; i++) {
        struct output *output = &outputs->outputs[i];
        sf_sink_free(output->sink);
        for (size_t s = 0; output->mappings && s < outputs->config->n_sources; s++) {
            if (output->mappings[s]) {
                output->kind->free_mapping(output->mappings[s]);
            }
        }
        free(output->mappings);
    }
    free(outputs);
}
