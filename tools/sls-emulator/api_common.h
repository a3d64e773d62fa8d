/* Helpers shared by the API handlers. Functions taking a shard or logstore need srv->lock. */
#ifndef EMU_API_COMMON_H
#define EMU_API_COMMON_H

#include "handler.h"

/* Shard |seg| of |ls|; NULL after answering 400 ParameterInvalid / ShardNotExist. */
struct emu_shard *
emu_api_shard_lookup(struct emu_ctx *ctx, struct emu_logstore *ls, const char *seg);
/* Decodes |cursor| and checks it lies in [begin, end] of |shard|; else answers 400
 * InvalidCursor (also for data dropped by retention). */
bool emu_api_cursor_seq(struct emu_ctx *ctx,
                        const struct emu_shard *shard,
                        const char *cursor,
                        int64_t *seq);
void emu_api_pull_logs(struct emu_ctx *ctx, struct emu_logstore *ls, const char *shard_seg);
/* Answers 415 InvalidContentType unless the Content-Type's media type is |type|. */
bool emu_api_require_type(struct emu_ctx *ctx, const char *type);

#endif
