// Access log lines: {"level":"info","msg":"request","method":...,"path":...,"status":...}.
#include "http/request_completion.hpp"

#include <atomic>

#include "common/log.hpp"
#include "metrics/daemon_metrics.hpp"

namespace productgraph::http {
namespace {

std::atomic<bool> access_log{false};

}  // namespace

void set_access_log(bool enabled)
{
    access_log.store(enabled, std::memory_order_relaxed);
}

bool access_log_enabled()
{
    return access_log.load(std::memory_order_relaxed);
}

void request_completed(const CompletedRequest &request)
{
    metrics::count_http_request(request.listener, request.route, request.status);
    if (!access_log_enabled()) return;
    const int64_t duration_us = request.duration.count();
    const int64_t duration_ms = duration_us / 1000;
    if (request.status >= 400 && request.status < 500) {
        common::log_info("request", {{"listener", request.listener},
                                     {"method", request.method},
                                     {"path", request.path},
                                     {"route", request.route},
                                     {"status", request.status},
                                     {"bytes", request.bytes},
                                     {"duration_ms", duration_ms},
                                     {"ip", request.ip},
                                     {"reason", request.reason}});
        return;
    }
    common::log_info("request", {{"listener", request.listener},
                                 {"method", request.method},
                                 {"path", request.path},
                                 {"route", request.route},
                                 {"status", request.status},
                                 {"bytes", request.bytes},
                                 {"duration_ms", duration_ms},
                                 {"ip", request.ip}});
}

}  // namespace productgraph::http
