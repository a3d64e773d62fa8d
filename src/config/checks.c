/* Row checks: the rules of one value beyond its syntax (names SLS accepts, files that must be
 * readable). They run as the value is parsed, so the error carries its line. A message that
 * starts with "expected" gets the offending value appended by the caller. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_int.h"
#include "util/match.h"
#include "util/proxy.h"
#include "util/template.h"

#include "util/banned.h"
#include "util/url.h"

static const char *string_value(const struct sf_option *opt, const void *base)
{
    return *(char *const *)sf_option_cfield(opt, base);
}

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Every byte in [a-z0-9] or |extra|, |min|..|max| long; with |is_edged|, alphanumeric at both
 * ends. */
static bool is_name(const char *s, const char *extra, size_t min, size_t max, bool is_edged)
{
    size_t len = strlen(s);
    if (len < min || len > max) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_lower_alnum(s[i]) && !strchr(extra, s[i])) {
            return false;
        }
    }
    return !is_edged || (is_lower_alnum(s[0]) && is_lower_alnum(s[len - 1]));
}

static bool reject(char *why, size_t why_size, const char *text)
{
    snprintf(why, why_size, "%s", text);
    return false;
}

/* The rule of one kind of name, for is_name(), and the message when a value breaks it. */
struct name_rule {
    const char *extra;
    size_t min;
    size_t max;
    bool is_edged;
    const char *expected;
};

static const struct name_rule project_rule = {
    .extra = "-",
    .min = 1,
    .max = 63,
    .is_edged = true,
    .expected = "expected a project name: up to 63 characters of a-z, 0-9 and -, starting and "
                "ending with a letter or digit"};
static const struct name_rule logstore_rule = {
    .extra = "-_",
    .min = 1,
    .max = 63,
    .expected = "expected a logstore name: up to 63 characters of a-z, 0-9, _ and -"};
/* SLS does not document the rule; an invalid name fails later as a puzzling 405 on the
 * heartbeat (docs/protocol/sls-api.md §Limits; sls-consumer-group.md §Known pitfalls, item 7),
 * so check it here. */
static const struct name_rule group_rule = {
    .extra = "-_",
    .min = 2,
    .max = 64,
    .is_edged = true,
    .expected = "expected a consumer group name: 2 to 64 characters of a-z, 0-9, _ and -, "
                "starting and ending with a letter or digit"};
static const struct name_rule region_rule = {.extra = "-",
                                             .min = 1,
                                             .max = 63,
                                             .is_edged = true,
                                             .expected = "expected a region such as cn-hangzhou"};
static const struct name_rule debug_modules_rule = {
    .extra = "_,",
    .min = 1,
    .max = 200,
    .expected = "expected module names such as coord,sls, or all"};

static bool check_name(const struct sf_option *opt,
                       const void *base,
                       const struct name_rule *rule,
                       char *why,
                       size_t why_size)
{
    return is_name(string_value(opt, base), rule->extra, rule->min, rule->max, rule->is_edged) ||
           reject(why, why_size, rule->expected);
}

/* A LIST option's entries; their count is in the companion field. */
static char *const *string_list(const struct sf_option *opt, const void *base, size_t *n)
{
    *n = *(const size_t *)((const char *)base + opt->aux_offset);
    return *(char *const *const *)sf_option_cfield(opt, base);
}

/* |item| is <left><sep><right> with a non-empty left, and with |needs_right| a non-empty right. */
static bool is_pair(const char *item, char sep, bool needs_right)
{
    const char *at = strchr(item, sep);
    return at && at != item && (!needs_right || at[1]);
}

static bool is_http_url(const char *url)
{
    return (strncmp(url, "http://", 7) == 0 && url[7]) ||
           (strncmp(url, "https://", 8) == 0 && url[8]);
}

bool sf_config_check_endpoint(const struct sf_option *opt,
                              const void *base,
                              char *why,
                              size_t why_size)
{
    const char *s = string_value(opt, base);
    const char *host = strstr(s, "://");
    if (host && strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0) {
        return reject(why, why_size, "expected https:// or http:// before the host");
    }
    host = host ? host + 3 : s;
    if (!host[0] || host[0] == ':' || host[0] == '/' || strpbrk(s, " \t\r\n?#@")) {
        return reject(why, why_size,
                      "expected a host such as cn-hangzhou.log.aliyuncs.com, or "
                      "http://host:port");
    }
    return true;
}

bool sf_config_check_project(const struct sf_option *opt,
                             const void *base,
                             char *why,
                             size_t why_size)
{
    return check_name(opt, base, &project_rule, why, why_size);
}

bool sf_config_check_logstore(const struct sf_option *opt,
                              const void *base,
                              char *why,
                              size_t why_size)
{
    return check_name(opt, base, &logstore_rule, why, why_size);
}

bool sf_config_check_group(const struct sf_option *opt,
                           const void *base,
                           char *why,
                           size_t why_size)
{
    return check_name(opt, base, &group_rule, why, why_size);
}

bool sf_config_check_consumer(const struct sf_option *opt,
                              const void *base,
                              char *why,
                              size_t why_size)
{
    const char *s = string_value(opt, base);
    size_t len = strlen(s);
    bool is_ok = len <= 128;
    for (size_t i = 0; i < len && is_ok; i++) {
        is_ok = is_lower_alnum(s[i]) || (s[i] >= 'A' && s[i] <= 'Z') || strchr("._-", s[i]);
    }
    return is_ok || reject(why, why_size,
                           "expected up to 128 characters of letters, digits, '.', '_' and '-'");
}

bool sf_config_check_region(const struct sf_option *opt,
                            const void *base,
                            char *why,
                            size_t why_size)
{
    return check_name(opt, base, &region_rule, why, why_size);
}

bool sf_config_check_json_fields(const struct sf_option *opt,
                                 const void *base,
                                 char *why,
                                 size_t why_size)
{
    size_t n;
    char *const *items = string_list(opt, base, &n);
    for (size_t i = 0; i < n; i++) {
        if (!is_pair(items[i], ':', true)) {
            snprintf(why, why_size,
                     "entry \"%.64s\" is not <topic>:<field> (such as "
                     "actiontrail_audit_event:event)",
                     items[i]);
            return false;
        }
    }
    return true;
}

/* Routing templates (util/template.h) are parsed here too, so that a bad one is refused with
 * its file and line rather than when the outputs are made. */
bool sf_config_check_template(const struct sf_option *opt,
                              const void *base,
                              char *why,
                              size_t why_size)
{
    struct sf_template t;
    bool is_ok = sf_template_parse(string_value(opt, base), &t, why, why_size) == SF_OK;
    sf_template_cleanup(&t);
    return is_ok;
}

bool sf_config_check_fields(const struct sf_option *opt,
                            const void *base,
                            char *why,
                            size_t why_size)
{
    size_t n;
    char *const *items = string_list(opt, base, &n);
    for (size_t i = 0; i < n; i++) {
        if (!is_pair(items[i], '=', false)) {
            snprintf(why, why_size, "entry \"%.64s\" is not name=value (such as env=prod)",
                     items[i]);
            return false;
        }
    }
    return true;
}

bool sf_config_check_hec_url(const struct sf_option *opt,
                             const void *base,
                             char *why,
                             size_t why_size)
{
    return is_http_url(string_value(opt, base)) ||
           reject(why, why_size, "expected an http:// or https:// URL");
}

bool sf_config_check_hec_urls(const struct sf_option *opt,
                              const void *base,
                              char *why,
                              size_t why_size)
{
    size_t n;
    char *const *items = string_list(opt, base, &n);
    for (size_t i = 0; i < n; i++) {
        if (!is_http_url(items[i])) {
            char *shown = sf_url_redact_dup(items[i]);
            snprintf(why, why_size, "entry %zu (\"%.100s\"): expected an http:// or https:// URL",
                     i + 1, shown);
            free(shown);
            return false;
        }
    }
    return true;
}

bool sf_config_check_debug_modules(const struct sf_option *opt,
                                   const void *base,
                                   char *why,
                                   size_t why_size)
{
    return check_name(opt, base, &debug_modules_rule, why, why_size);
}

bool sf_config_check_readable(const struct sf_option *opt,
                              const void *base,
                              char *why,
                              size_t why_size)
{
    const char *path = string_value(opt, base);
    if (access(path, R_OK) != 0) {
        snprintf(why, why_size, "cannot read %.200s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

bool sf_config_check_proxy(const struct sf_option *opt,
                           const void *base,
                           char *why,
                           size_t why_size)
{
    char credentials_key[96];
    snprintf(credentials_key, sizeof(credentials_key), "%s_credentials", opt->key);
    return sf_proxy_check_url(string_value(opt, base), credentials_key, why, why_size);
}

bool sf_config_check_proxy_credentials(const struct sf_option *opt,
                                       const void *base,
                                       char *why,
                                       size_t why_size)
{
    if (!is_pair(string_value(opt, base), ':', false)) {
        /* Not "expected …": that would append the value, a secret, to the message. */
        return reject(why, why_size, "must be user:password (a user name, a colon, a password)");
    }
    return true;
}

bool sf_config_check_query(const struct sf_option *opt,
                           const void *base,
                           char *why,
                           size_t why_size)
{
    const char *value = string_value(opt, base);
    size_t len = strlen(value);
    /* Not "expected …": that would append a statement of up to 4 KiB to the message. */
    if (len > SF_CONFIG_QUERY_MAX) {
        snprintf(why, why_size, "the SPL statement is %zu bytes; at most %d are sent with PullLogs",
                 len, SF_CONFIG_QUERY_MAX);
        return false;
    }
    bool is_blank = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
            snprintf(why, why_size, "the SPL statement holds control character 0x%02x at byte %zu",
                     c, i + 1);
            return false;
        }
        is_blank = is_blank && (c == ' ' || c == '\t' || c == '\n' || c == '\r');
    }
    if (is_blank) {
        /* The Python SDK sends no query for one of only blanks; say so rather than guess. */
        return reject(why, why_size,
                      "the SPL statement is only blanks: remove the key for no filter, or write "
                      "one such as \"* | where cast(status as bigint) >= 400\"");
    }
    return true;
}

/* keep_if/drop_if: each entry parses and its regex compiles (util/match.h), so a bad rule
 * stops the start with its file and line instead of surfacing in a worker. */
bool sf_config_check_filter_rules(const struct sf_option *opt,
                                  const void *base,
                                  char *why,
                                  size_t why_size)
{
    size_t n;
    char *const *items = string_list(opt, base, &n);
    for (size_t i = 0; i < n; i++) {
        struct sf_match_rule rule;
        char detail[320];
        if (sf_match_rule_init(&rule, items[i], detail, sizeof(detail)) != SF_OK) {
            snprintf(why, why_size, "entry %zu: %s", i + 1, detail);
            return false;
        }
        sf_match_rule_cleanup(&rule);
    }
    return true;
}

bool sf_config_check_filter_renames(const struct sf_option *opt,
                                    const void *base,
                                    char *why,
                                    size_t why_size)
{
    size_t n;
    char *const *items = string_list(opt, base, &n);
    for (size_t i = 0; i < n; i++) {
        if (!is_pair(items[i], '=', true)) {
            snprintf(why, why_size,
                     "entry %zu \"%.64s\" is not old=new (such as __tag__:__hostname__=host)",
                     i + 1, items[i]);
            return false;
        }
    }
    return true;
}
