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

#include "hec.h"
#include "util/alloc.h"

#include "util/banned.h"

#define MAX_HEADERS   64
#define REBUILD_EVERY 4096 /* fresh servers now and then, so state cannot grow without bound */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hec_server servers[2];
static bool has_servers;
static unsigned n_inputs;
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    if (has_servers && ++n_inputs % REBUILD_EVERY == 0) {
        hec_server_cleanup(&servers[0]);
        hec_server_cleanup(&servers[1]);
        has_servers = false;
    }
    if (!has_servers) {
        build(&servers[0], false);
        build(&servers[1], true);
        has_servers = true;
    }
    struct hec_server *srv = &servers[data[0] & 1];
    bool is_too_large = (data[0] & 2) != 0;

    /* Split head and body at the first blank line; copy the head so it can be cut into
     * NUL-terminated strings. */
    const uint8_t *head = data + 1;
    size_t head_len = size - 1;
    const uint8_t *body = NULL;
    size_t body_len = 0;
    for (size_t i = 0; i + 1 < head_len; i++) {
        if (head[i] == '\n' && head[i + 1] == '\n') {
            body = head + i + 2;
            body_len = head_len - i - 2;
            head_len = i;
            break;
        }
    }
    char *text = sf_xmalloc(head_len + 1);
    memcpy(text, head, head_len);
    text[head_len] = '\0';

    struct hec_header headers[MAX_HEADERS];
    size_t n_headers = 0;
    char *line_end = strchr(text, '\n');
    if (line_end) {
        *line_end = '\0';
    }
    char *target = strchr(text, ' ');
    if (target) {
        *target++ = '\0';
    }
    for (char *line = line_end ? line_end + 1 : NULL; line && n_headers < MAX_HEADERS;) {
        char *next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            char *value = colon + 1;
            while (*value == ' ') {
                value++;
            }
            headers[n_headers++] = (struct hec_header){line, value};
        }
        line = next;
    }
    /* Heap copy of the body at its exact size, so ASan sees any overread. */
    uint8_t *body_copy = body_len ? sf_xmalloc(body_len) : NULL;
    if (body_len) {
        memcpy(body_copy, body, body_len);
    }
    struct hec_request req = {
        .method = text,
        .target = target ? target : "",
        .headers = headers,
        .n_headers = n_headers,
        .body = body_copy,
        .body_len = is_too_large ? 0 : body_len,
        .is_body_too_large = is_too_large,
        .wire_len = body_len,
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
    free(body_copy);
    free(text);
    return 0;
}
