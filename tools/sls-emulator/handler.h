/* Per-request context shared by the router, the API handlers and the control plane, plus the
 * helpers that build SLS-style answers: `x-log-requestid` on everything, errors as
 * {"errorCode","errorMessage"} (docs/protocol/sls-api.md §Errors). A context lives for one
 * emu_handle() call; its strings come from |arena|. */
#ifndef EMU_HANDLER_H
#define EMU_HANDLER_H

#include <jansson.h>
#include <stdarg.h>

#include "emu.h"
#include "util/arena.h"

#define EMU_MAX_SEGMENTS 12
#define EMU_MAX_PARAMS   32

struct emu_ctx {
    struct emu_server *srv;
    const struct tc_request *req;
    struct emu_response *resp;
    struct sf_arena *arena;
    const char *raw_path;               /* as sent, NUL-terminated: what v1/v4 sign */
    const char *segs[EMU_MAX_SEGMENTS]; /* decoded path segments */
    size_t n_segs;
    struct tc_param params[EMU_MAX_PARAMS];
    size_t n_params;
    const uint8_t *body; /* request body after x-log-compresstype decompression */
    size_t body_len;
    struct emu_project *project; /* from Host, NULL on the control plane */
};

/* Splits |req->target| into raw path, decoded segments and decoded parameters.
 * False (with a 400 already set on ctx->resp) for malformed encodings. */
bool emu_ctx_parse_target(struct emu_ctx *ctx);

/* First parameter named |key|, or NULL. */
const struct tc_param *emu_ctx_param(const struct emu_ctx *ctx, const char *key);
const char *emu_ctx_param_value(const struct emu_ctx *ctx, const char *key);
/* First request header named |name| (ASCII case-insensitive), or NULL. */
const char *emu_request_header(const struct tc_request *req, const char *name);

void emu_resp_header(struct emu_response *resp, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An error answer: status, JSON body {"errorCode":code,"errorMessage":...}. */
void emu_reply_error(struct emu_response *resp, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 200 with |root| serialised compactly as application/json; steals the reference. */
void emu_reply_json(struct emu_response *resp, json_t *root);
/* 200 with an empty body (create/update/delete/checkpoint answers). */
void emu_reply_empty(struct emu_response *resp);

/* RFC 3629 UTF-8 (no overlongs, surrogates, or code points above U+10FFFF). */
bool emu_is_utf8(const uint8_t *s, size_t len);

/* Copies |len| bytes into the arena with a trailing NUL. */
char *emu_ctx_strndup(struct emu_ctx *ctx, const char *s, size_t len);

/* The API handlers (api_*.c, control.c). |ls| is resolved by the router. */
void emu_api_list_logstores(struct emu_ctx *ctx);
void emu_api_get_logstore(struct emu_ctx *ctx, struct emu_logstore *ls);
void emu_api_list_shards(struct emu_ctx *ctx, struct emu_logstore *ls);
void emu_api_shard_get(struct emu_ctx *ctx,
                       struct emu_logstore *ls,
                       const char *shard_seg,
                       enum emu_api api);
void emu_api_post_logs(struct emu_ctx *ctx, struct emu_logstore *ls, const char *route_key);
void emu_api_create_group(struct emu_ctx *ctx, struct emu_logstore *ls);
void emu_api_list_groups(struct emu_ctx *ctx, struct emu_logstore *ls);
void emu_api_update_group(struct emu_ctx *ctx, struct emu_logstore *ls, const char *cg);
void emu_api_delete_group(struct emu_ctx *ctx, struct emu_logstore *ls, const char *cg);
void emu_api_heartbeat(struct emu_ctx *ctx, struct emu_logstore *ls, const char *cg);
void emu_api_update_checkpoint(struct emu_ctx *ctx, struct emu_logstore *ls, const char *cg);
void emu_api_get_checkpoint(struct emu_ctx *ctx, struct emu_logstore *ls, const char *cg);
void emu_control_handle(struct emu_ctx *ctx);

/* Parses a JSON request body; on failure answers 400 JsonInfoInvalid and returns NULL. */
json_t *emu_ctx_json_body(struct emu_ctx *ctx);

#endif
