/* The file sink's write path when the file system refuses part of a write (ENOSPC, EFBIG, a
 * short write): the file must never hold a torn NDJSON line, and writing continues at the end
 * of the last complete line, without writing a complete line twice. The refusal comes from
 * RLIMIT_FSIZE with SIGXFSZ ignored (write(2) then stores up to the limit and fails with EFBIG):
 * portable, no root, no tiny tmpfs. */
#include "sf_test.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink/file_sink.h"
#include "util/buf.h"
#include "util/clock.h"

#define LINE_LEN 100 /* bytes per line, '\n' included */

struct rec {
    pthread_mutex_t mu;
    size_t n_delivered, n_undelivered;
};

/* The batches' back function: the sink settled its hold, the only one. */
static void on_back(void *ctx, struct sf_batch *batch, bool is_delivered)
{
    (void)batch;
    struct rec *r = ctx;
    pthread_mutex_lock(&r->mu);
    if (is_delivered) {
        r->n_delivered++;
    } else {
        r->n_undelivered++;
    }
    pthread_mutex_unlock(&r->mu);
}

/* Gives |sink| the only hold on |batch|. */
static void submit(struct sf_sink *sink, struct rec *r, struct sf_batch *batch)
{
    sf_batch_open(batch, on_back, NULL, r);
    sf_sink_submit(sink, sf_batch_hold(batch, 0));
    sf_batch_unref(batch); /* the test's own reference */
}

static size_t n_delivered(struct rec *r)
{
    pthread_mutex_lock(&r->mu);
    size_t n = r->n_delivered;
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* |n| lines {"event":"e<first+i>","pad":"xx…"}\n of LINE_LEN bytes each. */
static struct sf_batch *make_batch(uint64_t seq, size_t first, size_t n)
{
    struct sf_batch *b = sf_batch_new();
    assert_non_null(b);
    b->seq = seq;
    b->n_events = n;
    for (size_t i = 0; i < n; i++) {
        char line[LINE_LEN + 1];
        int len = snprintf(line, sizeof(line), "{\"event\":\"e%04zu\",\"pad\":\"", first + i);
        while (len < LINE_LEN - 3) {
            line[len++] = 'x';
        }
        memcpy(line + len, "\"}\n", 3);
        assert_int_equal(sf_buf_append(&b->payload, line, LINE_LEN), SF_OK);
    }
    return b;
}

static void free_batch(struct sf_batch *b)
{
    sf_batch_free(b);
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static void set_fsize_limit(rlim_t limit)
{
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
    rl.rlim_cur = limit == RLIM_INFINITY ? rl.rlim_max : limit;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static void never_leaves_a_torn_line_after_a_write_error(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "/tmp/slsfwd-file-sink-test-%d.ndjson", (int)getpid());
    unlink(path);
    signal(SIGXFSZ, SIG_IGN);
    struct rec r = {.mu = PTHREAD_MUTEX_INITIALIZER};
    struct sf_sink *sink;
    SF_CHECK_ERR(sf_file_sink_new(path, &sink), SF_OK);
    SF_CHECK_ERR(sf_sink_start(sink), SF_OK);

    /* The disk "fills" 50 bytes into line 11 of the first batch. */
    const off_t limit = 10 * LINE_LEN + 50;
    set_fsize_limit((rlim_t)limit);
    struct sf_batch *a = make_batch(0, 0, 20);
    struct sf_batch *b = make_batch(1, 20, 5);
    submit(sink, &r, a);
    submit(sink, &r, b);
    /* While the limit holds: nothing confirmed, and the file shrinks back to whole lines (it
     * may show the 50 torn bytes for a moment while a retry writes them). */
    int64_t end = sf_now_ms() + 10000;
    bool has_trimmed = false;
    while (sf_now_ms() < end && !has_trimmed) {
        has_trimmed = file_size(path) == 10 * LINE_LEN;
        sf_sleep_ms(5);
    }
    set_fsize_limit(RLIM_INFINITY);
    assert_true(has_trimmed);
    end = sf_now_ms() + 20000;
    while (sf_now_ms() < end && n_delivered(&r) < 2) {
        sf_sleep_ms(10);
    }
    assert_int_equal(n_delivered(&r), 2);
    sf_sink_free(sink);
    assert_int_equal(r.n_undelivered, 0);

    /* Exactly the two batches, every line once and whole. */
    size_t len;
    uint8_t *text = sf_test_read_file(path, &len);
    assert_int_equal(len, a->payload.len + b->payload.len);
    assert_memory_equal(text, a->payload.ptr, a->payload.len);
    assert_memory_equal(text + a->payload.len, b->payload.ptr, b->payload.len);
    test_free(text);
    free_batch(a);
    free_batch(b);
    unlink(path);
}

/* Writes |old| (|old_len| bytes) to |path|, as an earlier run left it; then a new sink starts on
 * it, delivers |next| and stops. Returns the file's text (test_free it). */
static uint8_t *
start_after(const char *path, const void *old, size_t old_len, struct sf_batch *next, size_t *len)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(old, 1, old_len, f), old_len);
    assert_int_equal(fclose(f), 0);

    struct rec r = {.mu = PTHREAD_MUTEX_INITIALIZER};
    struct sf_sink *sink;
    SF_CHECK_ERR(sf_file_sink_new(path, &sink), SF_OK);
    SF_CHECK_ERR(sf_sink_start(sink), SF_OK);
    submit(sink, &r, next);
    int64_t end = sf_now_ms() + 20000;
    while (sf_now_ms() < end && n_delivered(&r) < 1) {
        sf_sleep_ms(5);
    }
    assert_int_equal(n_delivered(&r), 1);
    sf_sink_free(sink);
    uint8_t *text = sf_test_read_file(path, len);
    unlink(path);
    return text;
}

/* A run killed mid-write (kill -9 in write(2): the kernel stops between pages) leaves the file
 * ending in part of a line. Its events were never confirmed, so they come again; the next run
 * cuts those bytes off before it appends, or its first line would be glued to them. */
static void cuts_a_line_torn_by_an_earlier_run_before_appending(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "/tmp/slsfwd-file-sink-torn-%d.ndjson", (int)getpid());
    struct sf_batch *old = make_batch(0, 0, 3);
    struct sf_batch *next = make_batch(1, 3, 2);
    size_t whole = 2 * LINE_LEN; /* two complete lines, then 40 bytes of the third */
    size_t len;
    uint8_t *text = start_after(path, old->payload.ptr, whole + 40, next, &len);
    assert_int_equal(len, whole + next->payload.len);
    assert_memory_equal(text, old->payload.ptr, whole);
    assert_memory_equal(text + whole, next->payload.ptr, next->payload.len);
    test_free(text);
    free_batch(old);
    free_batch(next);
}

/* A file that holds only part of one line (killed in its first write) is cut to empty. */
static void cuts_a_file_that_is_all_torn_line(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "/tmp/slsfwd-file-sink-torn1-%d.ndjson", (int)getpid());
    struct sf_batch *next = make_batch(1, 0, 1);
    static const char torn[] = "{\"event\":\"e00";
    size_t len;
    uint8_t *text = start_after(path, torn, sizeof(torn) - 1, next, &len);
    assert_int_equal(len, next->payload.len);
    assert_memory_equal(text, next->payload.ptr, next->payload.len);
    test_free(text);
    free_batch(next);
}

/* A file that ends with a complete line is appended to as it is. */
static void keeps_a_file_that_ends_with_a_whole_line(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "/tmp/slsfwd-file-sink-whole-%d.ndjson", (int)getpid());
    struct sf_batch *old = make_batch(0, 0, 3);
    struct sf_batch *next = make_batch(1, 3, 2);
    size_t len;
    uint8_t *text = start_after(path, old->payload.ptr, old->payload.len, next, &len);
    assert_int_equal(len, old->payload.len + next->payload.len);
    assert_memory_equal(text, old->payload.ptr, old->payload.len);
    assert_memory_equal(text + old->payload.len, next->payload.ptr, next->payload.len);
    test_free(text);
    free_batch(old);
    free_batch(next);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(never_leaves_a_torn_line_after_a_write_error),
        cmocka_unit_test(cuts_a_line_torn_by_an_earlier_run_before_appending),
        cmocka_unit_test(cuts_a_file_that_is_all_torn_line),
        cmocka_unit_test(keeps_a_file_that_ends_with_a_whole_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
