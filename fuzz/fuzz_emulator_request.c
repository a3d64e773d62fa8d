/* Fuzzes the SLS emulator's request handling (emu_handle) with no sockets: arbitrary method,
 * target, headers and body. Input format, chosen so seeds stay readable:
 *   byte 0      bit 0 set: the server that checks signatures; clear: the --no-auth one
 *   then        "METHOD TARGET\nName: value\n...\n\nBODY"  (the body may be binary)
 * In the target, "$B" and "$E" stand for the begin and end cursors of shard 0 of logstore
 * "l" (percent-encoded), so mutations reach past cursor validation into PullLogs.
 * Properties: never crash or leak; every answer carries x-log-requestid; every error answer
 * is a JSON object with a string errorCode (docs/protocol/sls-api.md §Errors). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "emu.h"
#include "fuzz_http_input.h"
#include "generate.h"
#include "store.h"
#include "util/alloc.h"

#include "util/banned.h"

#define REBUILD_EVERY 4096 /* fresh servers now and then, so state cannot grow without bound */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct emu_server servers[2];

static void build(struct emu_server *srv, bool is_no_auth)
{
    static const struct emu_key key = {"AK", "SK", NULL};
    struct emu_server_options opts = {
        .keys = &key,
        .n_keys = 1,
        .is_no_auth = is_no_auth,
        .cache_bytes = 8u << 20,
        .max_generate = 500,
        .seed = 1,
    };
    const char *why = NULL;
    emu_server_init(srv, &opts);
    struct emu_project *project = emu_store_add_project(srv, "p", &why);
    struct emu_logstore *logs = emu_store_add_logstore(srv, project, "l", 2, &why);
    struct emu_logstore *trail = emu_store_add_logstore(srv, project, "t", 1, &why);
    emu_generate(srv, logs, EMU_GEN_NGINX, 300, 60, -1);
    emu_generate(srv, trail, EMU_GEN_ACTIONTRAIL, 40, 60, -1);
}

/* Copies |target| with $B / $E replaced by real cursors of p/l/0. */
static char *expand_target(struct emu_server *srv, const char *target)
{
    char begin[EMU_CURSOR_MAX + 1], end[EMU_CURSOR_MAX + 1];
    pthread_mutex_lock(&srv->lock);
    struct emu_shard *shard = srv->projects[0]->logstores[0]->shards[0];
    emu_cursor_encode(shard->first_seq, begin);
    emu_cursor_encode(emu_shard_end_seq(shard), end);
    pthread_mutex_unlock(&srv->lock);
    size_t len = strlen(target);
    char *out = sf_xmalloc(len * 40 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (target[i] == '$' && (target[i + 1] == 'B' || target[i + 1] == 'E')) {
            const char *cursor = target[i + 1] == 'B' ? begin : end;
            for (const char *c = cursor; *c; c++) {
                o += (size_t)(*c == '=' ? snprintf(out + o, 4, "%%3D")
                                        : snprintf(out + o, 2, "%c", *c));
            }
            i++;
        } else {
            out[o++] = target[i];
        }
    }
    out[o] = '\0';
    return out;
}

static void check_response(const struct emu_response *resp)
{
    if (!emu_response_header(resp, "x-log-requestid")) {
        abort();
    }
    if (resp->status == 200 || resp->action == EMU_ACTION_DROP) {
        return;
    }
    json_t *root =
        resp->body ? json_loadb((const char *)resp->body->data, resp->body->len, 0, NULL) : NULL;
    if (!root || !json_is_string(json_object_get(root, "errorCode"))) {
        abort();
    }
    json_decref(root);
}

static void rebuild(bool is_stale)
{
    if (is_stale) {
        emu_server_cleanup(&servers[0]);
        emu_server_cleanup(&servers[1]);
    }
    build(&servers[0], true);
    build(&servers[1], false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_http_input in;
    if (!fuzz_http_begin(data, size, REBUILD_EVERY, rebuild, &in)) {
        return 0;
    }
    struct emu_server *srv = &servers[data[0] & 1];

    char *expanded = expand_target(srv, in.target);
    struct tc_request req = {
        .method = in.method,
        .target = expanded,
        .headers = in.headers,
        .n_headers = in.n_headers,
        .body = in.body,
        .body_len = in.body_len,
    };
    struct emu_response resp;
    emu_handle(srv, &req, &resp);
    check_response(&resp);
    if (getenv("EMU_FUZZ_VERBOSE")) { /* for curating seeds: what did each input reach? */
        fprintf(stderr, "%s %.80s -> %d %s %.*s\n", req.method, req.target, resp.status,
                emu_api_name(resp.api),
                resp.body ? (int)(resp.body->len > 200 ? 200 : resp.body->len) : 0,
                resp.body ? (const char *)resp.body->data : "");
    }
    emu_response_cleanup(&resp);
    free(expanded);
    fuzz_http_input_free(&in);
    return 0;
}
