#include "tokens.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* Names show up in URLs, stats and every recorded event: keep them plain. */
#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@-"

static bool is_token_char(char c)
{
    return c > ' ' && c < 0x7F && c != ',';
}

static bool add_index(struct hec_token *token, const char *name, char *why, size_t why_size)
{
    size_t len = strlen(name);
    size_t used = strlen(token->indexes);
    /* ",a," then "b,": a leading comma once, a trailing one per name, and the NUL */
    if (len == 0 || strspn(name, NAME_CHARS) != len ||
        (used ? 0 : 1) + used + len + 2 > sizeof(token->indexes)) {
        snprintf(why, why_size, "bad or too many index= values");
        return false;
    }
    snprintf(token->indexes + used, sizeof(token->indexes) - used, "%s%s,", used ? "" : ",", name);
    return true;
}

static bool apply_option(struct hec_token *token, const char *opt, char *why, size_t why_size)
{
    if (strcmp(opt, "ack") == 0) {
        token->has_ack = true;
    } else if (strcmp(opt, "noack") == 0) {
        token->has_ack = false;
    } else if (strcmp(opt, "query") == 0) {
        token->allows_query = true;
    } else if (strcmp(opt, "disabled") == 0) {
        token->is_disabled = true;
    } else if (strncmp(opt, "name=", 5) == 0) {
        size_t len = strlen(opt + 5);
        if (len == 0 || len > HEC_NAME_MAX || strspn(opt + 5, NAME_CHARS) != len) {
            snprintf(why, why_size, "name= wants 1-%d of [A-Za-z0-9._:@-]", HEC_NAME_MAX);
            return false;
        }
        snprintf(token->name, sizeof(token->name), "%s", opt + 5);
    } else if (strncmp(opt, "index=", 6) == 0) {
        return add_index(token, opt + 6, why, why_size);
    } else {
        snprintf(why, why_size,
                 "unknown token option '%.40s' (ack, noack, query, disabled, "
                 "name=N, index=I)",
                 opt);
        return false;
    }
    return true;
}

bool hec_token_parse(const char *spec,
                     int ordinal,
                     bool is_ack,
                     bool is_query,
                     struct hec_token *out,
                     char *why,
                     size_t why_size)
{
    struct hec_token token;
    memset(&token, 0, sizeof(token));
    token.has_ack = is_ack;
    token.allows_query = is_query;
    snprintf(token.name, sizeof(token.name), "token%d", ordinal);
    size_t value_len = strcspn(spec, ",");
    if (value_len == 0 || value_len > HEC_TOKEN_MAX) {
        snprintf(why, why_size, "a token is 1-%d printable characters", HEC_TOKEN_MAX);
        return false;
    }
    for (size_t i = 0; i < value_len; i++) {
        if (!is_token_char(spec[i])) {
            snprintf(why, why_size, "a token is printable ASCII without spaces or ','");
            return false;
        }
    }
    memcpy(token.value, spec, value_len);
    const char *p = spec + value_len;
    while (*p == ',') {
        p++;
        char opt[HEC_INDEXES_MAX];
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof(opt)) {
            snprintf(why, why_size, "empty or overlong token option");
            return false;
        }
        memcpy(opt, p, len);
        opt[len] = '\0';
        if (!apply_option(&token, opt, why, why_size)) {
            return false;
        }
        p += len;
    }
    *out = token;
    return true;
}

bool hec_tokens_add(struct hec_server *srv, const struct hec_token *token, const char **why)
{
    for (int i = 0; i < srv->n_tokens; i++) {
        if (strcmp(srv->tokens[i].value, token->value) == 0 ||
            strcmp(srv->tokens[i].name, token->name) == 0) {
            *why = "a token with this value or name exists";
            return false;
        }
    }
    if (srv->n_tokens == HEC_MAX_TOKENS) {
        *why = "token table is full";
        return false;
    }
    srv->tokens[srv->n_tokens++] = *token;
    return true;
}

struct hec_token *hec_tokens_find(struct hec_server *srv, const char *value)
{
    for (int i = 0; i < srv->n_tokens; i++) {
        if (strcmp(srv->tokens[i].value, value) == 0) {
            return &srv->tokens[i];
        }
    }
    return NULL;
}

struct hec_token *hec_tokens_find_id(struct hec_server *srv, const char *id)
{
    for (int i = 0; i < srv->n_tokens; i++) {
        if (strcmp(srv->tokens[i].name, id) == 0) {
            return &srv->tokens[i];
        }
    }
    return hec_tokens_find(srv, id);
}

bool hec_tokens_remove(struct hec_server *srv, const char *id)
{
    struct hec_token *token = hec_tokens_find_id(srv, id);
    if (!token) {
        return false;
    }
    size_t i = (size_t)(token - srv->tokens);
    memmove(token, token + 1, ((size_t)srv->n_tokens - i - 1) * sizeof(*token));
    srv->n_tokens--;
    return true;
}

json_t *hec_tokens_to_json(const struct hec_server *srv)
{
    json_t *list = json_array();
    for (int i = 0; i < srv->n_tokens; i++) {
        const struct hec_token *t = &srv->tokens[i];
        json_t *indexes = json_array();
        for (const char *p = t->indexes; *p;) {
            p++; /* past ',' */
            size_t len = strcspn(p, ",");
            if (len) {
                json_array_append_new(indexes, json_stringn(p, len));
            }
            p += len;
        }
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:b, s:b, s:b, s:o}", "name", t->name, "value",
                                        t->value, "disabled", t->is_disabled, "ack", t->has_ack,
                                        "query_auth", t->allows_query, "indexes", indexes));
    }
    return list;
}
