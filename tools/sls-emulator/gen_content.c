/* What generated logs say. Field sets follow a JSON-format nginx access log as Logtail ships
 * it and an ActionTrail event as delivered to SLS; the tables mix ASCII with Chinese and
 * accented text, and about 2% of logs carry invalid UTF-8 (a lone 0xFF, a bad 2-byte
 * sequence, a truncated 3-byte one) the way misbehaving clients produce it. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gen_int.h"

#include "util/banned.h"

#define N_ITEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const methods[] = {"GET", "GET",  "GET",  "GET", "GET",    "GET",
                                      "GET", "POST", "POST", "PUT", "DELETE", "HEAD"};
static const unsigned statuses[] = {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
                                    200, 200, 200, 200, 301, 304, 304, 404, 404, 499, 500, 502};
static const char *const queries[] = {"手机壳",    "羽绒服 女", "laptop",    "café crème",
                                      "nike 跑鞋", "咖啡机",    "usb-c hub", "儿童 绘本"};
static const char *const agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Linux; U; Android 12; zh-CN; 小米 12 Build/SKQ1.211006.001) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/91.0 UCBrowser/15.1 Mobile",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.40(0x18002831) NetType/WIFI Language/zh_CN 微信",
    "curl/7.88.1",
    "Go-http-client/1.1",
    "python-requests/2.31.0",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
};
static const char *const referers[] = {"-",
                                       "-",
                                       "https://www.example.com/",
                                       "https://www.baidu.com/s?wd=%E6%89%8B%E6%9C%BA",
                                       "https://shop.example.com/cart",
                                       "https://m.example.cn/活动/618会场"};
static const char *const hosts[] = {"shop.example.com", "api.example.com", "m.example.cn"};
/* A lone 0xFF, an invalid 2-byte sequence (C3 28), and a 3-byte sequence cut short. */
static const char bad_agent[] =
    "Mozilla/5.0 (compatible; \xff\xfe crawler \xc3\x28) broken/\xe4\xb8";

static ProtobufCBinaryData nginx_uri(struct gen *g)
{
    unsigned id = gen_pick(g, 100000);
    switch (gen_pick(g, 8)) {
    case 0:
        return gen_fmt(g, "/api/v1/products/%u?page=%u&sort=price", id, 1 + gen_pick(g, 9));
    case 1:
        return gen_fmt(g, "/api/v1/orders/%u/items", id);
    case 2:
        return gen_fmt(g, "/static/js/app.%08x.js", (unsigned)gen_u64(g));
    case 3:
        return gen_fmt(g, "/search?q=%s&page=%u", queries[gen_pick(g, N_ITEMS(queries))],
                       1 + gen_pick(g, 5));
    case 4:
        return gen_fmt(g, "/user/%u/profile", id);
    case 5:
        return gen_fmt(g, "/api/v2/cart?uid=%u&ts=%u", id, (unsigned)g->recv_s);
    case 6:
        return gen_lit("/favicon.ico");
    default:
        return gen_lit("/index.html");
    }
}

void gen_nginx_log(struct gen *g, Emu__Log *log)
{
    time_t t = (time_t)log->time + 8 * 3600; /* the producers log in UTC+8 */
    struct tm tm;
    gmtime_r(&t, &tm);
    char local[40];
    strftime(local, sizeof(local), "%d/%b/%Y:%H:%M:%S +0800", &tm);
    unsigned status = statuses[gen_pick(g, N_ITEMS(statuses))];
    unsigned ms = 1 + gen_pick(g, 900);
    bool is_bad = gen_pick(g, 50) == 0;

    gen_add(log, "remote_addr",
            gen_fmt(g, "%u.%u.%u.%u", 1 + gen_pick(g, 223), gen_pick(g, 256), gen_pick(g, 256),
                    1 + gen_pick(g, 254)));
    gen_add(log, "remote_user", gen_lit("-"));
    gen_add(log, "time_local", gen_fmt(g, "%s", local));
    gen_add(log, "request_method", gen_lit(methods[gen_pick(g, N_ITEMS(methods))]));
    gen_add(log, "request_uri", nginx_uri(g));
    gen_add(log, "server_protocol", gen_lit(gen_pick(g, 4) ? "HTTP/1.1" : "HTTP/2.0"));
    gen_add(log, "status", gen_fmt(g, "%u", status));
    gen_add(log, "body_bytes_sent", gen_fmt(g, "%u", status == 304 ? 0 : gen_pick(g, 60000)));
    gen_add(log, "http_referer", gen_lit(referers[gen_pick(g, N_ITEMS(referers))]));
    gen_add(log, "http_user_agent",
            gen_lit(is_bad ? bad_agent : agents[gen_pick(g, N_ITEMS(agents))]));
    gen_add(log, "http_x_forwarded_for",
            gen_fmt(g, "%u.%u.%u.%u, 10.0.%u.%u", 1 + gen_pick(g, 223), gen_pick(g, 256),
                    gen_pick(g, 256), 1 + gen_pick(g, 254), gen_pick(g, 8), 1 + gen_pick(g, 254)));
    gen_add(log, "request_time", gen_fmt(g, "%u.%03u", ms / 1000, ms % 1000));
    gen_add(log, "upstream_response_time", gen_fmt(g, "%u.%03u", ms / 1000, ms % 1000 * 9 / 10));
    gen_add(log, "upstream_addr", gen_fmt(g, "10.0.5.%u:8080", 10 + gen_pick(g, 20)));
    gen_add(log, "host", gen_lit(hosts[gen_pick(g, N_ITEMS(hosts))]));
    gen_add(log, "request_length", gen_fmt(g, "%u", 200 + gen_pick(g, 1800)));
    gen_add(log, "seq", gen_fmt(g, "%llu", (unsigned long long)g->seq++));
}

struct trail_event {
    const char *name;
    const char *source;
    const char *service;
    const char *rw;
    const char *api_version;
};

static const struct trail_event events[] = {
    {"DescribeInstances", "ecs.aliyuncs.com", "Ecs", "Read", "2014-05-26"},
    {"StopInstance", "ecs.aliyuncs.com", "Ecs", "Write", "2014-05-26"},
    {"RunInstances", "ecs.aliyuncs.com", "Ecs", "Write", "2014-05-26"},
    {"ConsoleSignin", "signin.aliyun.com", "AasSub", "Write", "2015-05-01"},
    {"CreateAccessKey", "ram.aliyuncs.com", "Ram", "Write", "2015-05-01"},
    {"AttachPolicyToUser", "ram.aliyuncs.com", "Ram", "Write", "2015-05-01"},
    {"AssumeRole", "sts.aliyuncs.com", "Sts", "Write", "2015-04-01"},
    {"GetObject", "oss.aliyuncs.com", "Oss", "Read", "2013-10-15"},
    {"PutBucketAcl", "oss.aliyuncs.com", "Oss", "Write", "2013-10-15"},
    {"DeleteBucket", "oss.aliyuncs.com", "Oss", "Write", "2013-10-15"},
};
static const char *const users[] = {"alice",       "bob",        "运维-张三",
                                    "审计员-李四", "deploy-bot", "françois"};
static const char *const regions[] = {"cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1"};
static const char *const error_codes[] = {"Forbidden.RAM", "InvalidInstanceId.NotFound",
                                          "Throttling.User", "NoSuchBucket"};

static void uuid(struct gen *g, char *out, size_t size)
{
    uint64_t a = gen_u64(g), b = gen_u64(g);
    snprintf(out, size, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xFFFF, (unsigned)a & 0xFFF, (unsigned)(b >> 48) | 0x8000,
             (unsigned long long)b & 0xFFFFFFFFFFFFull);
}

void gen_actiontrail_log(struct gen *g, Emu__Log *log)
{
    const struct trail_event *ev = &events[gen_pick(g, N_ITEMS(events))];
    bool is_bad = gen_pick(g, 50) == 0;
    bool has_error = gen_pick(g, 10) == 0;
    const char *user = is_bad ? "ops-\xff\xfe-\xe4\xb8" : users[gen_pick(g, N_ITEMS(users))];
    const char *region = regions[gen_pick(g, N_ITEMS(regions))];
    char event_id[48], request_id[48], when[32], error[96] = "";
    uuid(g, event_id, sizeof(event_id));
    uuid(g, request_id, sizeof(request_id));
    time_t t = (time_t)log->time;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (has_error) {
        snprintf(error, sizeof(error), "\"errorCode\":\"%s\",\"errorMessage\":\"denied\",",
                 error_codes[gen_pick(g, N_ITEMS(error_codes))]);
    }
    unsigned long long account = 1000000000000000ull + gen_u64(g) % 9000000000000000ull;
    unsigned instance = (unsigned)gen_u64(g);
    gen_add(log, "event",
            gen_fmt(g,
                    "{\"eventId\":\"%s\",\"eventVersion\":\"1\",\"eventSource\":\"%s\","
                    "\"sourceIpAddress\":\"%u.%u.%u.%u\",\"userAgent\":\"AlibabaCloud (Linux; "
                    "amd64) Java/1.8.0_352 Core/4.6.3 HTTPClient/ApacheHttpClient\","
                    "\"eventType\":\"ApiCall\",\"eventName\":\"%s\",\"eventTime\":\"%s\","
                    "\"eventRW\":\"%s\",\"acsRegion\":\"%s\",\"requestId\":\"%s\","
                    "\"apiVersion\":\"%s\",\"serviceName\":\"%s\",%s"
                    "\"userIdentity\":{\"type\":\"ram-user\",\"principalId\":\"2%014llu\","
                    "\"accountId\":\"%llu\",\"accessKeyId\":\"LTAI5t%014llX\",\"userName\":\"%s\","
                    "\"sessionContext\":{\"attributes\":{\"creationDate\":\"%s\","
                    "\"mfaAuthenticated\":\"false\"}}},"
                    "\"requestParameters\":{\"RegionId\":\"%s\",\"InstanceId\":\"i-bp1%08x\","
                    "\"PageSize\":50,\"PageNumber\":1,\"AcceptLanguage\":\"zh-CN\","
                    "\"AcsHost\":\"%s\"},"
                    "\"responseElements\":{\"RequestId\":\"%s\"},"
                    "\"additionalEventData\":{\"loginAccount\":\"%s@%llu.onaliyun.com\","
                    "\"MFAUsed\":\"No\",\"callbackUrl\":\"https://home.console.aliyun.com/\"},"
                    "\"referencedResources\":{\"ACS::ECS::Instance\":[\"i-bp1%08x\"]},"
                    "\"isGlobal\":false}",
                    event_id, ev->source, 1 + gen_pick(g, 223), gen_pick(g, 256), gen_pick(g, 256),
                    1 + gen_pick(g, 254), ev->name, when, ev->rw, region, request_id,
                    ev->api_version, ev->service, error,
                    (unsigned long long)gen_u64(g) % 100000000000000ull, account,
                    (unsigned long long)gen_u64(g) & 0xFFFFFFFFFFFFFFull, user, when, region,
                    instance, ev->source, request_id, user, account, instance));
    gen_add(log, "seq", gen_fmt(g, "%llu", (unsigned long long)g->seq++));
}
