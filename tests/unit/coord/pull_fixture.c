/* pull_fixture.h: the fetch worker's world that fetch_test.c and idle_test.c share. */
#include "sf_test.h"

#include "pull_fixture.h"

struct pull_fixture *pull_fixture_new(const char *query)
{
    struct pull_fixture *f = test_calloc(1, sizeof(*f));
    f->ts = hsv_start_bare(NULL, NULL);
    char endpoint[64];
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%u", hsv_port(f->ts));
    struct sf_sls_client_config client = {.endpoint = endpoint,
                                          .project = "prod",
                                          .creds = {"LTAI5tTestKeyId0001", "secret", NULL},
                                          .timeout_ms = 10000};
    char errbuf[256];
    SF_CHECK_ERR(sf_sls_client_new(&client, &f->sls, errbuf, sizeof(errbuf)), SF_OK);

    f->config.max_buffered_bytes = (size_t)256 << 20;
    f->cfg = (struct sf_config_source){.name = "nginx",
                                       .logstore = "nginx-access",
                                       .consumer_group = "siem",
                                       .consumer_name = "siem-host-1",
                                       .compress = "none",
                                       .query = (char *)query, /* never freed here */
                                       .pull_count = 1000,
                                       .fetch_interval_ms = 1000,
                                       .checkpoint_interval_s = 10,
                                       .group_timeout_s = 60};
    f->coord.config = &f->config;
    f->coord.sources = &f->source;
    f->coord.n_sources = 1;
    f->coord.workers = &f->worker;
    f->coord.n_workers = 1;
    pthread_mutex_init(&f->coord.lock, NULL);
    pthread_cond_init(&f->coord.wake, NULL);
    f->coord.budget = sf_budget_new(f->config.max_buffered_bytes);
    sf_coord_memory_init(&f->coord);
    f->source.config = &f->cfg;
    f->source.coord = &f->coord;
    f->source.sls = f->sls; /* commits */
    f->worker.coord = &f->coord;
    f->worker.sls = &f->sls; /* pulls */
    sf_sls_pull_result_init(&f->worker.result, (size_t)64 << 20, (size_t)64 << 20);
    return f;
}

struct sf_coord_shard *pull_fixture_add_shard(struct pull_fixture *f, int id)
{
    struct sf_coord_shard *shard = sf_coord_shard_new(&f->source, id);
    shard->state = SF_COORD_SHARD_RUNNING;
    snprintf(shard->cursor, sizeof(shard->cursor), "c0");
    snprintf(shard->deliverable, sizeof(shard->deliverable), "c0");
    snprintf(shard->committed, sizeof(shard->committed), "c0");
    shard->next = f->source.shards;
    f->source.shards = shard;
    return shard;
}

void pull_fixture_free(struct pull_fixture *f)
{
    for (struct sf_coord_shard *shard = f->source.shards, *next; shard; shard = next) {
        next = shard->next;
        sf_coord_shard_free(shard);
    }
    while (f->coord.free_batches) {
        struct sf_batch *batch = f->coord.free_batches;
        f->coord.free_batches = batch->pool_next;
        sf_coord_memory_batch_freed(&f->coord, batch);
        sf_batch_free(batch);
    }
    sf_coord_memory_release_worker(&f->worker);
    assert_int_equal(sf_budget_total(f->coord.budget), 0); /* every charge was given back */
    sf_budget_free(f->coord.budget);
    sf_sls_pull_result_cleanup(&f->worker.result);
    pthread_cond_destroy(&f->coord.wake);
    pthread_mutex_destroy(&f->coord.lock);
    sf_sls_client_free(f->sls);
    hsv_stop(f->ts);
    test_free(f);
}
