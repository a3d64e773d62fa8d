/* libFuzzer target: what Splunk — or a proxy in front of it — answers is untrusted. The first
 * byte picks an HTTP status and a request size, the rest is the body. Parsing, classifying, the
 * ack answer, Retry-After, the health advice and the log excerpt must never crash, hang or
 * overrun, and their results must stay within their contracts (docs/protocol/hec.md §Responses to
 * §Retry classes). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sink/hec_int.h"
#include "util/assert.h"

#include "util/banned.h" /* last: poisons what the project does not use */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[16] = {200, 204, 303, 400, 401, 403, 404, 408,
                                  413, 415, 429, 500, 502, 503, 504, 0};

static void on_ack(void *ctx, uint64_t ack_id, bool is_indexed)
{
    (void)ack_id;
    (void)is_indexed;
    (*(size_t *)ctx)++;
}

static void check_reply(const struct sf_hec_reply *reply)
{
    SF_ASSERT(strlen(reply->text) < sizeof(reply->text));
    SF_ASSERT(reply->code >= -1);
    SF_ASSERT(reply->invalid_event >= -1);
    SF_ASSERT(reply->ack_id >= -1);
    SF_ASSERT(reply->is_json || (reply->code == -1 && reply->text[0] == '\0'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    long status = statuses[data[0] & 15];
    size_t n_events = (size_t)(data[0] >> 4); /* 0..15 */
    const uint8_t *body = data + 1;
    size_t len = size - 1;

    struct sf_hec_reply reply;
    sf_hec_reply_parse(body, len, &reply);
    check_reply(&reply);
    enum sf_hec_action action = sf_hec_classify(status, &reply, n_events ? n_events : 1);
    SF_ASSERT(action >= SF_HEC_CONFIRM && action <= SF_HEC_RETRY_SLOW);
    SF_ASSERT(sf_hec_action_name(action)[0] != '?');
    if (action == SF_HEC_SPLIT_AT) {
        SF_ASSERT(reply.invalid_event >= 0 &&
                  (size_t)reply.invalid_event < (n_events ? n_events : 1));
    }
    if (action == SF_HEC_SPLIT) { /* 413, or a per-event HEC code without a usable k */
        SF_ASSERT(n_events > 1 && (status == 413 || (reply.is_json && reply.code >= 0)));
    }
    if (action == SF_HEC_DEAD_LETTER) { /* only one event HEC refused (or alone over 413) */
        SF_ASSERT(n_events <= 1 && (status == 413 || (reply.is_json && reply.code >= 0)));
    }

    size_t n_acks = 0;
    bool is_ack = sf_hec_ack_reply_parse(body, len, on_ack, &n_acks);
    SF_ASSERT(is_ack || n_acks == 0);

    char value[64];
    size_t n = len < sizeof(value) - 1 ? len : sizeof(value) - 1;
    memcpy(value, body, n);
    value[n] = '\0';
    int64_t retry_after = sf_hec_retry_after_ms(value);
    SF_ASSERT(retry_after >= -1 && retry_after <= (int64_t)SF_HEC_RETRY_AFTER_MAX * 1000);

    char msg[256];
    enum sf_hec_health_verdict verdict = sf_hec_health_classify(
        (data[0] & 1) != 0, "splunk:8088", (data[0] & 32) ? CURLE_SSL_CONNECT_ERROR : CURLE_OK,
        value, status, body, len, msg, sizeof(msg));
    SF_ASSERT(verdict <= SF_HEC_HEALTH_OTHER && strlen(msg) < sizeof(msg));

    char excerpt[SF_HEC_BODY_EXCERPT * 2 + 1];
    sf_hec_excerpt(body, len, SF_HEC_BODY_EXCERPT, excerpt, sizeof(excerpt));
    SF_ASSERT(strlen(excerpt) < sizeof(excerpt));
    return 0;
}
