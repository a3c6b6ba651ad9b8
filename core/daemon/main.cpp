// productgraphd entry point; the command line decides what runs (command_line.cpp).
#include "daemon/command_line.hpp"

int main(int argc, char **argv)
{
    return productgraph::daemon::run_command_line(argc, argv);
}
