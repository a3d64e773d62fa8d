/* The filters a source ends up with: each `sls.filters.<key>` list the source sets (in its
 * `sources:` entry, under `sls:` or through SLSFWD_SLS_FILTERS_*) replaces the global
 * `filters.<key>` for that source; a key it leaves alone takes the global list. Replacing
 * list by list (not merging) keeps one place to read what applies; `[]` clears a global
 * list for one source. */
#include <stdio.h>
#include <string.h>

#include "config/config_int.h"
#include "util/alloc.h"

#include "util/banned.h"

void sf_config_inherit_filters(struct sf_config_loader *loader, int source_index)
{
    static const char prefix[] = "sls.filters.";
    struct sf_config_source *source = &loader->config->sources[source_index];
    for (size_t i = 0; i < sf_n_options; i++) {
        const struct sf_option *opt = &sf_options[i];
        if (opt->scope != SF_OPT_SOURCE || strncmp(opt->key, prefix, sizeof(prefix) - 1) != 0) {
            continue;
        }
        struct sf_origin *origin = sf_config_origin(loader, source_index, opt);
        if (origin->kind != SF_ORIGIN_DEFAULT) {
            continue; /* the source's own list, even an empty one */
        }
        char key[96];
        snprintf(key, sizeof(key), "filters.%s", opt->key + sizeof(prefix) - 1);
        const struct sf_option *global = sf_option_find(key);
        char *const *items = *(char *const *const *)sf_option_cfield(global, loader->config);
        size_t n = *(const size_t *)((const char *)loader->config + global->aux_offset);
        sf_option_clear(opt, source);
        char **copy = sf_xcalloc(n ? n : 1, sizeof(*copy));
        for (size_t k = 0; k < n; k++) {
            copy[k] = sf_xstrdup(items[k]);
        }
        *(char ***)sf_option_field(opt, source) = copy;
        *(size_t *)((char *)source + opt->aux_offset) = n;
        *origin = *sf_config_origin(loader, -1, global);
        origin->is_inherited = true;
    }
}
