/* Answers as Splunk writes them: compact JSON, "text" before "code", then
 * "invalid-event-number" or "ackId" (docs/protocol/hec.md §Responses), Content-Type
 * application/json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handler.h"
#include "record.h"
#include "util/alloc.h"

#include "util/banned.h"

static const char json_content_type[] = "application/json; charset=UTF-8";

static const struct {
    int code;
    int status;
    const char *text;
} codes[] = {
#define HEC_CODE_ROW(code, status, text) {code, status, text},
    HEC_CODE_LIST(HEC_CODE_ROW)
#undef HEC_CODE_ROW
};

int hec_code_status(int code)
{
    return code >= 0 && code <= HEC_CODE_MAX ? codes[code].status : 0;
}

const char *hec_code_text(int code)
{
    return code >= 0 && code <= HEC_CODE_MAX ? codes[code].text : NULL;
}

void hec_resp_header(struct hec_response *resp, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tc_reply_header_v(&resp->headers, name, fmt, ap);
    va_end(ap);
}

const char *hec_response_header(const struct hec_response *resp, const char *name)
{
    return tc_reply_header_find(&resp->headers, name);
}

static void set_body(struct hec_response *resp, char *body, size_t len, const char *type)
{
    free(resp->body);
    resp->body = body;
    resp->body_len = len;
    resp->content_type = type;
}

static void set_printf(struct hec_response *resp, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_printf(struct hec_response *resp, const char *type, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1;
    set_body(resp, sf_xstrndup(text, len), len, type);
}

void hec_reply_code(struct hec_response *resp, int code)
{
    resp->status = hec_code_status(code);
    resp->code = code;
    set_printf(resp, json_content_type, "{\"text\":\"%s\",\"code\":%d}", hec_code_text(code), code);
}

void hec_reply_code_at(struct hec_response *resp, int code, uint64_t k)
{
    resp->status = hec_code_status(code);
    resp->code = code;
    set_printf(resp, json_content_type,
               "{\"text\":\"%s\",\"code\":%d,\"invalid-event-number\":%llu}", hec_code_text(code),
               code, (unsigned long long)k);
}

void hec_reply_success(struct hec_response *resp, int code, bool has_ack_id, uint64_t ack_id)
{
    resp->status = 200;
    resp->code = code;
    if (has_ack_id) {
        set_printf(resp, json_content_type, "{\"text\":\"%s\",\"code\":%d,\"ackId\":%llu}",
                   hec_code_text(code), code, (unsigned long long)ack_id);
    } else {
        set_printf(resp, json_content_type, "{\"text\":\"%s\",\"code\":%d}", hec_code_text(code),
                   code);
    }
}

void hec_reply_text(struct hec_response *resp, int status, int code, const char *text)
{
    resp->status = status;
    resp->code = -1; /* not a HEC table code: counted by status only */
    /* |text| may quote client input (a control-plane spec): escape it, whatever its bytes. */
    struct sf_buf body;
    sf_buf_init(&body, 64 * 1024);
    sf_buf_append_cstr(&body, "{\"text\":\"");
    hec_json_escape(&body, (const uint8_t *)text, strlen(text));
    sf_buf_printf(&body, "\",\"code\":%d}", code);
    set_body(resp, (char *)body.ptr, body.len, json_content_type);
}

void hec_reply_json(struct hec_response *resp, int status, json_t *root)
{
    char *body = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    json_decref(root);
    resp->status = status;
    resp->code = -1;
    set_body(resp, body, body ? strlen(body) : 0, json_content_type);
}

void hec_reply_empty(struct hec_response *resp, int status)
{
    resp->status = status;
    resp->code = -1;
    set_body(resp, NULL, 0, NULL);
}

static const char *reason(int status)
{
    switch (status) {
    case 303:
        return "See Other";
    case 400:
        return "Bad Request";
    case 401:
        return "Authorization Required";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 413:
        return "Request Entity Too Large";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Temporarily Unavailable";
    case 504:
        return "Gateway Time-out";
    default:
        return "Error";
    }
}

void hec_reply_html(struct hec_response *resp, int status)
{
    resp->status = status;
    resp->code = -1;
    set_printf(resp, "text/html",
               "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d "
               "%s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
               status, reason(status), status, reason(status));
    if (status >= 300 && status < 400) {
        hec_resp_header(resp, "Location", "/en-US/account/login");
    }
}

void hec_reply_fault(struct hec_ctx *ctx)
{
    const struct hec_fault *rule = &ctx->faults.error;
    struct hec_response *resp = ctx->resp;
    switch (rule->type) {
    case HEC_FAULT_RESET:
    case HEC_FAULT_CLOSE:
        hec_reply_empty(resp, 500);
        resp->action = rule->type == HEC_FAULT_RESET ? HEC_ACTION_RESET : HEC_ACTION_CLOSE;
        break;
    case HEC_FAULT_PROXY:
        hec_reply_html(resp, rule->status);
        break;
    case HEC_FAULT_TOO_LARGE: {
        char text[128];
        snprintf(text, sizeof(text), "Content-Length of %llu too large (maximum is %zu)",
                 (unsigned long long)ctx->req->wire_len,
                 atomic_load(&ctx->srv->max_content_length));
        hec_reply_text(resp, 413, 413, text);
        break;
    }
    default:
        /* Busy answers carry invalid-event-number on /event
         * (docs/protocol/hec.md §Partial acceptance, k8s#555). */
        if (rule->code == 9 && resp->endpoint == HEC_EP_EVENT) {
            hec_reply_code_at(resp, 9, 0);
        } else {
            hec_reply_code(resp, rule->code);
        }
        break;
    }
    if (rule->retry_after_s >= 0) {
        hec_resp_header(resp, "Retry-After", "%d", rule->retry_after_s);
    }
}

void hec_response_cleanup(struct hec_response *resp)
{
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
}
