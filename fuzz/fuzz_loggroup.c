/* libFuzzer target: sf_loggroup_decode on arbitrary bytes. It must decode or reject; never
 * crash, hang, read outside |data|, or return a view that points outside it. The arena is kept
 * across inputs, as the daemon keeps one per worker, so reuse after reset is exercised too. */
#include <stddef.h>
#include <stdint.h>

#include "codec/loggroup.h"
#include "util/arena.h"

#include "util/banned.h" /* last: poisons what the project does not use */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sf_arena arena;
    static bool is_ready;
    struct sf_loggroup_list list;

    if (!is_ready) {
        sf_arena_init(&arena, 64 * 1024);
        is_ready = true;
    }
    if (sf_loggroup_decode(data, size, &arena, &list) == SF_OK) {
        sf_loggroup_list_assert_within(&list, data, size);
    }
    sf_arena_reset(&arena);
    return 0;
}
