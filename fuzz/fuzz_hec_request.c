/* Fuzzes the HEC receiver's request handling (hec_handle) with no sockets: arbitrary method,
 * target, headers and body, against a normal server (recording to /dev/null) and a
 * --count-only one. Input format, chosen so seeds stay readable:
 *   byte 0      bit 0: the --count-only server; bit 1: the HTTP layer saw a body over the limit
 *   then        "METHOD TARGET\nName: value\n...\n\nBODY"  (the body may be binary, e.g. gzip)
 * Tokens: "T" (plain), "A" (useACK), "Q" (query auth), "D" (disabled); indexes main, cloud.
 * Properties: never crash, hang or leak; every answer that is not a reset has an HTTP status;
 * every JSON answer parses; every HEC endpoint error is {"text":string,"code":int}; per-event
 * refusals (codes 6, 7, 12, 13, 15) on /event carry invalid-event-number. */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_http_input.h"
#include "hec.h"
#include "util/alloc.h"

#include "util/banned.h"

#define REBUILD_EVERY 4096 /* fresh servers now and then, so state cannot grow without bound */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hec_server servers[2];
static int devnull = -1;

static void build(struct hec_server *srv, bool is_count_only)
{
    static const struct hec_token tokens[] = {
        {.value = "T", .name = "t"},
        {.value = "A", .name = "a", .has_ack = true},
        {.value = "Q", .name = "q", .allows_query = true},
        {.value = "D", .name = "d", .is_disabled = true},
    };
    if (devnull < 0) {
        devnull = open("/dev/null", O_WRONLY);
    }
    struct hec_server_options opts = {
        .tokens = tokens,
        .n_tokens = sizeof(tokens) / sizeof(tokens[0]),
        .index_allow = "main,cloud",
        .is_count_only = is_count_only,
        .max_content_length = 1 << 20,
        .max_event_size = 1 << 16,
        .ack_max_pending = 1000,
        .ack_max_channels = 1000,
        .ack_idle_ms = 600000,
        .out_fd = devnull,
        .seed = 1,
    };
    hec_server_init(srv, &opts);
}

static bool is_hec_endpoint(enum hec_endpoint ep)
{
    return ep != HEC_EP_CONTROL;
}

static void check_response(const struct hec_response *resp)
{
    if (resp->action != HEC_ACTION_NONE) {
        return;
    }
    if (resp->status < 100 || resp->status > 599) {
        abort();
    }
    if (!resp->content_type || !strstr(resp->content_type, "json")) {
        return;
    }
    json_error_t error;
    json_t *root = json_loadb(resp->body, resp->body_len, JSON_DECODE_ANY, &error);
    if (!root) {
        abort();
    }
    bool is_ack_answer = resp->endpoint == HEC_EP_ACK && resp->status == 200;
    if (is_hec_endpoint(resp->endpoint) && !is_ack_answer &&
        (!json_is_string(json_object_get(root, "text")) ||
         !json_is_integer(json_object_get(root, "code")))) {
        abort();
    }
    if (is_ack_answer && !json_is_object(json_object_get(root, "acks"))) {
        abort();
    }
    int code = resp->code;
    bool is_per_event = code == 6 || code == 7 || code == 12 || code == 13 || code == 15;
    if (resp->endpoint == HEC_EP_EVENT && resp->status == 400 && is_per_event &&
        !json_is_integer(json_object_get(root, "invalid-event-number"))) {
        abort();
    }
    json_decref(root);
}

static void rebuild(bool is_stale)
{
    if (is_stale) {
        hec_server_cleanup(&servers[0]);
        hec_server_cleanup(&servers[1]);
    }
    build(&servers[0], false);
    build(&servers[1], true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_http_input in;
    if (!fuzz_http_begin(data, size, REBUILD_EVERY, rebuild, &in)) {
        return 0;
    }
    struct hec_server *srv = &servers[data[0] & 1];
    bool is_too_large = (data[0] & 2) != 0;

    struct tc_request req = {
        .method = in.method,
        .target = in.target,
        .headers = in.headers,
        .n_headers = in.n_headers,
        .body = in.body,
        .body_len = is_too_large ? 0 : in.body_len,
        .is_body_too_large = is_too_large,
        .wire_len = in.body_len,
    };
    struct hec_response resp;
    hec_handle(srv, &req, &resp);
    check_response(&resp);
    if (getenv("HEC_FUZZ_VERBOSE")) { /* for curating seeds: what did each input reach? */
        fprintf(stderr, "%s %.80s -> %d %s %.*s\n", req.method, req.target, resp.status,
                hec_endpoint_name(resp.endpoint),
                resp.body ? (int)(resp.body_len > 200 ? 200 : resp.body_len) : 0,
                resp.body ? resp.body : "");
    }
    hec_response_cleanup(&resp);
    fuzz_http_input_free(&in);
    return 0;
}
