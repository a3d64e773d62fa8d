/* A tiny protobuf writer for hand-built test inputs: fields are appended in the order written,
 * so tests can produce out-of-order, unknown, duplicate and malformed fields on purpose. */
#ifndef SF_TEST_PBW_H
#define SF_TEST_PBW_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct pbw {
    uint8_t buf[8192];
    size_t len;
};

static inline void pbw_byte(struct pbw *w, uint8_t b)
{
    if (w->len >= sizeof(w->buf)) {
        abort(); /* a test wrote more than it should */
    }
    w->buf[w->len++] = b;
}

static inline void pbw_raw(struct pbw *w, const void *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        pbw_byte(w, ((const uint8_t *)data)[i]);
    }
}

static inline void pbw_varint(struct pbw *w, uint64_t v)
{
    while (v >= 0x80) {
        pbw_byte(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    pbw_byte(w, (uint8_t)v);
}

static inline void pbw_tag(struct pbw *w, uint32_t field, uint32_t wire)
{
    pbw_varint(w, (uint64_t)field << 3 | wire);
}

static inline void pbw_uint(struct pbw *w, uint32_t field, uint64_t v)
{
    pbw_tag(w, field, 0);
    pbw_varint(w, v);
}

static inline void pbw_fixed32(struct pbw *w, uint32_t field, uint32_t v)
{
    pbw_tag(w, field, 5);
    for (int i = 0; i < 4; i++) {
        pbw_byte(w, (uint8_t)(v >> (8 * i)));
    }
}

static inline void pbw_fixed64(struct pbw *w, uint32_t field, uint64_t v)
{
    pbw_tag(w, field, 1);
    for (int i = 0; i < 8; i++) {
        pbw_byte(w, (uint8_t)(v >> (8 * i)));
    }
}

static inline void pbw_bytes(struct pbw *w, uint32_t field, const void *data, size_t len)
{
    pbw_tag(w, field, 2);
    pbw_varint(w, len);
    pbw_raw(w, data, len);
}

static inline void pbw_str(struct pbw *w, uint32_t field, const char *s)
{
    pbw_bytes(w, field, s, strlen(s));
}

static inline void pbw_msg(struct pbw *w, uint32_t field, const struct pbw *inner)
{
    pbw_bytes(w, field, inner->buf, inner->len);
}

/* Content{Key, Value} or LogTag{Key, Value}, in wire order Key then Value. */
static inline void pbw_kv(struct pbw *w, uint32_t field, const char *key, const char *value)
{
    struct pbw kv = {.len = 0};
    pbw_str(&kv, 1, key);
    pbw_str(&kv, 2, value);
    pbw_msg(w, field, &kv);
}

#endif
