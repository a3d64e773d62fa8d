/* Turns a fuzz input into an HTTP request for the two test servers' request handlers:
 * "METHOD TARGET\nName: value\n...\n\nbody". Shared by fuzz_emulator_request.c and
 * fuzz_hec_request.c so both peers are fuzzed with the same input grammar. */
#ifndef SF_FUZZ_HTTP_INPUT_H
#define SF_FUZZ_HTTP_INPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/request.h"
#include "util/alloc.h"

#define FUZZ_HTTP_MAX_HEADERS 64

struct fuzz_http_input {
    char *text; /* the head, cut into NUL-terminated strings; owns method, target, headers */
    const char *method;
    const char *target;                              /* "" when absent */
    struct tc_header headers[FUZZ_HTTP_MAX_HEADERS]; /* strings point into |text| */
    size_t n_headers;
    uint8_t *body; /* heap copy at its exact size, so ASan sees any overread; NULL when empty */
    size_t body_len;
};

static inline void
fuzz_http_input_parse(const uint8_t *data, size_t size, struct fuzz_http_input *in)
{
    memset(in, 0, sizeof(*in));
    /* Split head and body at the first blank line. */
    size_t head_len = size;
    const uint8_t *body = NULL;
    for (size_t i = 0; i + 1 < head_len; i++) {
        if (data[i] == '\n' && data[i + 1] == '\n') {
            body = data + i + 2;
            in->body_len = size - i - 2;
            head_len = i;
            break;
        }
    }
    in->text = sf_xmalloc(head_len + 1);
    memcpy(in->text, data, head_len);
    in->text[head_len] = '\0';
    char *line_end = strchr(in->text, '\n');
    if (line_end) {
        *line_end = '\0';
    }
    char *target = strchr(in->text, ' ');
    if (target) {
        *target++ = '\0';
    }
    in->method = in->text;
    in->target = target ? target : "";
    for (char *line = line_end ? line_end + 1 : NULL;
         line && in->n_headers < FUZZ_HTTP_MAX_HEADERS;) {
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
            in->headers[in->n_headers++] = (struct tc_header){line, value};
        }
        line = next;
    }
    if (in->body_len) {
        in->body = sf_xmalloc(in->body_len);
        memcpy(in->body, body, in->body_len);
    }
}

static inline void fuzz_http_input_free(struct fuzz_http_input *in)
{
    free(in->body);
    free(in->text);
}

/* The start of both targets' LLVMFuzzerTestOneInput: inputs shorter than 2 bytes are skipped
 * (false); otherwise |rebuild| runs when the target's servers must be built — at the first
 * input, then every |every| inputs with |is_stale| true (clean up the old ones first), so
 * their state cannot grow without bound — and |in| gets the request after the first byte
 * (which stays the target's own: the server to use and other switches). */
static inline bool fuzz_http_begin(const uint8_t *data,
                                   size_t size,
                                   unsigned every,
                                   void (*rebuild)(bool is_stale),
                                   struct fuzz_http_input *in)
{
    static bool is_built;
    static unsigned n_inputs;
    if (size < 2) {
        return false;
    }
    if (!is_built || ++n_inputs % every == 0) {
        rebuild(is_built);
        is_built = true;
    }
    fuzz_http_input_parse(data + 1, size - 1, in);
    return true;
}

#endif
