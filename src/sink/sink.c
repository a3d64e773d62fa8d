#include "sink/sink.h"

#include "util/clock.h"

#include "util/banned.h"

void sf_sink_free(struct sf_sink *sink)
{
    if (!sink) {
        return;
    }
    sink->ops->destroy(sink);
}
