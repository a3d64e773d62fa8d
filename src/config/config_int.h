/* Internals of the config module shared by its files: the option table (options.c), typed
 * values (value.c, units.c, time_parse.c), where each value came from, and the loader's
 * working state (config.c, file_apply.c, env.c, secret.c, validate.c). Other modules use
 * config.h only; unit tests may include this header. */
#ifndef SF_CONFIG_CONFIG_INT_H
#define SF_CONFIG_CONFIG_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/buf.h"

enum sf_opt_type {
    SF_OPT_STRING,   /* char *; an empty value leaves it unset (NULL) */
    SF_OPT_SECRET,   /* char *, never printed; also settable from `<key>_file` */
    SF_OPT_INT,      /* int in [min, max] */
    SF_OPT_BOOL,     /* bool: true/false, yes/no, on/off */
    SF_OPT_DURATION, /* int counting |unit_ms| milliseconds; min/max in ms */
    SF_OPT_SIZE,     /* size_t bytes: 256MiB, 1GB, 4096 */
    SF_OPT_ENUM,     /* char *, one of |choices| */
    SF_OPT_START,    /* enum sf_config_start; seconds (int64_t) at |aux_offset| */
    SF_OPT_TIME,     /* int64_t seconds; "is set" (bool) at |aux_offset| */
    SF_OPT_LIST,     /* char **; count (size_t) at |aux_offset|; YAML list or "a,b" */
    SF_OPT_CSV,      /* char * "a,b"; YAML list or "a,b" */
};

enum sf_opt_scope {
    SF_OPT_GLOBAL, /* a field of struct sf_config */
    SF_OPT_SOURCE, /* a field of struct sf_config_source: under `sls:` and in each source */
};

struct sf_option;

/* Extra rule on a parsed value; on false |why| says what is wrong. A message that starts with
 * "expected " gets the offending value appended (", got \"fast\""). */
typedef bool (*sf_option_check_fn)(const struct sf_option *opt,
                                   const void *base,
                                   char *why,
                                   size_t why_size);

struct sf_option {
    /* "limits.workers"; per-source options are "sls.<name>" and appear as `<name>` inside a
     * `sources:` entry. The environment name is SLSFWD_ + key, '.' → '_', upper case. */
    const char *key;
    enum sf_opt_type type;
    enum sf_opt_scope scope;
    size_t offset;        /* into struct sf_config or struct sf_config_source */
    size_t aux_offset;    /* START, TIME, LIST: the companion field */
    const char *fallback; /* the default, as a user would write it; NULL: unset */
    long long min;        /* INT; DURATION in ms; SIZE in bytes */
    long long max;
    int unit_ms;                /* DURATION: 1 for a *_ms field, 1000 for a *_s field */
    const char *const *choices; /* ENUM: NULL-terminated; INT: the only values allowed */
    const char *env_alias;      /* the reference program's variable: SLS_ENDPOINT */
    /* A value for the example file; for a SECRET, a path for `<key>_file`. The example
     * shows it set when |is_example_set|, else commented out. */
    const char *example;
    bool is_example_set;
    const char *help;    /* one paragraph; the first sentence stands alone */
    bool is_required;    /* every source must end up with a value */
    bool is_source_only; /* per source, not under `sls:` (name) */
    bool is_empty_kept;  /* STRING: "" is a value of its own (proxy: "" means none), not unset */
    sf_option_check_fn check;
};

/* A documentation heading for the keys under |prefix| ("sls", "output.file", "limits"). */
struct sf_option_section {
    const char *prefix;
    const char *title;
    const char *help;
};

/* An `output.<name>` block and the sink it selects. */
struct sf_option_sink {
    const char *name; /* "file", "hec" */
    enum sf_config_sink_kind kind;
    bool is_available; /* false: reserved for a sink that is not built yet */
};

/* options.c */
extern const struct sf_option sf_options[];
extern const size_t sf_n_options;
extern const struct sf_option_section sf_option_sections[];
extern const size_t sf_n_option_sections;
extern const struct sf_option_sink sf_option_sinks[];
extern const size_t sf_n_option_sinks;
/* The row whose key is |key| ("sls.endpoint", "limits.workers"), or NULL. */
const struct sf_option *sf_option_find(const char *key);
size_t sf_option_index(const struct sf_option *opt);
/* "sls.heartbeat_interval" → "heartbeat_interval": the key inside a `sources:` entry. */
const char *sf_option_source_key(const struct sf_option *opt);
/* SLSFWD_SLS_HEARTBEAT_INTERVAL. */
void sf_option_env_name(const struct sf_option *opt, char *out, size_t out_size);
/* True when some row's key starts with |prefix| + ".": |prefix| is a mapping of options. */
bool sf_option_is_section(const char *prefix);
/* The sink whose block is `output.<name>`, or NULL. */
const struct sf_option_sink *sf_option_sink_find(const char *name);
/* Writes the mapping headers ("output:\n  file:\n") that |key| needs and |prev| (the key
 * written before it, or NULL) did not open; returns the indentation of |key|'s leaf. */
int sf_option_open_sections(const char *key, const char *prev, struct sf_buf *out);
/* "a duration", "one of lz4, zstd, deflate, none": the type as the reference names it. */
void sf_option_describe_type(const struct sf_option *opt, char *out, size_t out_size);

/* value.c: typed values in a struct, driven by the row. |base| is the struct sf_config or
 * struct sf_config_source the row's offsets point into. */
void *sf_option_field(const struct sf_option *opt, void *base);
const void *sf_option_cfield(const struct sf_option *opt, const void *base);
/* Parses |text| as user input (file scalar, environment, default) and stores it, replacing
 * and freeing the old value. On false the field is unchanged and |why| holds "expected …". */
bool sf_option_parse(
    const struct sf_option *opt, const char *text, void *base, char *why, size_t why_size);
/* LIST/CSV from a YAML sequence of scalars; same contract as sf_option_parse. */
bool sf_option_parse_list(const struct sf_option *opt,
                          const char *const *items,
                          size_t n_items,
                          void *base,
                          char *why,
                          size_t why_size);
/* "expected a duration like 20s, 500ms or 2m": what the row accepts, for messages. */
void sf_option_expected(const struct sf_option *opt, char *why, size_t why_size);
/* Frees the field's memory and zeroes it. */
void sf_option_clear(const struct sf_option *opt, void *base);
/* Replaces |dst|'s field with a deep copy of |src|'s. */
void sf_option_copy(const struct sf_option *opt, void *dst, const void *src);
bool sf_option_is_set(const struct sf_option *opt, const void *base);
/* dump.c: the value as YAML text (a quoted string, 20s, 256MiB, [a, b], ~); secrets that are set
 * come out as "<redacted>". */
void sf_option_format(const struct sf_option *opt, const void *base, struct sf_buf *out);

/* units.c and time_parse.c: the value syntaxes. */
/* "20s", "500ms", "2m", "1h30m", "1d"; a plain number counts seconds. */
bool sf_config_parse_duration_ms(const char *text, int64_t *out_ms);
/* "256MiB", "1GB", "64k", "4096": KB/MB/GB/TB are powers of 1000, K/KiB… of 1024. */
bool sf_config_parse_size(const char *text, uint64_t *out);
/* Unix seconds, "2025-06-10T08:00:00Z", "…+08:00", "2025-06-10 08:00:00" (UTC),
 * "2025-06-10" (midnight UTC); fractional seconds are dropped. */
bool sf_config_parse_time(const char *text, int64_t *out_s);
/* "1h", "20s", "500ms": the shortest exact form. */
void sf_config_format_duration_ms(int64_t ms, char *out, size_t out_size);
/* "256MiB", "1GB", "4095": the shortest exact form. */
void sf_config_format_size(uint64_t bytes, char *out, size_t out_size);
/* "2025-06-10T08:00:00Z". */
void sf_config_format_time(int64_t s, char *out, size_t out_size);
/* true/false, yes/no, on/off, 1/0, any case. */
bool sf_config_parse_bool(const char *text, bool *out);

/* suggest.c: the known key closest to |key| within edit distance 2 (ignoring case, '-' and
 * '_' differences), or NULL. */
const char *sf_config_suggest(const char *key, const char *const *candidates, size_t n);

/* Where a value came from: for the dump and for messages that point at the culprit. */
enum sf_origin_kind {
    SF_ORIGIN_DEFAULT,
    SF_ORIGIN_FILE,    /* |line| of the config file */
    SF_ORIGIN_ENV,     /* SLSFWD_<KEY> (or SLSFWD_<KEY>_FILE for a secret) */
    SF_ORIGIN_ALIAS,   /* the row's env_alias (SLS_ENDPOINT) */
    SF_ORIGIN_CLI,     /* a command-line flag */
    SF_ORIGIN_DERIVED, /* computed: name, consumer_name, keys from credentials_file */
};

struct sf_origin {
    enum sf_origin_kind kind;
    int line;          /* SF_ORIGIN_FILE */
    bool is_inherited; /* a source took it from `sls:` */
    bool is_from_file; /* a secret read from `<key>_file` */
};

struct sf_config_provenance {
    struct sf_origin *global;  /* [sf_n_options] */
    struct sf_origin *sources; /* [n_sources * sf_n_options] */
    int *source_lines;         /* line of each `sources:` entry; 0 without one */
};

/* The loader's working state while sf_config_load runs. */
struct sf_config_loader {
    struct sf_config *config;
    const char *file_name; /* for messages; NULL in environment-only mode */
    bool is_file_on_disk;  /* file_name is a real file (not sf_config_load_yaml_buffer) */
    char *const *env;
    const struct sf_config_cli *cli;
    struct sf_config_source defaults; /* `sls:` + environment; every source starts here */
    struct sf_origin *defaults_origin;
    /* The first secret written inline in the file, for the permission warning. */
    const char *inline_secret_key;
    int inline_secret_line;
    char *errbuf;
    size_t errbuf_size;
};

/* config.c: "<file>:<line>: <key>: <message>" into errbuf; |line| 0 drops the file part (an
 * environment or command-line error), -1 keeps the file without a line; a NULL |key| drops
 * the key part;
 * returns SF_ERR_CONFIG so callers can `return sf_config_fail(...)`. */
sf_err
sf_config_fail(struct sf_config_loader *loader, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* |text| quoted for a message: escaped, at most about 60 bytes. */
void sf_config_quote(const char *text, char *out, size_t out_size);
struct sf_origin *
sf_config_origin(struct sf_config_loader *loader, int source_index, const struct sf_option *opt);
/* "sources[2]" for an entry of the `sources:` list; "sls" for the defaults (index -1) and
 * for the one source built from them when there is no list. */
void sf_config_source_label(struct sf_config_loader *loader,
                            int source_index,
                            char *out,
                            size_t out_size);
/* Where |opt| of source |source_index| (or a global) got its value, for a message about it:
 * |*line| (0 when not from the file) and |key| as the user wrote it ("sources[1].timeout",
 * "sls.timeout" when inherited, "SLS_ENDPOINT" from the environment). */
void sf_config_locate(struct sf_config_loader *loader,
                      int source_index,
                      const struct sf_option *opt,
                      int *line,
                      char *key,
                      size_t key_size);

/* file_apply.c: the parsed YAML document onto the defaults and the global fields. */
struct sf_yaml_node;
sf_err sf_config_apply_file(struct sf_config_loader *loader,
                            const struct sf_yaml_node *root,
                            const struct sf_yaml_node **sources_out);
/* Builds config->sources from the `sources:` list (NULL: one source from the defaults). */
sf_err sf_config_apply_sources(struct sf_config_loader *loader, const struct sf_yaml_node *sources);

/* env.c */
/* The value of |name| in |env|; NULL when absent or empty. */
const char *sf_config_env_get(char *const *env, const char *name);
sf_err sf_config_apply_env(struct sf_config_loader *loader);

/* secret.c */
/* Reads a secret file: contents without the trailing newline. On failure |why| says why. */
bool sf_config_read_secret_file(const char *path, char **out, char *why, size_t why_size);
sf_err sf_config_resolve_credentials(struct sf_config_loader *loader, int source_index);
void sf_config_warn_if_exposed(struct sf_config_loader *loader);

/* filters.c: source |source_index| takes the global filters.* list of every sls.filters.*
 * key it did not set. */
void sf_config_inherit_filters(struct sf_config_loader *loader, int source_index);

/* validate.c */
sf_err sf_config_validate(struct sf_config_loader *loader);

/* checks.c: row checks (options.c names them). */
bool sf_config_check_endpoint(const struct sf_option *opt,
                              const void *base,
                              char *why,
                              size_t why_size);
bool sf_config_check_project(const struct sf_option *opt,
                             const void *base,
                             char *why,
                             size_t why_size);
bool sf_config_check_logstore(const struct sf_option *opt,
                              const void *base,
                              char *why,
                              size_t why_size);
bool sf_config_check_group(const struct sf_option *opt,
                           const void *base,
                           char *why,
                           size_t why_size);
bool sf_config_check_consumer(const struct sf_option *opt,
                              const void *base,
                              char *why,
                              size_t why_size);
bool sf_config_check_region(const struct sf_option *opt,
                            const void *base,
                            char *why,
                            size_t why_size);
bool sf_config_check_json_fields(const struct sf_option *opt,
                                 const void *base,
                                 char *why,
                                 size_t why_size);
bool sf_config_check_template(const struct sf_option *opt,
                              const void *base,
                              char *why,
                              size_t why_size);
bool sf_config_check_fields(const struct sf_option *opt,
                            const void *base,
                            char *why,
                            size_t why_size);
bool sf_config_check_hec_url(const struct sf_option *opt,
                             const void *base,
                             char *why,
                             size_t why_size);
bool sf_config_check_hec_urls(const struct sf_option *opt,
                              const void *base,
                              char *why,
                              size_t why_size);
bool sf_config_check_debug_modules(const struct sf_option *opt,
                                   const void *base,
                                   char *why,
                                   size_t why_size);
/* A proxy URL: http://host:port, "" or none; credentials belong in <key>_credentials. */
bool sf_config_check_proxy(const struct sf_option *opt,
                           const void *base,
                           char *why,
                           size_t why_size);
/* user:password for a proxy; the message never repeats the value. */
/* sls.query: at most SF_CONFIG_QUERY_MAX bytes, not only blanks, no control characters
 * other than tab and line breaks. The statement itself is for SLS to judge. */
bool sf_config_check_query(const struct sf_option *opt,
                           const void *base,
                           char *why,
                           size_t why_size);
bool sf_config_check_proxy_credentials(const struct sf_option *opt,
                                       const void *base,
                                       char *why,
                                       size_t why_size);
/* filters.keep_if/drop_if: every rule parses and its regex compiles. */
bool sf_config_check_filter_rules(const struct sf_option *opt,
                                  const void *base,
                                  char *why,
                                  size_t why_size);
/* filters.rename: every entry is old=new. */
bool sf_config_check_filter_renames(const struct sf_option *opt,
                                    const void *base,
                                    char *why,
                                    size_t why_size);
bool sf_config_check_readable(const struct sf_option *opt,
                              const void *base,
                              char *why,
                              size_t why_size);

#endif
