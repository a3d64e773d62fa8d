/* The world of one fetch worker, for tests that drive sf_coord_fetch_pull: a scripted SLS on
 * 127.0.0.1 (tests/support/http_server.h), an SLS client on it, and one coord with one
 * source (sls.query set) and one worker, wired as the coord wires them. Link
 * pull_fixture.c and tests/support/http_server.c. */
#ifndef SF_TEST_PULL_FIXTURE_H
#define SF_TEST_PULL_FIXTURE_H

#include "coord/coord_int.h"
#include "http_server.h"

struct pull_fixture {
    struct hsv_server *ts;
    struct sf_sls_client *sls;
    struct sf_config config;
    struct sf_config_source cfg; /* the source's; change it before adding shards */
    struct sf_coord_source source;
    struct sf_coord coord;
    struct sf_coord_worker worker;
    struct sf_coord_shard *a, *b; /* shards 0 and 1 of the source, once a test adds them */
};

/* A new fixture (cmocka's test_calloc) with no shard; the source pulls 1000 logs at most,
 * fetch_interval 1 s, with |query| as sls.query. Fails the test when the client cannot be made. */
struct pull_fixture *pull_fixture_new(const char *query);

/* Adds shard |id| to the source, RUNNING, with cursor, deliverable and committed at "c0". */
struct sf_coord_shard *pull_fixture_add_shard(struct pull_fixture *f, int id);

/* Frees the shards, the pooled batches, the worker and the fixture; checks that every budget
 * charge was given back. */
void pull_fixture_free(struct pull_fixture *f);

#endif
