/* A small YAML reader for the config file: libyaml events turned into a tree of mappings,
 * lists and scalars that remembers line numbers, so every later error can point at a line.
 * One document only; anchors are ignored and aliases rejected (the `sls:` section is the
 * way to share settings). Depth, keys per mapping and items per list are capped, so hostile
 * input costs bounded time and memory. Not thread-safe; one owner. */
#ifndef SF_CONFIG_YAML_DOC_H
#define SF_CONFIG_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"

#define SF_YAML_MAX_DEPTH 32
#define SF_YAML_MAX_KEYS  256   /* per mapping */
#define SF_YAML_MAX_ITEMS 10000 /* per list */

enum sf_yaml_kind {
    SF_YAML_SCALAR,
    SF_YAML_MAP,
    SF_YAML_SEQ,
};

struct sf_yaml_node {
    enum sf_yaml_kind kind;
    int line;                   /* 1-based line where the node starts */
    const char *key;            /* in a mapping: this entry's key; NULL in a list or at the root */
    int key_line;               /* in a mapping: the key's line */
    const char *text;           /* SCALAR: NUL-terminated (a NUL inside is rejected) */
    bool is_null;               /* SCALAR: plain empty, ~ or null: "no value" */
    struct sf_yaml_node *first; /* MAP, SEQ: children in document order */
    struct sf_yaml_node *last;
    struct sf_yaml_node *next; /* next sibling */
    size_t n_children;
};

struct sf_yaml_doc {
    struct sf_arena arena;     /* every node and string */
    struct sf_yaml_node *root; /* NULL for an empty document */
};

/* Parses |text| of |len| bytes. On failure returns SF_ERR_CONFIG with |*err_line| and
 * |*err_column| (1-based; 0 when unknown) and |errbuf| describing the problem. The caller
 * calls sf_yaml_doc_cleanup in every case. */
sf_err sf_yaml_doc_parse(struct sf_yaml_doc *doc,
                         const char *text,
                         size_t len,
                         int *err_line,
                         int *err_column,
                         char *errbuf,
                         size_t errbuf_size);
void sf_yaml_doc_cleanup(struct sf_yaml_doc *doc);

/* The value of |key| in mapping |map|, or NULL. */
const struct sf_yaml_node *sf_yaml_map_get(const struct sf_yaml_node *map, const char *key);

#endif
