// no_entry.so: a valid shared library without pgraph_publisher_entry_v1; the host must skip it.
#include <productgraph/publisher.h>

extern "C" PGRAPH_EXPORT int pgraph_not_a_publisher(void)
{
    return 0;
}
