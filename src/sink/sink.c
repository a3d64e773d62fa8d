#include "sink/sink.h"

#include "util/banned.h"
#include "util/clock.h"

void sf_sink_free(struct sf_sink *sink)
{
    if (!sink) {
        return;
    }
    sink->ops->destroy(sink);
}
