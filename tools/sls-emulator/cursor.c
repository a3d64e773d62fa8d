#include "cursor.h"

#include <stdio.h>
#include <string.h>

#include "util/encode.h"

#include "util/banned.h"

void emu_cursor_encode(int64_t seq, char *out)
{
    char digits[24];
    int n = snprintf(digits, sizeof(digits), "%lld", (long long)seq);
    sf_base64_encode((const uint8_t *)digits, (size_t)n, out);
}

bool emu_cursor_decode(const char *cursor, int64_t *seq)
{
    size_t len = strlen(cursor);
    if (len == 0 || len > EMU_CURSOR_MAX) {
        return false;
    }
    uint8_t raw[EMU_CURSOR_MAX];
    size_t raw_len = 0;
    if (!sf_base64_decode(cursor, len, raw, &raw_len) || raw_len == 0 || raw_len > 19) {
        return false;
    }
    if (raw[0] == '0' && raw_len > 1) {
        return false; /* one spelling per position, so equal cursors are equal strings */
    }
    uint64_t v = 0;
    for (size_t i = 0; i < raw_len; i++) {
        if (raw[i] < '0' || raw[i] > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(raw[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX) {
        return false;
    }
    *seq = (int64_t)v;
    return true;
}
