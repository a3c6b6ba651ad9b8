// productgraphd with every metrics hook switched off, for bench/metrics_overhead.sh
// only: the same binary otherwise, so the two daemons differ by the counting alone.
#include "daemon/command_line.hpp"
#include "metrics/counting_switch.hpp"

int main(int argc, char **argv)
{
    productgraph::metrics::set_counting_enabled(false);
    return productgraph::daemon::run_command_line(argc, argv);
}
