// productgraphd with every metrics hook switched off, for bench/metrics_overhead.sh
// only: the same binary otherwise, so the two daemons differ by the counting alone.
#include "daemon/daemon.hpp"
#include "metrics/counting_switch.hpp"

int main()
{
    productgraph::metrics::set_counting_enabled(false);
    return productgraph::daemon::run();
}
