/* The STATUS= text systemd shows: how many sources joined, and which are still waiting. */
#include "sf_test.h"

#include <string.h>

#include "app/notify_status.h"

static void status_of(const struct sf_coord_source_view *views, size_t n, char *text, size_t size)
{
    size_t n_sources = 0, n_joined = 0;
    char waiting[64] = "";
    for (size_t i = 0; i < n; i++) {
        sf_notify_status_add(&views[i], &n_sources, &n_joined, waiting, sizeof(waiting));
    }
    sf_notify_status_format(n_sources, n_joined, waiting, text, size);
}

static void names_the_sources_still_waiting(void **state)
{
    (void)state;
    struct sf_coord_source_view views[] = {
        {.name = "demo/nginx", .is_joined = true},
        {.name = "demo/audit", .is_joined = false},
        {.name = "demo/trail", .is_joined = false},
    };
    char text[256];
    status_of(views, 3, text, sizeof(text));
    assert_string_equal(text, "STATUS=joined 1 of 3 sources; waiting for: demo/audit, demo/trail");
    views[1].is_joined = views[2].is_joined = true;
    status_of(views, 3, text, sizeof(text));
    assert_string_equal(text, "STATUS=delivering: all 3 sources joined");
}

static void a_long_list_is_cut_visibly(void **state)
{
    (void)state;
    struct sf_coord_source_view views[8];
    for (size_t i = 0; i < 8; i++) {
        views[i] = (struct sf_coord_source_view){.name = "project/a-long-logstore-name"};
    }
    char text[256];
    status_of(views, 8, text, sizeof(text));
    assert_non_null(
        strstr(text, "joined 0 of 8 sources; waiting for: project/a-long-logstore-name"));
    assert_non_null(strstr(text, ", ..."));
    assert_null(strstr(strstr(text, ", ...") + 1, ", ...")); /* said once */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_the_sources_still_waiting),
        cmocka_unit_test(a_long_list_is_cut_visibly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
