#include "config/yaml_doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "util/banned.h"

/* The tree under construction: open mappings and lists on a stack, and the key read in the
 * innermost mapping that still waits for its value. */
struct builder {
    struct sf_yaml_doc *doc;
    struct sf_yaml_node *stack[SF_YAML_MAX_DEPTH];
    size_t depth;
    const char *pending_key;
    int pending_key_line;
    int n_documents;
    int line; /* of the event being handled, for errors */
    char *errbuf;
    size_t errbuf_size;
};

static char *arena_strndup(struct sf_arena *arena, const char *s, size_t len)
{
    char *copy = sf_arena_alloc(arena, len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

static struct sf_yaml_node *new_node(struct builder *b, enum sf_yaml_kind kind, int line)
{
    struct sf_yaml_node *node = sf_arena_alloc(&b->doc->arena, sizeof(*node));
    memset(node, 0, sizeof(*node));
    node->kind = kind;
    node->line = line;
    return node;
}

static sf_err fail(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static sf_err fail(struct builder *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->errbuf, b->errbuf_size, fmt, ap);
    va_end(ap);
    return SF_ERR_CONFIG;
}

static sf_err
append_child(struct builder *b, struct sf_yaml_node *parent, struct sf_yaml_node *node)
{
    size_t limit = parent->kind == SF_YAML_MAP ? SF_YAML_MAX_KEYS : SF_YAML_MAX_ITEMS;
    if (parent->n_children >= limit) {
        return fail(b, "too many %s (at most %zu)",
                    parent->kind == SF_YAML_MAP ? "keys in one mapping" : "items in one list",
                    limit);
    }
    if (parent->last) {
        parent->last->next = node;
    } else {
        parent->first = node;
    }
    parent->last = node;
    parent->n_children++;
    return SF_OK;
}

/* Places |node| in the tree. In a mapping a scalar without a pending key *is* the key: it is
 * remembered (and |*is_key| set) rather than attached. */
static sf_err attach(struct builder *b, struct sf_yaml_node *node, bool *is_key)
{
    *is_key = false;
    if (b->depth == 0) {
        b->doc->root = node;
        return SF_OK;
    }
    struct sf_yaml_node *parent = b->stack[b->depth - 1];
    if (parent->kind == SF_YAML_SEQ) {
        return append_child(b, parent, node);
    }
    if (!b->pending_key) {
        if (node->kind != SF_YAML_SCALAR) {
            return fail(b, "a key must be plain text, not a mapping or a list");
        }
        if (node->is_null || node->text[0] == '\0') {
            return fail(b, "empty key");
        }
        b->pending_key = node->text;
        b->pending_key_line = node->line;
        *is_key = true;
        return SF_OK;
    }
    node->key = b->pending_key;
    node->key_line = b->pending_key_line;
    b->pending_key = NULL;
    return append_child(b, parent, node);
}

static bool is_null_scalar(const yaml_event_t *event)
{
    if (event->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return false;
    }
    const char *text = (const char *)event->data.scalar.value;
    return text[0] == '\0' || strcmp(text, "~") == 0 || strcmp(text, "null") == 0 ||
           strcmp(text, "Null") == 0 || strcmp(text, "NULL") == 0;
}

static sf_err on_scalar(struct builder *b, const yaml_event_t *event)
{
    const char *value = (const char *)event->data.scalar.value;
    size_t len = event->data.scalar.length;
    if (memchr(value, '\0', len)) {
        return fail(b, "a value contains a NUL character");
    }
    struct sf_yaml_node *node = new_node(b, SF_YAML_SCALAR, b->line);
    node->text = arena_strndup(&b->doc->arena, value, len);
    node->is_null = is_null_scalar(event);
    bool is_key;
    return attach(b, node, &is_key);
}

static sf_err on_collection_start(struct builder *b, enum sf_yaml_kind kind)
{
    if (b->depth >= SF_YAML_MAX_DEPTH) {
        return fail(b, "nested more than %d levels deep", SF_YAML_MAX_DEPTH);
    }
    struct sf_yaml_node *node = new_node(b, kind, b->line);
    bool is_key;
    sf_err err = attach(b, node, &is_key);
    if (err) {
        return err;
    }
    b->stack[b->depth++] = node;
    return SF_OK;
}

static sf_err on_event(struct builder *b, const yaml_event_t *event)
{
    switch (event->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->n_documents > 1) {
            return fail(b, "only one YAML document is allowed (found a second ---)");
        }
        return SF_OK;
    case YAML_ALIAS_EVENT:
        return fail(b, "aliases (*%s) are not supported; put shared settings under sls:",
                    (const char *)event->data.alias.anchor);
    case YAML_SCALAR_EVENT:
        return on_scalar(b, event);
    case YAML_SEQUENCE_START_EVENT:
        return on_collection_start(b, SF_YAML_SEQ);
    case YAML_MAPPING_START_EVENT:
        return on_collection_start(b, SF_YAML_MAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        b->depth--;
        return SF_OK;
    default:
        return SF_OK;
    }
}

/* libyaml's words, plus the hint people need most: YAML indents with spaces only. */
static void describe_syntax_error(
    const yaml_parser_t *parser, const char *text, size_t len, char *errbuf, size_t errbuf_size)
{
    const char *problem = parser->problem ? parser->problem : "cannot parse";
    size_t at = parser->problem_mark.index;
    bool is_tab = at < len && text[at] == '\t';
    if (parser->context) {
        snprintf(errbuf, errbuf_size, "invalid YAML: %s (%s at line %d)%s", problem,
                 parser->context, (int)parser->context_mark.line + 1,
                 is_tab ? "; indent with spaces, not tabs" : "");
    } else {
        snprintf(errbuf, errbuf_size, "invalid YAML: %s%s", problem,
                 is_tab ? "; indent with spaces, not tabs" : "");
    }
}

sf_err sf_yaml_doc_parse(struct sf_yaml_doc *doc,
                         const char *text,
                         size_t len,
                         int *err_line,
                         int *err_column,
                         char *errbuf,
                         size_t errbuf_size)
{
    yaml_parser_t parser;
    struct builder b = {.doc = doc, .errbuf = errbuf, .errbuf_size = errbuf_size};
    sf_err err = SF_OK;
    bool is_done = false;

    sf_arena_init(&doc->arena, 16 * 1024);
    doc->root = NULL;
    *err_line = 0;
    *err_column = 0;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (!is_done && !err) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            describe_syntax_error(&parser, text, len, errbuf, errbuf_size);
            *err_line = (int)parser.problem_mark.line + 1;
            *err_column = (int)parser.problem_mark.column + 1;
            err = SF_ERR_CONFIG;
            break;
        }
        b.line = (int)event.start_mark.line + 1;
        is_done = event.type == YAML_STREAM_END_EVENT;
        err = on_event(&b, &event);
        if (err) {
            *err_line = b.line;
        }
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    return err;
}

void sf_yaml_doc_cleanup(struct sf_yaml_doc *doc)
{
    sf_arena_cleanup(&doc->arena);
    doc->root = NULL;
}

const struct sf_yaml_node *sf_yaml_map_get(const struct sf_yaml_node *map, const char *key)
{
    if (!map || map->kind != SF_YAML_MAP) {
        return NULL;
    }
    for (const struct sf_yaml_node *child = map->first; child; child = child->next) {
        if (strcmp(child->key, key) == 0) {
            return child;
        }
    }
    return NULL;
}
