/* Lines → requests bookkeeping (hec_batcher.c), the ack set (hec_ack.c), gzip (hec_gzip.c,
 * checked with zlib) and the dead-letter record format (dead_letter.c). No network. */
#include "hec_test.h"

#include <jansson.h>
#include <zlib.h>

struct done_log {
    struct sf_batch *batches[64];
    size_t n;
};

static void note_done(void *ctx, struct sf_batch_entry *hold)
{
    struct done_log *log = ctx;
    log->batches[log->n++] = hold->batch;
}

static size_t n_taken_calls;

static void noop_back(void *ctx, struct sf_batch *batch, bool is_delivered)
{
    (void)ctx, (void)batch, (void)is_delivered;
}

static void count_taken(void *ctx, struct sf_batch *batch)
{
    (void)ctx, (void)batch;
    n_taken_calls++;
}

/* The only hold on |batch|, as the sink gets it: the opener's reference and mark dropped. A
 * batch added again (note_done never settles) is settled and opened anew. */
static struct sf_batch_entry *held(struct sf_batch *batch)
{
    if (atomic_load(&batch->entries[0].is_held)) {
        sf_batch_settle(&batch->entries[0], SF_BATCH_DELIVERED);
    }
    sf_batch_open(batch, noop_back, count_taken, NULL);
    struct sf_batch_entry *entry = sf_batch_hold(batch, 0);
    sf_batch_untaken_drop(batch);
    sf_batch_unref(batch);
    return entry;
}

static void free_held(struct sf_batch *batch)
{
    if (atomic_load(&batch->entries[0].is_held)) {
        sf_batch_settle(&batch->entries[0], SF_BATCH_DELIVERED);
    }
    free_batch(batch);
}

/* The body a request stands for, as one string (test_free it). */
static char *body_of(const struct sf_hec_request *req)
{
    char *out = test_malloc(req->raw_len + 1);
    size_t o = 0;
    for (size_t i = 0; i < req->n_segs; i++) {
        const uint8_t *p;
        size_t len;
        sf_hec_seg_bytes(&req->segs[i], &p, &len);
        memcpy(out + o, p, len);
        o += len;
    }
    assert_int_equal(o, req->raw_len);
    out[o] = 0;
    return out;
}

/* The coord pulls more once the sinks took what they have (sf_batch_taken): a batch counts as
 * taken when its last line is in a request, not before, and only once. */
static void marks_a_batch_taken_when_its_last_line_is_in_a_request(void **state)
{
    (void)state;
    struct sf_hec_batcher b;
    struct done_log done = {0};
    sf_hec_batcher_init(&b);
    n_taken_calls = 0;
    struct sf_batch *b1 = make_batch(1, 0, 10, 100);
    struct sf_batch *b2 = make_batch(1, 10, 2, 100);
    sf_hec_batcher_add(&b, held(b1), 0, note_done, &done);
    sf_hec_batcher_add(&b, held(b2), 0, note_done, &done);
    struct sf_hec_request *r1 = sf_hec_batcher_take(&b, 550, 0); /* 5 of b1's 10 */
    assert_int_equal(n_taken_calls, 0);
    struct sf_hec_request *r2 = sf_hec_batcher_take(&b, 650, 0); /* b1's last 5, b2's first */
    assert_int_equal(n_taken_calls, 1);
    struct sf_hec_request *r3 = sf_hec_batcher_take(&b, 650, 0); /* b2's last */
    assert_int_equal(n_taken_calls, 2);
    assert_null(sf_hec_batcher_take(&b, 650, 0));
    sf_hec_request_free(&b, r1);
    sf_hec_request_free(&b, r2);
    sf_hec_request_free(&b, r3);
    while (sf_hec_batcher_pop(&b)) {
    }
    assert_int_equal(n_taken_calls, 2);
    free_held(b1);
    free_held(b2);
    sf_hec_batcher_cleanup(&b);
}

static void takes_whole_lines_up_to_the_byte_limit(void **state)
{
    (void)state;
    struct sf_hec_batcher b;
    struct done_log done = {0};
    sf_hec_batcher_init(&b);
    struct sf_batch *batch = make_batch(1, 0, 10, 100); /* 10 lines of 100 bytes */
    sf_hec_batcher_add(&b, held(batch), 0, note_done, &done);
    assert_int_equal(b.untaken_lines, 10);
    assert_int_equal(b.untaken_bytes, 1000);
    struct sf_hec_request *reqs[8];
    size_t n_reqs = 0;
    while ((reqs[n_reqs] = sf_hec_batcher_take(&b, 350, 0))) {
        char *body = body_of(reqs[n_reqs]);
        assert_true(reqs[n_reqs]->raw_len <= 350);
        assert_int_equal(body[reqs[n_reqs]->raw_len - 1], '\n'); /* never a split line */
        assert_int_equal(reqs[n_reqs]->raw_len, reqs[n_reqs]->n_events * 100);
        test_free(body);
        n_reqs++;
    }
    assert_int_equal(n_reqs, 4); /* 3 + 3 + 3 + 1 */
    assert_int_equal(reqs[3]->n_events, 1);
    assert_int_equal(b.untaken_bytes, 0);
    for (size_t i = 0; i < n_reqs; i++) {
        assert_int_equal(done.n, 0);
        sf_hec_batcher_settle(&b, reqs[i], 0, reqs[i]->n_events, note_done, &done);
        sf_hec_request_free(&b, reqs[i]);
    }
    assert_int_equal(done.n, 1); /* delivered once, after its last line */
    assert_ptr_equal(done.batches[0], batch);
    sf_hec_batcher_cleanup(&b);
    free_held(batch);
}

static void fills_requests_across_batches_and_caps_events(void **state)
{
    (void)state;
    struct sf_hec_batcher b;
    struct done_log done = {0};
    sf_hec_batcher_init(&b);
    struct sf_batch *b1 = make_batch(1, 0, 5, 50);
    struct sf_batch *b2 = make_batch(2, 100, 5, 50);
    sf_hec_batcher_add(&b, held(b1), 0, note_done, &done);
    sf_hec_batcher_add(&b, held(b2), 0, note_done, &done);
    struct sf_hec_request *r1 = sf_hec_batcher_take(&b, 1 << 20, 7);
    assert_int_equal(r1->n_events, 7);
    assert_int_equal(r1->n_segs, 2); /* 5 of the first batch, 2 of the second */
    char *body = body_of(r1);
    assert_non_null(strstr(body, "\"e4\""));
    assert_non_null(strstr(body, "\"e101\""));
    assert_null(strstr(body, "\"e102\""));
    test_free(body);
    struct sf_hec_request *r2 = sf_hec_batcher_take(&b, 1 << 20, 7);
    assert_int_equal(r2->n_events, 3);
    assert_null(sf_hec_batcher_take(&b, 1 << 20, 7));
    sf_hec_batcher_settle(&b, r1, 0, 7, note_done, &done);
    assert_int_equal(done.n, 1);
    assert_ptr_equal(done.batches[0], b1);
    sf_hec_batcher_settle(&b, r2, 0, 3, note_done, &done);
    assert_int_equal(done.n, 2);
    sf_hec_request_free(&b, r1);
    sf_hec_request_free(&b, r2);
    sf_hec_batcher_cleanup(&b);
    free_held(b1);
    free_held(b2);
}

/* Gives |batch| line ends as the transform records them (pipeline/batch.h), from |ends|. */
static void set_line_ends(struct sf_batch *batch, const uint32_t *ends, size_t n)
{
    free(batch->payload_ends);
    batch->payload_ends = malloc(n * sizeof(*ends));
    assert_non_null(batch->payload_ends);
    memcpy(batch->payload_ends, ends, n * sizeof(*ends));
    batch->n_payload_ends = n;
    batch->cap_payload_ends = n;
}

/* A batch whose builder recorded its line ends is cut where they say, without the payload
 * being searched: ends that mark no newline show it. Ends that cannot be the batch's (not one
 * per event, not reaching the payload's end, not rising) are ignored for a search. */
static void takes_the_line_ends_the_batch_brings(void **state)
{
    (void)state;
    struct sf_hec_batcher b;
    struct done_log done = {0};
    sf_hec_batcher_init(&b);
    struct sf_batch *batch = make_batch(1, 0, 4, 100); /* newlines end at 100, 200, 300, 400 */
    batch->n_events = 3;
    set_line_ends(batch, (const uint32_t[]){50, 250, 400}, 3);
    sf_hec_batcher_add(&b, held(batch), 0, note_done, &done);
    assert_int_equal(b.untaken_lines, 3);
    struct sf_hec_request *req = sf_hec_batcher_take(&b, 260, 0);
    assert_int_equal(req->n_events, 2);
    assert_int_equal(req->raw_len, 250);
    sf_hec_batcher_settle(&b, req, 0, 2, note_done, &done);
    sf_hec_request_free(&b, req);
    req = sf_hec_batcher_take(&b, 1000, 0);
    assert_int_equal(req->n_events, 1);
    assert_int_equal(req->raw_len, 150);
    sf_hec_batcher_settle(&b, req, 0, 1, note_done, &done);
    sf_hec_request_free(&b, req);
    assert_int_equal(done.n, 1);

    static const struct {
        uint32_t ends[4];
        size_t n;
    } unusable[] = {
        {{100, 200, 300}, 3},      /* one short */
        {{100, 200, 300, 399}, 4}, /* not the payload's end */
        {{100, 300, 200, 400}, 4}, /* not rising */
        {{0, 200, 300, 400}, 4},   /* an empty first line */
    };
    for (size_t i = 0; i < sizeof(unusable) / sizeof(unusable[0]); i++) {
        batch->n_events = 4;
        set_line_ends(batch, unusable[i].ends, unusable[i].n);
        sf_hec_batcher_add(&b, held(batch), 0, note_done, &done);
        req = sf_hec_batcher_take(&b, 250, 0);
        assert_int_equal(req->n_events, 2);
        assert_int_equal(req->raw_len, 200);
        sf_hec_batcher_settle(&b, req, 0, 2, note_done, &done);
        sf_hec_request_free(&b, req);
        req = sf_hec_batcher_take(&b, 1000, 0);
        assert_int_equal(req->n_events, 2);
        sf_hec_batcher_settle(&b, req, 0, 2, note_done, &done);
        sf_hec_request_free(&b, req);
        assert_int_equal(done.n, 2 + i);
    }
    sf_hec_batcher_cleanup(&b);
    free_held(batch);
}

static void sends_an_oversized_event_alone(void **state)
{
    (void)state;
    struct sf_hec_batcher b;
    struct done_log done = {0};
    sf_hec_batcher_init(&b);
    struct sf_batch *batch = make_batch(1, 0, 3, 100);
    sf_hec_batcher_add(&b, held(batch), 0, note_done, &done);
    for (int i = 0; i < 3; i++) {
        struct sf_hec_request *req = sf_hec_batcher_take(&b, 40, 0);
        assert_int_equal(req->n_events, 1);
        assert_int_equal(req->raw_len, 100);
        sf_hec_batcher_settle(&b, req, 0, 1, note_done, &done);
        sf_hec_request_free(&b, req);
    }
    assert_int_equal(done.n, 1);
    sf_hec_batcher_cleanup(&b);
    free_held(batch);
}

static void skips_blank_lines_and_takes_an_unterminated_last_line(void **state)
{
    (void)state;
    struct sf_hec_batcher b;
    struct done_log done = {0};
    sf_hec_batcher_init(&b);
    struct sf_batch *batch = sf_batch_new();
    sf_buf_append_cstr(&batch->payload,
                       "\n{\"event\":\"e0\"}\n\n\n{\"event\":\"e1\"}\n{\"event\":\"e2\"}");
    batch->n_events = 3;
    sf_hec_batcher_add(&b, held(batch), 0, note_done, &done);
    struct sf_hec_request *req = sf_hec_batcher_take(&b, 1 << 20, 0);
    assert_int_equal(req->n_events, 3);
    struct sf_batch *owner;
    const uint8_t *line;
    size_t len;
    sf_hec_request_line(req, 1, &owner, &line, &len);
    assert_ptr_equal(owner, batch);
    char text[64];
    snprintf(text, sizeof(text), "%.*s", (int)len, (const char *)line);
    assert_int_equal(line_id(text), 1);
    sf_hec_request_line(req, 2, &owner, &line, &len);
    assert_memory_equal(line, "{\"event\":\"e2\"}", len);
    sf_hec_batcher_settle(&b, req, 0, 3, note_done, &done);
    sf_hec_request_free(&b, req);
    assert_int_equal(done.n, 1);

    /* a batch with nothing but blank lines is delivered at once */
    struct sf_batch *empty = sf_batch_new();
    sf_buf_append_cstr(&empty->payload, "\n\n");
    sf_hec_batcher_add(&b, held(empty), 0, note_done, &done);
    assert_int_equal(done.n, 2);
    assert_ptr_equal(done.batches[1], empty);
    assert_int_equal(b.n_live, 0);
    sf_hec_batcher_cleanup(&b);
    free_held(batch);
    free_held(empty);
}

static void slices_splits_and_settles_ranges_exactly_once(void **state)
{
    (void)state;
    struct sf_hec_batcher b;
    struct done_log done = {0};
    sf_hec_batcher_init(&b);
    struct sf_batch *b1 = make_batch(1, 0, 4, 60);
    struct sf_batch *b2 = make_batch(1, 4, 6, 60);
    sf_hec_batcher_add(&b, held(b1), 0, note_done, &done);
    sf_hec_batcher_add(&b, held(b2), 0, note_done, &done);
    struct sf_hec_request *req = sf_hec_batcher_take(&b, 1 << 20, 0);
    assert_int_equal(req->n_events, 10);
    size_t k = sf_hec_request_split_point(req);
    assert_true(k == 5 || k == 4 || k == 6);
    struct sf_hec_request *lo = sf_hec_request_slice(&b, req, 0, k);
    struct sf_hec_request *hi = sf_hec_request_slice(&b, req, k, 10 - k);
    assert_int_equal(lo->raw_len + hi->raw_len, req->raw_len);
    /* cut "hi" at its second event as invalid-event-number 1 would */
    struct sf_hec_request *bad = sf_hec_request_slice(&b, hi, 1, 1);
    struct sf_hec_request *rest = sf_hec_request_slice(&b, hi, 2, hi->n_events - 2);
    struct sf_batch *owner;
    const uint8_t *line;
    size_t len;
    sf_hec_request_line(bad, 0, &owner, &line, &len);
    char text[128];
    snprintf(text, sizeof(text), "%.*s", (int)len, (const char *)line);
    assert_int_equal(line_id(text), (long)k + 1);
    sf_hec_batcher_settle(&b, hi, 0, 1, note_done, &done);
    sf_hec_batcher_settle(&b, lo, 0, lo->n_events, note_done, &done);
    assert_int_equal(done.n, 1); /* b1 (events 0..3) is complete */
    assert_ptr_equal(done.batches[0], b1);
    sf_hec_batcher_settle(&b, rest, 0, rest->n_events, note_done, &done);
    assert_int_equal(done.n, 1); /* b2 still misses the refused one */
    sf_hec_batcher_settle(&b, bad, 0, 1, note_done, &done);
    assert_int_equal(done.n, 2);
    assert_ptr_equal(done.batches[1], b2);
    struct sf_hec_request *all[] = {req, lo, hi, bad, rest};
    for (size_t i = 0; i < 5; i++) {
        sf_hec_request_free(&b, all[i]);
    }
    sf_hec_batcher_cleanup(&b);
    free_held(b1);
    free_held(b2);
}

static void lingers_until_full_or_due(void **state)
{
    (void)state;
    struct sf_hec_batcher b;
    struct done_log done = {0};
    sf_hec_batcher_init(&b);
    int64_t wake = INT64_MAX;
    assert_false(sf_hec_batcher_ready(&b, 1000, 0, 0, 100, false, &wake));
    struct sf_batch *batch = make_batch(1, 0, 2, 100);
    sf_hec_batcher_add(&b, held(batch), 1000, note_done, &done);
    assert_false(sf_hec_batcher_ready(&b, 1000, 0, 1050, 100, false, &wake));
    assert_int_equal(wake, 1100);
    assert_true(sf_hec_batcher_ready(&b, 1000, 0, 1100, 100, false, &wake));
    assert_true(sf_hec_batcher_ready(&b, 1000, 0, 1001, 100, true, &wake));  /* stopping */
    assert_true(sf_hec_batcher_ready(&b, 200, 0, 1001, 100, false, &wake));  /* full */
    assert_true(sf_hec_batcher_ready(&b, 1000, 2, 1001, 100, false, &wake)); /* max_events */
    assert_ptr_equal(sf_hec_batcher_pop(&b), &batch->entries[0]);
    assert_null(sf_hec_batcher_pop(&b));
    assert_int_equal(b.untaken_bytes, 0);
    assert_int_equal(b.untaken_lines, 0);
    sf_hec_batcher_cleanup(&b);
    free_held(batch);
}

static void count_req(void *ctx, struct sf_hec_request *req)
{
    (void)req;
    (*(size_t *)ctx)++;
}

static void keeps_ack_ids_sorted_and_finds_them(void **state)
{
    (void)state;
    struct sf_hec_acks acks;
    sf_hec_acks_init(&acks);
    struct sf_hec_request reqs[200];
    memset(reqs, 0, sizeof(reqs));
    for (uint64_t i = 0; i < 200; i++) {
        uint64_t id = (i * 37) % 200; /* out of order */
        reqs[id].acked_ms = (int64_t)id;
        assert_null(sf_hec_acks_add(&acks, id, &reqs[id]));
    }
    assert_int_equal(sf_hec_acks_pending(&acks), 200);
    struct sf_buf body;
    sf_buf_init(&body, 1 << 20);
    SF_CHECK_ERR(sf_hec_acks_query(&acks, 3, &body), SF_OK);
    assert_int_equal(body.len, strlen("{\"acks\":[0,1,2]}"));
    assert_memory_equal(body.ptr, "{\"acks\":[0,1,2]}", body.len);
    for (uint64_t id = 0; id < 150; id++) {
        assert_ptr_equal(sf_hec_acks_take(&acks, id), &reqs[id]);
        assert_null(sf_hec_acks_take(&acks, id));
    }
    assert_int_equal(sf_hec_acks_pending(&acks), 50);
    SF_CHECK_ERR(sf_hec_acks_query(&acks, 2, &body), SF_OK);
    assert_memory_equal(body.ptr, "{\"acks\":[150,151]}", body.len);
    /* a repeated id hands back the request that held it and is then held by neither: an
     * answer for it confirms nothing */
    struct sf_hec_request other = {0};
    assert_ptr_equal(sf_hec_acks_add(&acks, 160, &other), &reqs[160]);
    assert_int_equal(sf_hec_acks_pending(&acks), 49);
    assert_null(sf_hec_acks_take(&acks, 160));
    /* an id taken before may be recorded again (its hole is reused) */
    assert_null(sf_hec_acks_add(&acks, 10, &reqs[10]));
    assert_ptr_equal(sf_hec_acks_take(&acks, 10), &reqs[10]);
    /* an answer only takes a request its query asked about (ack_seq at most the query's) */
    reqs[10].ack_seq = 7;
    assert_null(sf_hec_acks_add(&acks, 10, &reqs[10]));
    assert_null(sf_hec_acks_take_asked(&acks, 10, 6));
    assert_ptr_equal(sf_hec_acks_take_asked(&acks, 10, 7), &reqs[10]);
    size_t n_expired = 0;
    /* 150..169 but 160 came before 170 */
    assert_int_equal(sf_hec_acks_take_expired(&acks, 170, count_req, &n_expired), 19);
    assert_int_equal(n_expired, 19);
    assert_int_equal(sf_hec_acks_pending(&acks), 30);
    assert_int_equal(sf_hec_acks_take_expired(&acks, INT64_MAX, count_req, &n_expired), 30);
    assert_int_equal(sf_hec_acks_pending(&acks), 0);
    sf_buf_cleanup(&body);
    sf_hec_acks_cleanup(&acks);
}

static void gzips_scattered_chunks_into_one_member_zlib_reads(void **state)
{
    (void)state;
    struct sf_hec_gzip gz;
    struct sf_buf out;
    sf_buf_init(&out, 64 << 20);
    for (int level = 0; level <= 1; level++) {
        sf_hec_gzip_init(&gz, level);
        for (int round = 0; round < 3; round++) { /* buffers reused */
            struct sf_batch *b1 = make_batch(1, 0, 2000, 200);
            struct sf_batch *b2 = make_batch(1, 2000, 10, 200);
            struct sf_hec_chunk chunks[3] = {
                {b1->payload.ptr, b1->payload.len},
                {(const uint8_t *)"", 0},
                {b2->payload.ptr, b2->payload.len},
            };
            SF_CHECK_ERR(sf_hec_gzip_compress(&gz, chunks, 3, &out), SF_OK);
            assert_true(out.len < (b1->payload.len + b2->payload.len) / 3);
            size_t total = b1->payload.len + b2->payload.len;
            uint8_t *plain = test_malloc(total + 16);
            uLongf plain_len = total + 16;
            z_stream zs;
            memset(&zs, 0, sizeof(zs));
            assert_int_equal(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
            zs.next_in = out.ptr;
            zs.avail_in = (uInt)out.len;
            zs.next_out = plain;
            zs.avail_out = (uInt)plain_len;
            assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
            assert_int_equal(zs.total_out, total);
            inflateEnd(&zs);
            assert_memory_equal(plain, b1->payload.ptr, b1->payload.len);
            assert_memory_equal(plain + b1->payload.len, b2->payload.ptr, b2->payload.len);
            test_free(plain);
            free_held(b1);
            free_held(b2);
        }
        /* empty input is still a valid gzip member */
        SF_CHECK_ERR(sf_hec_gzip_compress(&gz, NULL, 0, &out), SF_OK);
        assert_true(out.len >= 18);
        sf_hec_gzip_cleanup(&gz);
    }
    sf_buf_cleanup(&out);
}

static void formats_dead_letter_records_as_json_lines(void **state)
{
    (void)state;
    struct sf_batch *batch = make_batch(7, 0, 1, 40);
    snprintf(batch->cursor, sizeof(batch->cursor), "MTY4OTk=\"x");
    struct sf_buf out;
    sf_buf_init(&out, 1 << 20);
    SF_CHECK_ERR(sf_dead_letter_format(&out, 1732600000, 400, 6, "Invalid \"data\" format", batch,
                                       batch->payload.ptr, batch->payload.len),
                 SF_OK);
    const char *not_json = "{\"event\":\"e9\", broken\n";
    SF_CHECK_ERR(sf_dead_letter_format(&out, 1732600001, 413, -1, "", batch,
                                       (const uint8_t *)not_json, strlen(not_json)),
                 SF_OK);
    sf_buf_terminate(&out);
    char *second = strchr((char *)out.ptr, '\n') + 1;
    json_error_t jerr;
    json_t *rec = json_loadb((const char *)out.ptr, (size_t)(second - (char *)out.ptr), 0, &jerr);
    assert_non_null(rec);
    assert_int_equal(json_integer_value(json_object_get(rec, "time_dead")), 1732600000);
    assert_int_equal(json_integer_value(json_object_get(rec, "status")), 400);
    assert_int_equal(json_integer_value(json_object_get(rec, "code")), 6);
    assert_string_equal(json_string_value(json_object_get(rec, "text")), "Invalid \"data\" format");
    assert_string_equal(json_string_value(json_object_get(rec, "source")), "proj/store");
    assert_int_equal(json_integer_value(json_object_get(rec, "shard")), 7);
    assert_string_equal(json_string_value(json_object_get(rec, "cursor")), "MTY4OTk=\"x");
    json_t *event = json_object_get(rec, "event");
    assert_string_equal(json_string_value(json_object_get(event, "event")), "e0");
    json_decref(rec);
    rec = json_loads(second, 0, &jerr);
    assert_non_null(rec);
    assert_true(json_is_true(json_object_get(rec, "event_is_not_json")));
    assert_string_equal(json_string_value(json_object_get(rec, "event")),
                        "{\"event\":\"e9\", broken");
    json_decref(rec);
    sf_buf_cleanup(&out);
    free_held(batch);
}

/* A URL that cannot be used is named in the error, but its secrets are not (issue 10 §7). */
static void url_errors_do_not_show_secrets(void **state)
{
    (void)state;
    char *ack, *health;
    char hostport[128], err[256];
    bool is_https;
    SF_CHECK_ERR(sf_hec_http_urls("ftp://u:hunter2@x/y?token=abc123", &ack, &health, hostport,
                                  sizeof(hostport), &is_https, err, sizeof(err)),
                 SF_ERR_CONFIG);
    assert_non_null(strstr(err, "ftp://"));
    assert_null(strstr(err, "hunter2"));
    assert_null(strstr(err, "abc123"));
    SF_CHECK_ERR(sf_hec_http_urls("https://u:hunter2@[bad/y?token=abc123", &ack, &health, hostport,
                                  sizeof(hostport), &is_https, err, sizeof(err)),
                 SF_ERR_CONFIG);
    assert_null(strstr(err, "hunter2"));
    assert_null(strstr(err, "abc123"));
}

static void derives_ack_and_health_urls(void **state)
{
    (void)state;
    char *ack, *health;
    char hostport[128], err[256];
    bool is_https;
    SF_CHECK_ERR(sf_hec_http_urls("https://splunk:8088/services/collector/event?x=1", &ack, &health,
                                  hostport, sizeof(hostport), &is_https, err, sizeof(err)),
                 SF_OK);
    assert_string_equal(ack, "https://splunk:8088/services/collector/ack");
    assert_string_equal(health, "https://splunk:8088/services/collector/health/1.0");
    assert_string_equal(hostport, "splunk:8088");
    assert_true(is_https);
    free(ack);
    free(health);
    SF_CHECK_ERR(sf_hec_http_urls("http://proxy/splunk/services/collector", &ack, &health, hostport,
                                  sizeof(hostport), &is_https, err, sizeof(err)),
                 SF_OK);
    assert_string_equal(ack, "http://proxy/splunk/services/collector/ack");
    assert_string_equal(hostport, "proxy:80");
    assert_false(is_https);
    free(ack);
    free(health);
    SF_CHECK_ERR(sf_hec_http_urls("https://h.splunkcloud.com/custom", &ack, &health, hostport,
                                  sizeof(hostport), &is_https, err, sizeof(err)),
                 SF_OK);
    assert_string_equal(ack, "https://h.splunkcloud.com/services/collector/ack");
    assert_string_equal(hostport, "h.splunkcloud.com:443");
    free(ack);
    free(health);
    SF_CHECK_ERR(sf_hec_http_urls("ftp://x/y", &ack, &health, hostport, sizeof(hostport), &is_https,
                                  err, sizeof(err)),
                 SF_ERR_CONFIG);
    assert_null(ack);
    char channel[40];
    sf_hec_http_channel(channel, sizeof(channel));
    assert_int_equal(strlen(channel), 36);
    assert_int_equal(channel[14], '4');
    assert_true(strchr("89ab", channel[19]) != NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(takes_whole_lines_up_to_the_byte_limit),
        cmocka_unit_test(marks_a_batch_taken_when_its_last_line_is_in_a_request),
        cmocka_unit_test(fills_requests_across_batches_and_caps_events),
        cmocka_unit_test(sends_an_oversized_event_alone),
        cmocka_unit_test(takes_the_line_ends_the_batch_brings),
        cmocka_unit_test(skips_blank_lines_and_takes_an_unterminated_last_line),
        cmocka_unit_test(slices_splits_and_settles_ranges_exactly_once),
        cmocka_unit_test(lingers_until_full_or_due),
        cmocka_unit_test(keeps_ack_ids_sorted_and_finds_them),
        cmocka_unit_test(gzips_scattered_chunks_into_one_member_zlib_reads),
        cmocka_unit_test(formats_dead_letter_records_as_json_lines),
        cmocka_unit_test(derives_ack_and_health_urls),
        cmocka_unit_test(url_errors_do_not_show_secrets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
