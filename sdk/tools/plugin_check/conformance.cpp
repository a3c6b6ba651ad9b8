// The behaviour checks: negotiation, create failures, create/destroy cycles,
// batches and their per-event results, admin requests, verify and prompt destroy.
#include "conformance.hpp"

#include <productgraph/publisher.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <memory>

namespace pgraph::check {
namespace {

using Clock = std::chrono::steady_clock;

// Bytes the host fills and the plugin must never write: past each result's fields,
// and past the last result.
constexpr unsigned char guard_byte = 0xA5;
constexpr size_t guard_bytes = 32;
// How long destroy, and a publish past its deadline, may take.
constexpr auto prompt = std::chrono::seconds(2);

bool known_status(pgraph_status status)
{
    return status >= PGRAPH_OK && status <= PGRAPH_FATAL;
}

bool terminated(const char *buffer, size_t capacity)
{
    return std::memchr(buffer, '\0', capacity) != nullptr;
}

// The plugin, loaded and negotiated in this child, or a failure reported.
const pgraph_publisher_descriptor *descriptor_of(const Target &target, const Report &report)
{
    const LoadedPlugin loaded = load_plugin(target.file);
    if (loaded.descriptor == nullptr) report.failure(loaded.error);
    return loaded.descriptor;
}

// An instance created with the --env values, destroyed (and timed) at scope exit.
class Instance {
public:
    Instance(const pgraph_publisher_descriptor &d, const Target &target, const Report &report) : d_(d), report_(report)
    {
        const Created created = create_instance(d, host_, configuration(d, target.env));
        if (created.status != PGRAPH_OK || created.instance == nullptr) {
            report.failure("create failed with the given --env (status " + std::to_string(created.status) +
                           "): " + created.error + "; pass the plugin's required variables with --env K=V");
            return;
        }
        instance_ = created.instance;
    }
    ~Instance()
    {
        if (instance_ == nullptr) return;
        const auto start = Clock::now();
        d_.destroy(instance_);
        if (Clock::now() - start > prompt) report_.failure("destroy took longer than 2 s");
    }
    Instance(const Instance &) = delete;
    Instance &operator=(const Instance &) = delete;

    void *get() const { return instance_; }
    const FakeHostTable &host() const { return host_; }

private:
    const pgraph_publisher_descriptor &d_;
    const Report &report_;
    FakeHostTable host_;
    void *instance_ = nullptr;
};

void check_negotiation(const Target &target, const Report &report)
{
    const LoadedPlugin loaded = load_plugin(target.file);
    if (loaded.entry == nullptr) {
        report.failure(loaded.error);
        return;
    }
    const uint32_t needs = loaded.descriptor != nullptr ? loaded.descriptor->min_host_minor : 0;
    for (const uint32_t minor : {0u, 1u, uint32_t{PGRAPH_ABI_MINOR}, uint32_t{PGRAPH_ABI_MINOR} + 7}) {
        const LoadedPlugin again = load_plugin(target.file, minor);
        if (again.descriptor == nullptr && minor >= needs) {
            report.failure("refused host ABI 1." + std::to_string(minor) +
                           ", which its min_host_minor allows: " + again.error);
        }
    }
    // A host of another major must be refused, with a reason that fits the buffer.
    for (const size_t capacity : {size_t{256}, size_t{8}}) {
        std::array<char, 256> reason;
        reason.fill('\x7f');
        pgraph_negotiation other{sizeof(pgraph_negotiation), PGRAPH_ABI_MAJOR + 1, 0, 0, reason.data(), capacity};
        if (loaded.entry(&other) != nullptr) {
            report.failure("accepted a host of ABI major " + std::to_string(PGRAPH_ABI_MAJOR + 1));
            return;
        }
        if (!terminated(reason.data(), capacity)) {
            report.failure("the refusal reason is not NUL-terminated within " + std::to_string(capacity) + " bytes");
        } else if (capacity == 256 && reason[0] == '\0') {
            report.failure("refused ABI major 2 without a reason");
        }
        if (std::any_of(reason.begin() + static_cast<long>(capacity), reason.end(),
                        [](char c) { return c != '\x7f'; })) {
            report.failure("wrote past negotiation->error_capacity (" + std::to_string(capacity) + ")");
        }
    }
}

void check_required_variables(const Target &target, const Report &report)
{
    const pgraph_publisher_descriptor *d = descriptor_of(target, report);
    if (d == nullptr) return;
    bool any = false;
    for (uint32_t i = 0; i < d->env_var_count; ++i) {
        const pgraph_env_var &variable = variable_at(*d, i);
        if ((variable.flags & PGRAPH_ENV_REQUIRED) == 0 || variable.default_value != nullptr) continue;
        any = true;
        FakeHostTable host;
        const Created created = create_instance(*d, host, configuration(*d, target.env, variable.name));
        const std::string name = variable.name;
        if (created.status == PGRAPH_OK) {
            report.failure("create succeeded without the required " + name);
            if (created.instance != nullptr) d->destroy(created.instance);
            continue;
        }
        if (created.touched_on_failure) report.failure("create failed without " + name + " but wrote *instance");
        if (!created.error_terminated)
            report.failure("create's error is not NUL-terminated without " + name);
        else if (created.error.empty())
            report.failure("create failed without " + name + " but gave no reason");
    }
    if (!any) report.info("no required variable without a default");
}

void check_create_destroy_cycles(const Target &target, const Report &report)
{
    const pgraph_publisher_descriptor *d = descriptor_of(target, report);
    if (d == nullptr) return;
    for (int cycle = 0; cycle < 20; ++cycle) {
        const Instance instance(*d, target, report);
        if (instance.get() == nullptr) return;
    }
}

// Synthetic events and the host-side buffers around one publish call.
class BatchFixture {
public:
    BatchFixture(size_t count, uint32_t result_stride) : stride_(result_stride)
    {
        for (size_t i = 0; i < count; ++i) {
            ids_.push_back("check-" + std::to_string(i));
            json_.push_back(
                R"({"event_id":")" + ids_.back() +
                R"(","session":{"id":"s-1"},"event":{"type":"plugin.check","timestamp":"2026-01-01T00:00:00Z"},"user":{"id":"user-1"}})");
        }
        events_.resize(count);
        for (size_t i = 0; i < count; ++i) {
            pgraph_event &e = events_[i];
            e.struct_size = sizeof e;
            e.event_id = pgraph::str(ids_[i]);
            e.type = pgraph::str("plugin.check");
            e.user_id = pgraph::str("user-1");
            e.session_id = pgraph::str("s-1");
            e.client_ip = pgraph::str("127.0.0.1");
            e.timestamp_ms = 1767225600000;
            e.received_ms = now_unix_ms();
            e.json = pgraph::str(json_[i]);
        }
        results_.assign(count * stride_ + guard_bytes, guard_byte);
        for (size_t i = 0; i < count; ++i) {
            pgraph_event_result fresh{};
            fresh.struct_size = stride_ < sizeof fresh ? stride_ : sizeof fresh;
            fresh.status = PGRAPH_EVENT_RETRY;
            std::memset(fresh.reason, 0x7f, sizeof fresh.reason);
            fresh.reason[0] = '\0';
            std::memcpy(results_.data() + i * stride_, &fresh, std::min<size_t>(stride_, sizeof fresh));
        }
        message_.fill('\x7f');
        message_[0] = '\0';
    }

    pgraph_status publish(const pgraph_publisher_descriptor &d, void *instance, const Report &report,
                          const std::string &what)
    {
        pgraph_batch batch{};
        batch.struct_size = sizeof batch;
        batch.attempt = 1;
        batch.events = events_.data();
        batch.event_count = events_.size();
        batch.event_size = sizeof(pgraph_event);
        batch.deadline_unix_ms = now_unix_ms() + 3000;
        pgraph_publish_result result{};
        result.struct_size = sizeof result;
        result.event_result_size = stride_;
        result.events = reinterpret_cast<pgraph_event_result *>(results_.data());
        result.message = message_.data();
        result.message_capacity = message_.size();
        const pgraph_status status = d.publish(instance, &batch, &result);
        if (now_unix_ms() > batch.deadline_unix_ms + std::chrono::milliseconds(prompt).count()) {
            report.failure(what + ": publish returned more than 2 s after its deadline");
        }
        if (!known_status(status)) report.failure(what + ": publish returned unknown status " + std::to_string(status));
        if (!terminated(message_.data(), message_.size())) report.failure(what + ": message is not NUL-terminated");
        check_results(status, report, what);
        return status;
    }

private:
    void check_results(pgraph_status status, const Report &report, const std::string &what) const
    {
        const size_t fields = std::min<size_t>(stride_, sizeof(pgraph_event_result));
        for (size_t i = 0; i < events_.size(); ++i) {
            const unsigned char *at = results_.data() + i * stride_;
            pgraph_event_result entry{};
            std::memcpy(&entry, at, fields);
            const std::string which = what + ": event result " + std::to_string(i);
            if (entry.struct_size != fields) report.failure(which + ": struct_size was overwritten (stride ignored?)");
            if (!terminated(entry.reason, sizeof entry.reason))
                report.failure(which + ": reason is not NUL-terminated");
            if (status == PGRAPH_PARTIAL && (entry.status < PGRAPH_EVENT_OK || entry.status > PGRAPH_EVENT_REJECT)) {
                report.failure(which + ": unknown per-event status " + std::to_string(entry.status));
            }
            if (std::any_of(at + fields, at + stride_, [](unsigned char c) { return c != guard_byte; })) {
                report.failure(which + ": bytes past the result's fields were written (the host's stride is " +
                               std::to_string(stride_) + ")");
                return;  // one such report says it all
            }
        }
        const unsigned char *tail = results_.data() + events_.size() * stride_;
        if (std::any_of(tail, tail + guard_bytes, [](unsigned char c) { return c != guard_byte; })) {
            report.failure(what + ": wrote past the last per-event result");
        }
    }

    uint32_t stride_;
    std::vector<std::string> ids_, json_;
    std::vector<pgraph_event> events_;
    std::vector<unsigned char> results_;
    std::array<char, 256> message_{};
};

// As many events as the descriptor allows (capped so a check stays quick).
size_t max_batch(const pgraph_publisher_descriptor &d)
{
    size_t count = std::min<size_t>(d.max_batch_events, 5000);
    const size_t one_event = 170;  // the synthetic event's JSON size, near enough
    if (d.max_batch_bytes > 0) count = std::max<size_t>(1, std::min<size_t>(count, d.max_batch_bytes / one_event));
    return count;
}

void check_batches(const Target &target, const Report &report)
{
    const pgraph_publisher_descriptor *d = descriptor_of(target, report);
    if (d == nullptr) return;
    const Instance instance(*d, target, report);
    if (instance.get() == nullptr) return;
    const uint32_t newer_host_stride = sizeof(pgraph_event_result) + 24;  // a host whose results grew
    BatchFixture(0, sizeof(pgraph_event_result)).publish(*d, instance.get(), report, "empty batch");
    const size_t most = max_batch(*d);
    const pgraph_status full = BatchFixture(most, newer_host_stride)
                                   .publish(*d, instance.get(), report, std::to_string(most) + "-event batch");
    BatchFixture(std::min<size_t>(most, 50), v1_0_event_result_size)
        .publish(*d, instance.get(), report, "batch from a 1.0 host");
    report.info("a " + std::to_string(most) + "-event batch returned status " + std::to_string(full));
    if (d->flush != nullptr) {
        const int64_t deadline = now_unix_ms() + 3000;
        const pgraph_status flushed = d->flush(instance.get(), deadline);
        if (!known_status(flushed)) report.failure("flush returned unknown status " + std::to_string(flushed));
        if (now_unix_ms() > deadline + 2000) report.failure("flush returned more than 2 s after its deadline");
    }
}

void check_requests(const Target &target, const Report &report)
{
    const pgraph_publisher_descriptor *d = descriptor_of(target, report);
    if (d == nullptr) return;
    if (d->handle_request == nullptr) {
        report.info("no handle_request");
        return;
    }
    const Instance instance(*d, target, report);
    if (instance.get() == nullptr) return;
    for (const std::string path : {"/", "/events", "/plugin-check-no-such-path"}) {
        std::string body;
        pgraph_request request{sizeof(pgraph_request), 0, pgraph::str("GET"), pgraph::str(path), pgraph::str("")};
        pgraph_response response{sizeof(pgraph_response), 200, nullptr, &body,
                                 [](void *context, const char *data, size_t len) {
                                     if (data != nullptr) static_cast<std::string *>(context)->append(data, len);
                                 }};
        d->handle_request(instance.get(), &request, &response);
        if (response.status < 100 || response.status > 599) {
            report.failure("GET " + path + " answered status " + std::to_string(response.status));
        }
        if (response.content_type != nullptr && *response.content_type == '\0') {
            report.failure("GET " + path + " set an empty content_type");
        }
        if (path == "/plugin-check-no-such-path" && response.status != 404) {
            report.failure("GET of an unknown path answered " + std::to_string(response.status) + ", not 404");
        }
        report.info("GET " + path + " -> " + std::to_string(response.status) + ", " + std::to_string(body.size()) +
                    " bytes");
    }
}

void check_verify(const Target &target, const Report &report)
{
    const pgraph_publisher_descriptor *d = descriptor_of(target, report);
    if (d == nullptr) return;
    if (!PGRAPH_HAS_FIELD(d, pgraph_publisher_descriptor, verify) || d->verify == nullptr) {
        report.info("no verify");
        return;
    }
    const Instance instance(*d, target, report);
    if (instance.get() == nullptr) return;
    std::array<char, 512> reason;
    reason.fill('\x7f');
    const int64_t deadline = now_unix_ms() + 3000;
    const pgraph_status status = d->verify(instance.get(), deadline, reason.data(), reason.size());
    if (now_unix_ms() > deadline + 2000) report.failure("verify returned more than 2 s after its deadline");
    if (!known_status(status)) report.failure("verify returned unknown status " + std::to_string(status));
    if (!terminated(reason.data(), reason.size())) {
        report.failure("verify's reason is not NUL-terminated");
        return;
    }
    const bool wrote = reason[0] != '\x7f';
    report.info("verify returned " + std::to_string(status) + (wrote ? std::string(": ") + reason.data() : ""));
}

}  // namespace

const std::vector<Check> &conformance_checks()
{
    static const std::vector<Check> checks = {
        {"descriptor", describe_plugin},
        {"negotiation with host minors 1.0 to 1.9 and a refused major 2", check_negotiation},
        {"a missing required variable fails create cleanly", check_required_variables},
        {"20 create/destroy cycles, each destroy within 2 s", check_create_destroy_cycles},
        {"empty, maximum-size and 1.0-host batches with results in bounds", check_batches},
        {"handle_request answers", check_requests},
        {"verify answers by its deadline", check_verify},
    };
    return checks;
}

}  // namespace pgraph::check
