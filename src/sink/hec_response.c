/* HEC answers → reactions. Pure functions: the normative table is
 * docs/protocol/hec.md §Retry classes, the codes §Status codes, partial acceptance
 * §Partial acceptance, the ack answer §Indexer acknowledgement. Bodies come from the network (or
 * from a proxy in front of Splunk, which answers HTML): everything is bounded and optional. */
#include <jansson.h>
#include <limits.h>
#include <string.h>

#include "sink/hec_int.h"
#include "util/str.h"

#include "util/banned.h" /* last: poisons what the project does not use */

static const char *const code_texts[] = {
    "Success",
    "Token disabled",
    "Token is required",
    "Invalid authorization",
    "Invalid token",
    "No data",
    "Invalid data format",
    "Incorrect index",
    "Internal server error",
    "Server is busy",
    "Data channel is missing",
    "Invalid data channel",
    "Event field is required",
    "Event field cannot be blank",
    "ACK is disabled",
    "Error in handling indexed fields",
    "Query string authorization is not enabled",
    "HEC is healthy",
    "HEC is unhealthy, queues are full",
    "HEC is unhealthy, ack service unavailable",
    "HEC is unhealthy, queues are full, ack service unavailable",
    "Invalid token",
    "Token disabled",
    "Server is shutting down",
    "HEC queue is approaching its capacity limit",
    "HEC ACK is approaching its capacity limit",
    "HEC queue is at capacity and cannot process any more requests",
    "HEC ACK channel is at capacity and cannot process any more requests",
};

const char *sf_hec_code_text(int code)
{
    if (code < 0 || (size_t)code >= sizeof(code_texts) / sizeof(code_texts[0])) {
        return NULL;
    }
    return code_texts[code];
}

/* A non-negative integer field: a JSON integer, or a string of digits (some HEC
 * re-implementations quote numbers). -1 when absent or anything else. */
static long long get_count(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        return n >= 0 ? (long long)n : -1;
    }
    if (json_is_string(v)) {
        long long n;
        struct sf_str s = {json_string_value(v), json_string_length(v)};
        return sf_str_to_i64(s, 0, LLONG_MAX, &n) ? n : -1;
    }
    return -1;
}

void sf_hec_reply_parse(const uint8_t *body, size_t len, struct sf_hec_reply *out)
{
    out->is_json = false;
    out->code = -1;
    out->invalid_event = -1;
    out->ack_id = -1;
    out->text[0] = '\0';
    if (len > SF_HEC_RESP_MAX) {
        len = SF_HEC_RESP_MAX;
    }
    if (len == 0) {
        return;
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)body, len, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return;
    }
    out->is_json = true;
    long long code = get_count(root, "code");
    out->code = code <= INT_MAX ? (int)code : -1;
    out->invalid_event = get_count(root, "invalid-event-number");
    out->ack_id = get_count(root, "ackId");
    json_t *text = json_object_get(root, "text");
    if (json_is_string(text)) {
        sf_str_copy(out->text, sizeof(out->text),
                    (struct sf_str){json_string_value(text), json_string_length(text)});
    }
    json_decref(root);
}

/* True when |reply| is an answer of HEC itself: a JSON object with a "code". A proxy's or WAF's
 * page (HTML, empty, or JSON of its own) is not. */
static bool is_hec_answer(const struct sf_hec_reply *reply)
{
    return reply->is_json && reply->code >= 0;
}

/* 4xx other than the statuses with a fixed meaning: the HEC code decides (docs/protocol/hec.md
 * §Status codes). Only HEC refusing events by a per-event code condemns them (issue 10 §6): a 4xx
 * HEC does not explain, or one that is not HEC's at all (a proxy's or WAF's page in front of
 * Splunk), may pass and is retried with backoff; the shard waits, nothing is dead-lettered on a
 * stranger's word. */
static enum sf_hec_action classify_4xx(const struct sf_hec_reply *reply, size_t n_events)
{
    if (!is_hec_answer(reply)) {
        return SF_HEC_RETRY;
    }
    switch (reply->code) {
    case 1:  /* token disabled */
    case 2:  /* token required */
    case 3:  /* invalid authorization */
    case 4:  /* invalid token */
    case 10: /* data channel missing: the token has useACK and we sent none (we always do) */
    case 11: /* invalid data channel */
    case 16: /* query-string authorization not enabled */
    case 21: /* health: invalid token */
    case 22: /* health: token disabled */
        return SF_HEC_PAUSE;
    case 14:
        return SF_HEC_ACK_DISABLED;
    case 6:  /* invalid data format */
    case 7:  /* incorrect index */
    case 12: /* event field required */
    case 13: /* event field blank */
    case 15: /* indexed fields */
        /* docs/protocol/hec.md §Partial acceptance: events 0..k-1 are already in Splunk's pipeline,
         * k failed, the rest were not looked at. Without a k inside the request the bad event is
         * not named: halve the request until it is alone (then it is the one HEC refused). */
        if (reply->invalid_event >= 0 && (unsigned long long)reply->invalid_event < n_events) {
            return SF_HEC_SPLIT_AT;
        }
        return n_events > 1 ? SF_HEC_SPLIT : SF_HEC_DEAD_LETTER;
    default: /* 8, 9, 18–20, 23, 26, 27 (busy, unhealthy), 5 (no data: we never send an empty
              * body, so something on the way lost it), and codes we do not know */
        return SF_HEC_RETRY;
    }
}

enum sf_hec_action sf_hec_classify(long status, const struct sf_hec_reply *reply, size_t n_events)
{
    if (status >= 200 && status <= 299) {
        return SF_HEC_CONFIRM;
    }
    if (status >= 300 && status <= 399) {
        return SF_HEC_PAUSE; /* Splunk Web or a wrong port; following it would leak the token */
    }
    switch (status) {
    case 401:
    case 403:
        /* Splunk's own refusals of the token carry a HEC code; a proxy's or WAF's do not */
        return is_hec_answer(reply) ? SF_HEC_PAUSE : SF_HEC_RETRY;
    case 404: /* not a HEC endpoint (or HEC disabled): every request would fail alike */
    case 405:
        return SF_HEC_PAUSE;
    case 408:
    case 429:
        return SF_HEC_RETRY;
    case 413:
        return n_events > 1 ? SF_HEC_SPLIT : SF_HEC_DEAD_LETTER;
    case 415:
        return SF_HEC_RETRY_SLOW;
    default:
        break;
    }
    if (status >= 400 && status <= 499) {
        return classify_4xx(reply, n_events);
    }
    /* 5xx (a 503 with invalid-event-number is resent whole, the default of docs/protocol/hec.md
     * §Partial acceptance), and anything that is not HTTP at all. */
    return SF_HEC_RETRY;
}

enum sf_hec_action sf_hec_classify_transport(CURLcode cc)
{
    switch (cc) {
    case CURLE_PEER_FAILED_VERIFICATION: /* unknown CA, name mismatch, expired */
    case CURLE_SSL_CACERT_BADFILE:       /* ca_file unreadable */
    case CURLE_SSL_CERTPROBLEM:          /* client certificate */
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_TOO_MANY_REDIRECTS:
        return SF_HEC_PAUSE;
    default:
        return SF_HEC_RETRY;
    }
}

const char *sf_hec_action_name(enum sf_hec_action action)
{
    switch (action) {
    case SF_HEC_CONFIRM:
        return "confirm";
    case SF_HEC_RETRY:
        return "retry";
    case SF_HEC_SPLIT:
        return "split";
    case SF_HEC_SPLIT_AT:
        return "split_at";
    case SF_HEC_DEAD_LETTER:
        return "dead_letter";
    case SF_HEC_PAUSE:
        return "pause";
    case SF_HEC_ACK_DISABLED:
        return "ack_disabled";
    case SF_HEC_RETRY_SLOW:
        return "retry_slow";
    }
    return "?";
}

int64_t sf_hec_retry_after_ms(const char *value)
{
    if (!value) {
        return -1;
    }
    size_t len = strlen(value);
    while (len && (value[len - 1] == ' ' || value[len - 1] == '\t' || value[len - 1] == '\r')) {
        len--;
    }
    while (len && (*value == ' ' || *value == '\t')) {
        value++;
        len--;
    }
    long long seconds;
    if (!sf_str_to_i64((struct sf_str){value, len}, 0, LLONG_MAX / 1000, &seconds)) {
        return -1; /* an HTTP-date, or junk */
    }
    if (seconds > SF_HEC_RETRY_AFTER_MAX) {
        seconds = SF_HEC_RETRY_AFTER_MAX;
    }
    return (int64_t)seconds * 1000;
}

/* "123" → 123; false for anything but 1..20 decimal digits that fit in 64 bits. */
static bool parse_ack_id(const char *key, uint64_t *out)
{
    size_t len = strlen(key);
    if (len == 0 || len > 20) {
        return false;
    }
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (key[i] < '0' || key[i] > '9') {
            return false;
        }
        uint64_t digit = (uint64_t)(key[i] - '0');
        if (n > (UINT64_MAX - digit) / 10) {
            return false;
        }
        n = n * 10 + digit;
    }
    *out = n;
    return true;
}

bool sf_hec_ack_reply_parse(const uint8_t *body, size_t len, sf_hec_ack_fn fn, void *ctx)
{
    if (len == 0 || len > SF_HEC_ACK_RESP_MAX) {
        return false;
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)body, len, 0, &jerr);
    json_t *acks = json_object_get(root, "acks"); /* NULL-safe */
    bool is_ok = json_is_object(acks);
    if (is_ok) {
        const char *key;
        json_t *value;
        json_object_foreach(acks, key, value)
        {
            uint64_t ack_id;
            if (parse_ack_id(key, &ack_id)) {
                fn(ctx, ack_id, json_is_true(value));
            }
        }
    }
    json_decref(root);
    return is_ok;
}

void sf_hec_excerpt(const uint8_t *data, size_t len, size_t max, char *out, size_t out_size)
{
    size_t o = 0;
    if (out_size == 0) {
        return;
    }
    for (size_t i = 0; i < len && i < max && o + 3 < out_size; i++) {
        char c = (char)data[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
        }
        out[o++] = c == '\0' ? ' ' : c;
    }
    out[o] = '\0';
}
