// productgraphd entry point; everything happens in daemon::run().
#include "daemon/daemon.hpp"

int main()
{
    return productgraph::daemon::run();
}
