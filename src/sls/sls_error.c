#include "sls/sls_error.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "util/str.h"

#include "util/banned.h"

struct code_row {
    const char *code;
    sf_err err;
};

/* docs/protocol/sls-api.md §Error reactions, code by code. HTTP status alone decides only when the
 * code is unknown. */
static const struct code_row code_table[] = {
    {"RequestTimeTooSkewed", SF_ERR_CLOCK},
    {"RequestTimeExpired", SF_ERR_CLOCK},
    {"MissingDate", SF_ERR_CLIENT_BUG},
    {"InvalidDateFormat", SF_ERR_CLIENT_BUG},
    {"MissingAPIVersion", SF_ERR_CLIENT_BUG},
    {"InvalidAPIVersion", SF_ERR_CLIENT_BUG},
    {"MissingSignatureMethod", SF_ERR_CLIENT_BUG},
    {"InvalidSignatureMethod", SF_ERR_CLIENT_BUG},
    {"MissAccessKeyId", SF_ERR_CLIENT_BUG},
    {"MissingContentType", SF_ERR_CLIENT_BUG},
    {"MissingBodyRawSize", SF_ERR_CLIENT_BUG},
    {"InvalidBodyRawSize", SF_ERR_CLIENT_BUG},
    {"InvalidCompressType", SF_ERR_CLIENT_BUG},
    {"MissingHost", SF_ERR_CLIENT_BUG},
    {"JsonInfoInvalid", SF_ERR_CLIENT_BUG},
    {"PostBodyInvalid", SF_ERR_CLIENT_BUG},
    {"MissingContentLength", SF_ERR_CLIENT_BUG},
    {"InvalidContentType", SF_ERR_CLIENT_BUG},
    {"SignatureNotMatch", SF_ERR_AUTH},
    {"InvalidAccessKeyId", SF_ERR_AUTH},
    {"ReadQuotaExceed", SF_ERR_THROTTLED},
    {"ShardReadQuotaExceed", SF_ERR_THROTTLED},
    {"ProjectNotExist", SF_ERR_NOT_FOUND},
    {"ProjectNotExists", SF_ERR_NOT_FOUND},
    {"LogStoreNotExist", SF_ERR_NOT_FOUND},
    {"ConsumerGroupNotExist", SF_ERR_SLS_GROUP_GONE},
    {"ConsumerGroupAlreadyExist", SF_ERR_SLS_GROUP_EXISTS},
    {"ConsumerGroupQuotaExceed", SF_ERR_SLS_GROUP_QUOTA},
    {"NotExistConsumerWithBody", SF_ERR_SLS_CONSUMER_GONE},
    {"ConsumerNotExist", SF_ERR_SLS_CONSUMER_GONE},
    {"ConsumerNotExsit", SF_ERR_SLS_CONSUMER_GONE},
    {"ConsumerNotMatch", SF_ERR_SLS_NOT_OWNER},
    {"ShardNotExist", SF_ERR_SLS_SHARD_GONE},
    {"ShardNotExsit", SF_ERR_SLS_SHARD_GONE},
    {"InvalidShardCheckPoint", SF_ERR_SLS_BAD_CHECKPOINT},
    {"LogStoreWithoutShard", SF_ERR_SLS_NO_SHARDS},
    /* 405 on a consumer-group path: the group name is invalid or was never created
     * (aliyun-log-go-sdk#77). A human has to fix the configuration. */
    {"InvalidMethod", SF_ERR_CONFIG},
    {"InternalServerError", SF_ERR_HTTP_RETRY},
    {"ServerBusy", SF_ERR_HTTP_RETRY},
    {"RequestTimeout", SF_ERR_HTTP_RETRY},
};

static bool contains_nocase(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = haystack; *p; p++) {
        if (strncasecmp(p, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

static sf_err classify_unauthorized(const char *message)
{
    /* "The security token you provided is invalid/has expired": refresh STS credentials.
     * Other 401 Unauthorized (RAM policy, disabled key) need a human. */
    if (contains_nocase(message, "token") &&
        (contains_nocase(message, "expire") || contains_nocase(message, "invalid"))) {
        return SF_ERR_AUTH_EXPIRED;
    }
    return SF_ERR_AUTH;
}

static sf_err classify_by_status(long status)
{
    if (status == 429 || status == 408 || status >= 500) {
        return SF_ERR_HTTP_RETRY;
    }
    if (status == 401 || status == 403) {
        return SF_ERR_AUTH;
    }
    if (status == 411 || status == 415) {
        return SF_ERR_CLIENT_BUG;
    }
    return SF_ERR_HTTP_REJECT;
}

sf_err sf_sls_error_classify(long http_status, const char *code, const char *message)
{
    code = code ? code : "";
    message = message ? message : "";
    /* Only the InvalidCursor code makes the coord skip to the oldest retained data. A
     * ParameterInvalid that mentions a cursor (a bad end_cursor, a client bug, an old
     * server's wording) is not proof that data expired: skipping on it could lose data, so
     * it is a client bug that a human looks at. */
    if (strcasecmp(code, "InvalidCursor") == 0) {
        return SF_ERR_SLS_CURSOR;
    }
    if (strcasecmp(code, "ParameterInvalid") == 0) {
        return SF_ERR_CLIENT_BUG;
    }
    if (strcasecmp(code, "Unauthorized") == 0) {
        return classify_unauthorized(message);
    }
    if (contains_nocase(code, "SecurityToken")) {
        return SF_ERR_AUTH_EXPIRED;
    }
    for (size_t i = 0; i < sizeof(code_table) / sizeof(code_table[0]); i++) {
        if (strcasecmp(code, code_table[i].code) == 0) {
            return code_table[i].err;
        }
    }
    return classify_by_status(http_status);
}

/* Keeps a printable excerpt of a body that is not the JSON error form (a proxy's page). */
static void body_excerpt(const uint8_t *body, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < size; i++) {
        unsigned char c = body[i];
        out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : ' ';
    }
    out[o] = '\0';
}

sf_err
sf_sls_error_parse(long http_status, const uint8_t *body, size_t len, struct sf_sls_error *detail)
{
    detail->http_status = http_status;
    detail->code[0] = '\0';
    detail->message[0] = '\0';
    json_error_t jerr;
    json_t *root = len ? json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    const char *code = root ? json_string_value(json_object_get(root, "errorCode")) : NULL;
    const char *message = root ? json_string_value(json_object_get(root, "errorMessage")) : NULL;
    if (code) {
        sf_str_copy(detail->code, sizeof(detail->code), sf_str_from(code));
        sf_str_copy(detail->message, sizeof(detail->message), sf_str_from(message ? message : ""));
    } else {
        body_excerpt(body, len, detail->message, sizeof(detail->message));
    }
    json_decref(root);
    /* A non-JSON body comes from a proxy or load balancer, not from SLS: only the status
     * tells (docs/protocol/sls-api.md §Errors: 5xx transient, anything else needs a look at the
     * logged body). */
    return sf_sls_error_classify(http_status, detail->code, detail->message);
}

const char *
sf_sls_error_format(const struct sf_sls_error *detail, sf_err err, char *buf, size_t size)
{
    int n = snprintf(buf, size, "api=%s project=%s logstore=%s", detail->api ? detail->api : "?",
                     detail->project[0] ? detail->project : "-",
                     detail->logstore[0] ? detail->logstore : "-");
    if (n >= 0 && (size_t)n < size && detail->shard >= 0) {
        n += snprintf(buf + n, size - (size_t)n, " shard=%d", detail->shard);
    }
    /* The message comes from the network: keep it inside its quotes. */
    char message[sizeof(detail->message)];
    size_t i = 0;
    for (; detail->message[i] && i + 1 < sizeof(message); i++) {
        char c = detail->message[i];
        message[i] = (c == '"' || c == '\\') ? '\'' : c;
    }
    message[i] = '\0';
    if (n >= 0 && (size_t)n < size) {
        snprintf(buf + n, size - (size_t)n,
                 " status=%ld code=%s request_id=%s class=%s error=\"%s\" message=\"%s\"",
                 detail->http_status, detail->code[0] ? detail->code : "-",
                 detail->request_id[0] ? detail->request_id : "-",
                 sf_errclass_name(sf_err_class(err)), sf_err_str(err), message);
    }
    return buf;
}

bool sf_sls_error_is_query(const struct sf_sls_error *detail, sf_err err)
{
    /* Known codes map to their own errors; ParameterInvalid (what the query API answers for
     * a statement that does not parse) is a client bug, an unknown 400 code a rejection. */
    return detail->http_status == 400 && (err == SF_ERR_CLIENT_BUG || err == SF_ERR_HTTP_REJECT);
}

/* The statement as one quoted logfmt value: quotes and backslashes become ', line breaks \n
 * and tabs a space, so the line stays one line. */
static size_t quote_query(const char *query, char *out, size_t size)
{
    enum { MAX_SHOWN = 200 };
    size_t o = 0;
    size_t i = 0;
    for (; query[i] && i < MAX_SHOWN && o + 3 < size; i++) {
        char c = query[i];
        if (c == '\n' || c == '\r') {
            out[o++] = '\\';
            out[o++] = c == '\n' ? 'n' : 'r';
        } else {
            out[o++] = (c == '"' || c == '\\') ? '\'' : (c == '\t' ? ' ' : c);
        }
    }
    if (query[i] && o + 4 < size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return o;
}

const char *sf_sls_query_error_format(const char *source,
                                      const char *query,
                                      const struct sf_sls_error *detail,
                                      sf_err err,
                                      char *buf,
                                      size_t size)
{
    char quoted[440];
    quote_query(query ? query : "", quoted, sizeof(quoted));
    int n = snprintf(buf, size, "source=%s query=\"%s\" ", source, quoted);
    if (n >= 0 && (size_t)n < size) {
        sf_sls_error_format(detail, err, buf + n, size - (size_t)n);
    }
    return buf;
}
