// The HTTP side of the Mixpanel plugin: one reused libcurl handle per instance, and
// the classification of Mixpanel's answers (providers.md §2.5, §5).
#ifndef PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_CLIENT_HPP
#define PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_CLIENT_HPP

#include "mixpanel_config.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace productgraph::mixpanel {

/// What one HTTP exchange gave.
struct HttpReply {
    long status = 0;                             ///< 0: no HTTP answer at all
    std::string body;                            ///< the response body, as received
    std::string transport_error;                 ///< libcurl's reason when status is 0
    std::optional<std::int64_t> retry_after_ms;  ///< a Retry-After header in seconds, as ms
    std::int64_t elapsed_ms = 0;
};

/// What to do with the events of one request.
enum class Verdict {
    delivered,         ///< every event was ingested
    partially_failed,  ///< strict 400: `failed` were refused, every other event was ingested
    rejected,          ///< no event can ever be ingested as sent (400, /track status 0, ...)
    too_large,         ///< 413: send the events in smaller requests
    retry,             ///< 429, 5xx, 408, no answer: send the same events again later
    fatal,             ///< 401/403, or an endpoint that is not Mixpanel's: stop the instance
};

/// One entry of a strict /import 400's failed_records.
struct FailedRecord {
    std::optional<std::size_t> index;  ///< position in the request's JSON array
    std::string insert_id;             ///< from "$insert_id" (docs prose) or "insert_id" (OpenAPI)
    std::string field;                 ///< e.g. "properties.time"
    std::string message;
};

/// A classified answer.
struct Classification {
    Verdict verdict = Verdict::retry;
    std::vector<FailedRecord> failed;  ///< with partially_failed
    std::string reason;                ///< one line for logs and results; never holds a secret we sent
};

/// Classifies Mixpanel's answer by HTTP status first and the body second, so that a
/// proxy's HTML error page is still understood (providers.md §6.7):
/// 200 delivered (on /track only with a body of 1 or {"status":1}); 400 under strict
/// with failed_records partially_failed, other 400s rejected; 401/403 fatal; 404, 405
/// and 3xx fatal (the URL is not Mixpanel's ingestion API); 408, 429, 5xx and no
/// answer retry; 413 too_large; any other 4xx rejected.
Classification classify(ApiMode api, const HttpReply &reply);

/// The path and query requests go to, e.g. "/import?strict=1&project_id=42".
std::string endpoint_path(const MixpanelSettings &settings);

/// Sends request bodies to Mixpanel over one reused connection (libcurl keeps it
/// alive between calls). TLS peers are verified; Basic auth on /import uses the
/// service account when configured, else the token as the user name. Not
/// thread-safe: one instance, one worker thread.
class MixpanelClient {
public:
    /// Throws std::runtime_error when libcurl cannot make a handle.
    explicit MixpanelClient(const MixpanelSettings &settings);
    ~MixpanelClient();
    MixpanelClient(const MixpanelClient &) = delete;
    MixpanelClient &operator=(const MixpanelClient &) = delete;

    /// POSTs `body` (gzip-encoded when `gzipped`) and waits at most `timeout_ms`
    /// (itself capped by the configured request timeout).
    HttpReply post(std::string_view body, bool gzipped, std::int64_t timeout_ms);

    /// The path and query of every request, for log lines.
    const std::string &path() const { return path_; }

private:
    struct Handles;
    std::unique_ptr<Handles> handles_;
    std::string url_;
    std::string path_;
    std::int64_t timeout_ms_;
    std::int64_t connect_timeout_ms_;
};

}  // namespace productgraph::mixpanel

#endif  // PRODUCTGRAPH_PLUGINS_MIXPANEL_MIXPANEL_CLIENT_HPP
