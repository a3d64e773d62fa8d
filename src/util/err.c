#include "util/err.h"

#include <stddef.h>

#include "util/banned.h"

struct err_row {
    const char *name;
    const char *text;
    enum sf_errclass cls;
};

static const struct err_row rows[] = {
#define SF_ERR_ROW(code, class, text) {#code, text, class},
    SF_ERR_LIST(SF_ERR_ROW)
#undef SF_ERR_ROW
};

static const struct err_row *row_of(sf_err err)
{
    if ((unsigned)err >= sizeof(rows) / sizeof(rows[0])) {
        return NULL;
    }
    return &rows[err];
}

const char *sf_err_str(sf_err err)
{
    const struct err_row *row = row_of(err);
    return row ? row->text : "unknown error";
}

const char *sf_err_name(sf_err err)
{
    const struct err_row *row = row_of(err);
    return row ? row->name : "SF_ERR_UNKNOWN";
}

enum sf_errclass sf_err_class(sf_err err)
{
    const struct err_row *row = row_of(err);
    return row ? row->cls : SF_ERRCLASS_FATAL;
}

const char *sf_errclass_name(enum sf_errclass cls)
{
    switch (cls) {
    case SF_ERRCLASS_NONE:
        return "none";
    case SF_ERRCLASS_RETRY:
        return "retry";
    case SF_ERRCLASS_PERMANENT:
        return "permanent";
    case SF_ERRCLASS_FATAL:
        return "fatal";
    }
    return "fatal";
}
