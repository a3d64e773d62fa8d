/* The body of json_blocks.c's block-at-a-time validator, compiled once per instruction set:
 * json_blocks.c includes it with BLOCKS_FN (the function's name), BLOCKS_TARGET (its target
 * attribute), BLOCKS_MASKS and BLOCKS_HIGH (struct block_masks and the bytes 0x80 and up of
 * one 64-byte block) defined. Not a header of its own: no include guard, no other user. */

/* The common case of sf_json_check_copy: compact JSON (no whitespace between tokens) without
 * escapes, where the token after each token is the next byte (after a string: the byte after its
 * closing quote; after a number or literal: the byte after its run). Each 64-byte block is
 * classified at once: which bytes lie in strings (the parity of the quotes before them), which
 * strings are keys (those after '{' or an object's ','), and what each token allows next
 * (RFC 8259 §2, §4, §5), all as bit masks. Only brackets (the stack, and which container each
 * ',' is in), numbers and literals (their grammar) and non-ASCII bytes (UTF-8) are visited one by
 * one, and an ActionTrail event has few of them. String contents need no walk: with no
 * backslash, every quote opens or closes one, and control bytes were found as a mask.
 * Returns true only for text sf_json_check accepts, whole (nothing to trim); false means "not
 * decided here": invalid, or whitespace, escapes, empty. Reads whole blocks only while they lie
 * before |readable_end|, the last partial one through a copy; writes only [d, d + len). */
BLOCKS_TARGET static bool
BLOCKS_FN(uint8_t *d, const uint8_t *s, size_t len, unsigned max_depth, const uint8_t *readable_end)
{
    const uint8_t *end = s + len;
    uint64_t is_object[SF_JSON_DEPTH_LIMIT / 64] = {0};
    unsigned depth = 0;
    /* The innermost open container: 0 none (top level), 1 array, 2 object. */
    unsigned ctx = 0;
    struct block_carry carry = {.need_value = 1}; /* the text starts where a value must */
    const uint8_t *utf8_done = s;                 /* the UTF-8 sequences checked so far end here */
    uint8_t tail[64];

    if (len == 0) {
        return false;
    }
    for (size_t off = 0; off < len; off += 64) {
        const uint8_t *p = s + off;
        size_t left = len - off;
        const uint8_t *src = p;
        uint64_t valid = ~0ull;
        uint64_t end_bit = 0; /* the position just past the text, when in this block */
        if (left < 64) {
            valid = (1ull << left) - 1;
            end_bit = 1ull << left;
            if (readable_end - p < 64) {
                memcpy(tail, p, left);
                memset(tail + left, ' ', 64 - left);
                src = tail;
            }
        }
        struct block_masks m;
        BLOCKS_MASKS(src, &m);
        if (d) {
            if (left >= 64) {
                memcpy(d + off, p, 64);
            } else {
                copy_short(d + off, src, left);
            }
        }
        uint64_t quote = m.quote & valid;
        uint64_t inside = prefix_xor(quote) ^ carry.in_string; /* opening quote in, closing out */
        carry.in_string = (uint64_t)((int64_t)inside >> 63);
        uint64_t open_quote = quote & inside;
        uint64_t close_quote = quote & ~inside;
        if (m.rare & valid) {
            uint64_t high = BLOCKS_HIGH(src) & valid;
            if ((m.rare & valid & ~high) || (high & ~inside)) {
                return false; /* a backslash or control byte; non-ASCII outside strings */
            }
            do {
                const uint8_t *q = p + __builtin_ctzll(high);
                high &= high - 1;
                if (q < utf8_done) {
                    continue; /* a continuation byte of a checked sequence */
                }
                int n = sf_utf8_scan(q, (size_t)(end - q));
                if (n < 0) {
                    return false;
                }
                utf8_done = q + n;
            } while (high);
        }
        uint64_t outside = ~inside & valid;
        uint64_t colon = m.colon & outside;
        uint64_t comma = m.comma & outside;
        uint64_t brackets = m.bracket & outside;
        uint64_t other = outside & ~(colon | comma | brackets | quote);

        /* Brackets, one by one: the stack, and which container each byte is in. */
        uint64_t lbrace = 0, rbrace = 0, lbracket = 0, rbracket = 0;
        /* Which container each byte is in, as the parity of the changes before it. */
        uint64_t obj_toggle = 0;
        uint64_t top_toggle = 0;
        uint64_t obj_ctx = -(uint64_t)(ctx == 2); /* at the block's first byte */
        uint64_t top_ctx = -(uint64_t)(ctx == 0);
        for (uint64_t br = brackets; br; br &= br - 1) {
            unsigned pos = (unsigned)__builtin_ctzll(br);
            uint64_t bit = br & -br;
            uint8_t c = src[pos];
            unsigned was = ctx;
            if (c == '{' || c == '[') {
                if (depth == max_depth) {
                    return false;
                }
                uint64_t b = 1ull << (depth % 64);
                uint64_t *word = &is_object[depth / 64];
                *word = c == '{' ? *word | b : *word & ~b;
                depth++;
                ctx = c == '{' ? 2 : 1;
                lbrace |= c == '{' ? bit : 0;
                lbracket |= c == '[' ? bit : 0;
            } else {
                if (ctx != (c == '}' ? 2u : 1u)) {
                    return false; /* nothing open, or the other kind */
                }
                depth--;
                ctx = depth == 0
                          ? 0
                          : 1 + (unsigned)((is_object[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1);
                rbrace |= c == '}' ? bit : 0;
                rbracket |= c == ']' ? bit : 0;
            }
            /* The container changes from the next byte on (the next block's first byte starts
             * from |ctx| anyway). */
            obj_toggle ^= (bit << 1) & -(uint64_t)((was == 2) != (ctx == 2));
            top_toggle ^= (bit << 1) & -(uint64_t)((was == 0) != (ctx == 0));
        }
        if (obj_toggle | top_toggle) {
            obj_ctx ^= prefix_xor(obj_toggle);
            top_ctx ^= prefix_xor(top_toggle);
        }
        if (comma & top_ctx) {
            return false; /* a second value at the top */
        }
        uint64_t obj_comma = comma & obj_ctx;
        uint64_t arr_comma = comma & ~obj_ctx;

        /* Numbers and literals: one scan each, which must take their whole run. */
        uint64_t scalar_start = other & ~(other << 1 | carry.other);
        uint64_t after_scalar = ~other & (other << 1 | carry.other);
        carry.other = other >> 63;
        for (uint64_t ns = scalar_start; ns; ns &= ns - 1) {
            const uint8_t *t = p + __builtin_ctzll(ns);
            const uint8_t *e;
            if (*t == 't') {
                e = sf_json_scan_literal(t, end, "true", 4);
            } else if (*t == 'f') {
                e = sf_json_scan_literal(t, end, "false", 5);
            } else if (*t == 'n') {
                e = sf_json_scan_literal(t, end, "null", 4);
            } else {
                e = sf_json_scan_number(t, end); /* NULL unless it starts like one */
            }
            if (e == NULL || (e != end && *e != ',' && *e != '}' && *e != ']')) {
                return false; /* "1x", "true1"; "1 " is not decided here */
            }
        }

        /* Keys: strings whose opening quote follows '{' or an object's ','. Adding the opening
         * quote's bit to its run in |inside| carries to the closing quote. */
        uint64_t key_open =
            open_quote & (lbrace << 1 | obj_comma << 1 | carry.need_key_or_close | carry.need_key);
        uint64_t sum;
        uint64_t c1 = __builtin_uaddll_overflow(inside, key_open, (unsigned long long *)&sum);
        uint64_t c2 = __builtin_uaddll_overflow(sum, carry.key_add, (unsigned long long *)&sum);
        carry.key_add = c1 | c2;
        uint64_t key_close = sum & ~inside & close_quote;
        uint64_t value_close = close_quote & ~key_close;

        uint64_t value_start = open_quote | scalar_start | lbrace | lbracket;
        uint64_t after_value_ok = comma | rbrace | rbracket | end_bit;
        uint64_t need_value = colon | arr_comma;
        uint64_t value_end = value_close | rbrace | rbracket;
        uint64_t bad = ((need_value << 1 | carry.need_value) & ~value_start) |
                       ((lbracket << 1 | carry.need_open_value) & ~(value_start | rbracket)) |
                       ((lbrace << 1 | carry.need_key_or_close) & ~(open_quote | rbrace)) |
                       ((obj_comma << 1 | carry.need_key) & ~open_quote) |
                       ((key_close << 1 | carry.need_colon) & ~colon) |
                       ((value_end << 1 | carry.after_value | after_scalar) & ~after_value_ok);
        if (bad) {
            return false;
        }
        carry.need_value = need_value >> 63;
        carry.need_open_value = lbracket >> 63;
        carry.need_key_or_close = lbrace >> 63;
        carry.need_key = obj_comma >> 63;
        carry.need_colon = key_close >> 63;
        carry.after_value = value_end >> 63;
    }
    /* A text that ends where a token needs a successor ends early (when its length is a multiple
     * of 64; otherwise the end bit above was refused already). */
    return depth == 0 && carry.in_string == 0 &&
           (carry.need_value | carry.need_open_value | carry.need_key_or_close | carry.need_key |
            carry.need_colon) == 0;
}
