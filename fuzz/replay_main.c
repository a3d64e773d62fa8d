/* Replays a committed corpus through a libFuzzer entry point, so every `make test` (and the
 * sanitizer build) runs each saved input once: `fuzz_<name>_replay <dir-or-file>...`.
 * Fails when a path is unreadable or the corpus is empty. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path, struct sf_buf *buf)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    sf_buf_reset(buf);
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (sf_buf_append(buf, chunk, n) != SF_OK) {
            fclose(f);
            fprintf(stderr, "replay: %s is too large\n", path);
            return -1;
        }
    }
    fclose(f);
    /* An exact-size heap copy, so ASan sees any read past the input. */
    uint8_t *copy = sf_xmalloc(buf->len ? buf->len : 1);
    if (buf->len) {
        memcpy(copy, buf->ptr, buf->len);
    }
    LLVMFuzzerTestOneInput(copy, buf->len);
    free(copy);
    return 0;
}

int main(int argc, char **argv)
{
    struct sf_buf buf;
    sf_buf_init(&buf, 64u << 20);
    size_t n_inputs = 0;
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: cannot stat %s\n", argv[i]);
            rc = 1;
            break;
        }
        if (!S_ISDIR(st.st_mode)) {
            rc = run_file(argv[i], &buf) ? 1 : 0;
            n_inputs++;
            continue;
        }
        DIR *dir = opendir(argv[i]);
        struct dirent *ent;
        while (dir && (ent = readdir(dir)) != NULL) {
            if (ent->d_name[0] == '.') {
                continue;
            }
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", argv[i], ent->d_name);
            if (run_file(path, &buf) != 0) {
                rc = 1;
                break;
            }
            n_inputs++;
        }
        if (dir) {
            closedir(dir);
        }
    }
    sf_buf_cleanup(&buf);
    if (rc == 0 && n_inputs == 0) {
        fprintf(stderr, "replay: no inputs found\n");
        rc = 1;
    }
    if (rc == 0) {
        printf("replay: %zu inputs ran clean\n", n_inputs);
    }
    return rc;
}
