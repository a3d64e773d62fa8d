/* A source's membership state: every change goes through one setter that logs it (as a
 * shard's does), and dropping every shard sends a joined source back to rejoining. */
#include "sf_test.h"

#include <unistd.h>

#include "coord/coord_int.h"
#include "util/log.h"

static struct sf_config_source config = {.name = "demo/nginx", .consumer_group = "slsfwd"};

static char log_path[64];

static char *read_log(void)
{
    FILE *f = fopen(log_path, "r");
    assert_non_null(f);
    static char text[8192];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void each_change_is_logged_once(void **state)
{
    (void)state;
    struct sf_coord_source source = {.config = &config};
    assert_int_equal(source.member_state, SF_COORD_MEMBER_BOOTSTRAPPING);
    sf_coord_membership_set_state(&source, SF_COORD_MEMBER_REJOINING);
    sf_coord_membership_set_state(&source, SF_COORD_MEMBER_JOINED);
    sf_coord_membership_set_state(&source, SF_COORD_MEMBER_JOINED); /* no change: no line */
    assert_int_equal(source.member_state, SF_COORD_MEMBER_JOINED);
    const char *text = read_log();
    const char *first = strstr(text, "msg=\"membership bootstrapping -> rejoining\" "
                                     "source=demo/nginx group=slsfwd after_ms=");
    assert_non_null(first);
    const char *second = strstr(first, "msg=\"membership rejoining -> joined\"");
    assert_non_null(second);
    assert_null(strstr(second + 1, "msg=\"membership"));
}

static void dropping_every_shard_means_rejoining(void **state)
{
    (void)state;
    struct sf_coord_source source = {.config = &config};
    sf_coord_membership_drop_all(&source, "test");
    assert_int_equal(source.member_state, SF_COORD_MEMBER_BOOTSTRAPPING); /* not joined yet */
    source.member_state = SF_COORD_MEMBER_JOINED;
    struct sf_coord_shard *shard = sf_coord_shard_new(&source, 2);
    source.shards = shard;
    sf_coord_membership_drop_all(&source, "test");
    assert_int_equal(source.member_state, SF_COORD_MEMBER_REJOINING);
    assert_int_equal(shard->state, SF_COORD_SHARD_DROPPED);
    sf_coord_shard_free(shard);
}

static void states_have_names(void **state)
{
    (void)state;
    assert_string_equal(sf_coord_membership_state_name(SF_COORD_MEMBER_BOOTSTRAPPING),
                        "bootstrapping");
    assert_string_equal(sf_coord_membership_state_name(SF_COORD_MEMBER_REJOINING), "rejoining");
    assert_string_equal(sf_coord_membership_state_name(SF_COORD_MEMBER_JOINED), "joined");
}

int main(void)
{
    snprintf(log_path, sizeof(log_path), "/tmp/sf-membership-test.%d.log", (int)getpid());
    assert_true(sf_log_set_file(log_path, 1 << 20, 0));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_change_is_logged_once),
        cmocka_unit_test(dropping_every_shard_means_rejoining),
        cmocka_unit_test(states_have_names),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(log_path);
    return failed;
}
