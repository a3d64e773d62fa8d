/* Several HEC endpoints (output.hec.urls; docs/internals/sink.md "Several endpoints"): which
 * endpoint gets the next request — the healthy one with the fewest requests on the wire, ties
 * in turn — and the take-out state machine of hec_int.h: a failing endpoint is taken out,
 * its health endpoint probed after a doubling wait, and it is put back once it answers
 * healthy. Pure bookkeeping: the sink thread (hec_sink.c, hec_react.c) does the I/O. */
#include "sink/hec_int.h"

#include "util/banned.h" /* last: poisons what the project does not use */

void sf_hec_ep_health_init(struct sf_hec_ep_health *h, int64_t probe_max_ms)
{
    *h = (struct sf_hec_ep_health){.phase = SF_HEC_EP_UP};
    sf_backoff_init(&h->backoff, SF_HEC_PROBE_BASE_MS,
                    probe_max_ms > SF_HEC_PROBE_BASE_MS ? probe_max_ms : SF_HEC_PROBE_BASE_MS);
}

int sf_hec_ep_choose(const struct sf_hec_endpoint *eps, size_t n, int max_out, size_t *rr)
{
    int best = -1;
    for (size_t k = 1; k <= n; k++) {
        size_t i = (*rr + k) % n;
        const struct sf_hec_ep_health *h = &eps[i].health;
        if (h->phase != SF_HEC_EP_UP || h->n_out >= max_out) {
            continue;
        }
        if (best < 0 || h->n_out < eps[best].health.n_out) {
            best = (int)i;
        }
    }
    if (best >= 0) {
        *rr = (size_t)best;
    }
    return best;
}

bool sf_hec_ep_take_out(struct sf_hec_ep_health *h, int64_t now_ms, int64_t retry_after_ms)
{
    if (h->phase != SF_HEC_EP_UP) {
        return false;
    }
    /* [d/2, d] jitter: the probe is one GET, and a dead indexer should not be asked at once */
    int64_t delay = sf_backoff_next_ms(&h->backoff);
    h->phase = SF_HEC_EP_OUT;
    h->out_ms = now_ms;
    h->probe_ms = now_ms + (retry_after_ms > delay ? retry_after_ms : delay);
    return true;
}

bool sf_hec_ep_probe_due(const struct sf_hec_ep_health *h, int64_t now_ms, int64_t *wake_ms)
{
    if (h->phase != SF_HEC_EP_OUT) {
        return false;
    }
    if (now_ms >= h->probe_ms) {
        return true;
    }
    if (h->probe_ms < *wake_ms) {
        *wake_ms = h->probe_ms;
    }
    return false;
}

void sf_hec_ep_probing(struct sf_hec_ep_health *h)
{
    h->phase = SF_HEC_EP_PROBING;
}

bool sf_hec_ep_probe_done(struct sf_hec_ep_health *h, bool is_up, int64_t now_ms)
{
    if (is_up) {
        /* The backoff stays where it is until a request is confirmed there: an endpoint that
         * answers health but fails every request is probed less and less often. */
        h->phase = SF_HEC_EP_UP;
        return true;
    }
    h->phase = SF_HEC_EP_OUT;
    h->probe_ms = now_ms + sf_backoff_next_ms(&h->backoff);
    return false;
}

void sf_hec_ep_success(struct sf_hec_ep_health *h)
{
    sf_backoff_reset(&h->backoff);
}

bool sf_hec_ep_verdict_is_up(enum sf_hec_health_verdict verdict)
{
    switch (verdict) {
    case SF_HEC_HEALTH_OK:
    case SF_HEC_HEALTH_TOKEN:
    case SF_HEC_HEALTH_NOT_HEC:
    case SF_HEC_HEALTH_TLS_PLAIN:
    case SF_HEC_HEALTH_TLS_UNTRUSTED:
    case SF_HEC_HEALTH_TLS_NAME:
    case SF_HEC_HEALTH_TLS_OTHER:
        return true;
    default:
        return false;
    }
}
