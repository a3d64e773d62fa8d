/* A documented subset of SLS SPL (README "SPL on PullLogs"): what PullLogs applies when a
 * consumer sends `query`. A statement is parsed once per request into an immutable
 * struct emu_spl, then run over each log of the pulled LogGroups. Grammar, semantics and
 * what is refused are in the README; the parser refuses, never ignores, anything outside the
 * subset. Thread-safety: a parsed statement holds compiled regexes, so run it from one
 * thread at a time (each PullLogs request parses its own). */
#ifndef EMU_SPL_H
#define EMU_SPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

#define EMU_SPL_MAX_LEN    10240 /* bytes: the real-time consumption limit of the SPL docs */
#define EMU_SPL_MAX_STAGES 16    /* pipeline levels, same source */

struct emu_spl;

enum emu_spl_error {
    EMU_SPL_OK,
    EMU_SPL_SYNTAX,      /* not SPL at all (the service would refuse it too) */
    EMU_SPL_UNSUPPORTED, /* SPL, but outside the emulator's subset */
};

/* Parses |len| bytes of |text|. NULL on failure, with |*kind| set and a one-line reason in
 * |err| (for the errorMessage of a 400 ParameterInvalid). The caller owns the result. */
struct emu_spl *
emu_spl_parse(const char *text, size_t len, enum emu_spl_error *kind, char *err, size_t err_size);
void emu_spl_free(struct emu_spl *spl);

/* One key/value pair: a content field of a log, or a LogGroup tag. Borrowed bytes. */
struct emu_spl_kv {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
};

/* What a log sees of its LogGroup: readable as __topic__, __source__, __tag__:<key>. */
struct emu_spl_group {
    const uint8_t *topic; /* NULL when the LogGroup has none */
    size_t topic_len;
    const uint8_t *source;
    size_t source_len;
    const struct emu_spl_kv *tags;
    size_t n_tags;
};

/* One log as the statement sees and changes it. |fields| are its contents in order;
 * emu_spl_run replaces the array (from its arena) when instructions change it, and the
 * values it points at stay borrowed from the input or from the statement's constants. */
struct emu_spl_row {
    struct emu_spl_kv *fields;
    size_t n_fields;
    uint32_t time;    /* __time__ */
    uint32_t time_ns; /* __time_ns_part__ */
    bool has_time_ns; /* else __time_ns_part__ is null */
    const struct emu_spl_group *group;
};

/* Runs |spl| over |row|. False when a `where` drops the log; true with |row->fields| the
 * output contents. Temporary values come from |arena| (reset it per LogGroup or request). */
bool emu_spl_run(const struct emu_spl *spl, struct emu_spl_row *row, struct sf_arena *arena);

#endif
