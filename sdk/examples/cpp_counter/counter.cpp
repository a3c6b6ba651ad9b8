// counter.cpp: a C++ publisher built on pgraph::Publisher. It counts events by type,
// serves the counts at GET /v1/plugins/counter/counts, and rejects (per event) any
// event whose type is COUNTER_REJECT_TYPE, to show PARTIAL results.
#include <productgraph/publisher.hpp>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

namespace {

constexpr pgraph_env_var variables[] = {
    {sizeof(pgraph_env_var), 0, "COUNTER_ENABLED", "false", "true switches the counter on", PGRAPH_VAR_BOOL, 0, 0, 0,
     nullptr},
    {sizeof(pgraph_env_var), 0, "COUNTER_REJECT_TYPE", nullptr, "events of this type are rejected", PGRAPH_VAR_STRING,
     0, 0, 0, nullptr},
};

class Counter final : public pgraph::Publisher {
public:
    explicit Counter(const pgraph_create_args &args) : reject_type_(pgraph::config_value(&args, "COUNTER_REJECT_TYPE"))
    {
        if (reject_type_.size() > 100) throw std::invalid_argument("COUNTER_REJECT_TYPE: longer than 100 characters");
    }

    pgraph_status publish(const pgraph_batch &batch, pgraph_publish_result &result) override
    {
        bool rejected_any = false;
        std::lock_guard lock(mutex_);  // handle_request reads the counts concurrently
        for (size_t i = 0; i < batch.event_count; ++i) {
            const std::string type(pgraph::view(pgraph_batch_event(&batch, i)->type));
            const bool reject = !reject_type_.empty() && type == reject_type_;
            if (!reject) ++counts_[type];
            pgraph::set_event_result(&result, i, reject ? PGRAPH_EVENT_REJECT : PGRAPH_EVENT_OK,
                                     reject ? "rejected by COUNTER_REJECT_TYPE" : "");
            rejected_any = rejected_any || reject;
        }
        return rejected_any ? PGRAPH_PARTIAL : PGRAPH_OK;  // on OK the host reads no per-event result
    }

    void handle_request(const pgraph_request &request, pgraph_response &response) override
    {
        if (pgraph::view(request.path) != "/counts") return Publisher::handle_request(request, response);  // 404
        std::string body = "{";
        std::lock_guard lock(mutex_);
        for (const auto &[type, count] : counts_) {
            body += (body.size() > 1 ? ",\"" : "\"") + type + "\":" + std::to_string(count);  // types are [a-z0-9._-]
        }
        body += "}";
        response.append_body(response.context, body.data(), body.size());
    }

private:
    const std::string reject_type_;
    std::mutex mutex_;
    std::map<std::string, uint64_t> counts_;
};

}  // namespace

PGRAPH_DEFINE_PUBLISHER(Counter, {.name = "counter",
                                  .version = "1.0.0",
                                  .description = "counts events by type",
                                  .enable_variable = "COUNTER_ENABLED",
                                  .env_vars = variables,
                                  .env_var_count = 2})
