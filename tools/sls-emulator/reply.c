/* Building answers the way the service does: JSON errors with the documented codes
 * (docs/protocol/sls-api.md §Errors), JSON or empty successes, extra headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handler.h"

#include "util/banned.h"

void emu_resp_header(struct emu_response *resp, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tc_reply_header_v(&resp->headers, name, fmt, ap);
    va_end(ap);
}

const char *emu_response_header(const struct emu_response *resp, const char *name)
{
    return tc_reply_header_find(&resp->headers, name);
}

static void set_body(struct emu_response *resp, struct emu_body *body, const char *content_type)
{
    emu_body_unref(resp->body);
    resp->body = body;
    resp->content_type = content_type;
}

void emu_reply_error(struct emu_response *resp, int status, const char *code, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);

    json_t *root = json_object();
    json_object_set_new(root, "errorCode", json_string(code));
    /* Messages may quote client input (names, cursors): json_stringn keeps them valid JSON
     * even when that input is not UTF-8. */
    json_t *msg = json_string(message);
    json_object_set_new(root, "errorMessage", msg ? msg : json_string("(message not UTF-8)"));
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    resp->status = status;
    set_body(resp, emu_body_from(text, strlen(text)), "application/json");
    free(text);
}

void emu_reply_json(struct emu_response *resp, json_t *root)
{
    char *text = json_dumps(root, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(root);
    resp->status = 200;
    set_body(resp, emu_body_from(text, text ? strlen(text) : 0), "application/json");
    free(text);
}

void emu_reply_empty(struct emu_response *resp)
{
    resp->status = 200;
    set_body(resp, NULL, NULL);
}

void emu_response_cleanup(struct emu_response *resp)
{
    emu_body_unref(resp->body);
    resp->body = NULL;
}
