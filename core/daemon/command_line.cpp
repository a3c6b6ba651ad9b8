// Argument parsing and the --help/--version texts; the commands themselves live in
// daemon.cpp (run) and check_command.cpp (--check, --list-plugins).
#include "daemon/command_line.hpp"

#include <cstdio>
#include <string_view>

#include "daemon/build_info.hpp"
#include "daemon/check_command.hpp"
#include "daemon/daemon.hpp"

namespace productgraph::daemon {
namespace {

constexpr int usage_error = 2;

}  // namespace

common::Result<Command> parse_command_line(int argc, const char *const *argv)
{
    if (argc <= 1) return Command::run;
    if (argc > 2) return common::fail("one option at a time, got " + std::to_string(argc - 1) + " arguments");
    const std::string_view option = argv[1];
    if (option == "--help" || option == "-h") return Command::help;
    if (option == "--version") return Command::version;
    if (option == "--check") return Command::check;
    if (option == "--list-plugins") return Command::list_plugins;
    return common::fail("unknown argument \"" + std::string(option) + "\"");
}

std::string usage_text()
{
    return "usage: productgraphd                 run the daemon (configured by environment variables)\n"
           "       productgraphd --check         check the configuration and every plugin, then exit\n"
           "       productgraphd --list-plugins  list the plugin files, their state and variables\n"
           "       productgraphd --version       print the version, git commit and plugin ABI\n"
           "       productgraphd --help          print this help, every variable and the signals\n";
}

std::string version_text()
{
    return "productgraphd " + std::string(build_info::version) + "\ncommit " + std::string(build_info::git_commit) +
           "\nplugin ABI " + std::string(build_info::plugin_abi) + "\n";
}

std::string help_text()
{
    return "productgraphd: routes product-analytics events (POST /v1/events) to publisher plugins.\n\n" + usage_text() +
           R"(
--check exits 0 when the configuration is valid (warnings are printed but do not
fail it), 1 when it found an error; it binds no port and opens no queue.
Unknown arguments exit 2.

Environment (a bad value stops start-up with a line naming it, exit code 2):
  PORT                            public listen port, 0 = any free port (8080)
  PRODUCTGRAPH_LISTEN_ADDRESS     public bind address (0.0.0.0)
  PRODUCTGRAPH_ADMIN_ADDRESS      private admin listener host:port (127.0.0.1:8081)
  PRODUCTGRAPH_ADMIN_KEYS         comma-separated bearer keys for admin paths (open)
  DEBUG                           true adds per-request and per-dispatch lines (false)
  PRODUCTGRAPH_ACCESS_LOG         true logs one line per request (false)
  ANALYTICS_ENABLED               master switch for analytics providers (false)
  PRODUCTGRAPH_ENV_FILE           env file read at start and on every SIGHUP (none)
  PRODUCTGRAPH_PLUGIN_DIR         where *.so plugins are loaded from
  PRODUCTGRAPH_API_KEYS           comma-separated keys required in X-PG-API-Key (open)
  PRODUCTGRAPH_CORS_ORIGINS       comma-separated allowed origins, or * (*)
  PRODUCTGRAPH_TRUSTED_PROXIES    proxy IPs whose X-Forwarded-For is believed (none)
  PRODUCTGRAPH_QUEUE              disk (durable) or memory (lost on exit) (disk)
  PRODUCTGRAPH_QUEUE_DIR          the durable queue's folder ($STATE_DIRECTORY/queue)
  PRODUCTGRAPH_FSYNC              always, interval:<ms> or never (always)
  PRODUCTGRAPH_QUEUE_MAX_BYTES    queue capacity in bytes (536870912)
  PRODUCTGRAPH_QUEUE_MAX_EVENTS   the memory queue's capacity in events (1000000)
  PRODUCTGRAPH_RETRY_AFTER        seconds in Retry-After on 503 (1)
  PRODUCTGRAPH_RETRY_INITIAL_MS   first retry backoff (500)
  PRODUCTGRAPH_RETRY_MAX_MS       longest retry backoff (60000)
  PRODUCTGRAPH_RETRY_MAX_AGE      seconds before an undelivered event is a dead letter (86400)
  PRODUCTGRAPH_PUBLISH_TIMEOUT_MS deadline of each plugin publish call (30000)
  PRODUCTGRAPH_PUBLISH_HANG_MS    grace past it before a plugin is declared hung (30000)
  PRODUCTGRAPH_SHUTDOWN_TIMEOUT   seconds to drain the queue on SIGTERM (10)
  PRODUCTGRAPH_HTTP_THREADS       public listener threads (2)
  PRODUCTGRAPH_HEADER_TIMEOUT_MS  time for one request head (10000)
  PRODUCTGRAPH_BODY_TIMEOUT_MS    time for one body after its head (60000)
  PRODUCTGRAPH_KEEPALIVE_TIMEOUT_MS idle time before a connection closes (60000)
  PRODUCTGRAPH_MAX_HEADER_BYTES   request head cap (65536)
  PRODUCTGRAPH_MAX_HEADERS        request header count cap (100)
  PRODUCTGRAPH_MAX_INFLIGHT_BYTES body bytes held by unfinished requests (268435456)
Each plugin declares its own variables (<NAME>_ENABLED and more): see
productgraphd --list-plugins.

Env file (PRODUCTGRAPH_ENV_FILE): one NAME=VALUE per line; blank lines and lines
starting with # are ignored; spaces around the name and the value are ignored; a
value may be quoted with "..." (\" and \\ escapes) or '...' (literal). A variable set
in the file overrides the inherited environment; one removed from it falls back to
the inherited value at the next reload. A bad line is an error naming file and line.

Signals:
  SIGTERM, SIGINT  stop accepting, drain the queue to the plugins, exit 0
  SIGHUP           reload: re-read the env file and rescan the plugin directory.
                   ANALYTICS_ENABLED, DEBUG and every plugin variable take effect;
                   new or enabled plugins start, removed or disabled ones stop (their
                   queue position is kept), changed ones restart, the rest are left
                   alone. Other daemon variables need a restart. A reload with any
                   error changes nothing. systemd: systemctl reload productgraphd.
)";
}

int run_command_line(int argc, const char *const *argv)
{
    const auto command = parse_command_line(argc, argv);
    if (!command) {
        std::fprintf(stderr, "productgraphd: %s\n%s", command.error().message.c_str(), usage_text().c_str());
        return usage_error;
    }
    switch (*command) {
    case Command::help: std::fputs(help_text().c_str(), stdout); return 0;
    case Command::version: std::fputs(version_text().c_str(), stdout); return 0;
    case Command::check: return run_check();
    case Command::list_plugins: return run_list_plugins();
    case Command::run: return run();
    }
    return usage_error;
}

}  // namespace productgraph::daemon
