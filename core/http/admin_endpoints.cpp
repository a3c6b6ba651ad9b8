// Operator-facing endpoints. /ready stays 200 while events can be accepted, even
// with a failed provider, so one bad key never pulls ingestion out of a balancer.
#include "http/admin_endpoints.hpp"

#include <cstdlib>

#include "common/json_text.hpp"
#include "http/json_response.hpp"

namespace productgraph::http {
namespace {

using common::append_json_string;

void append_field(std::string &out, std::string_view key, std::string_view value)
{
    append_json_string(out, key);
    out.push_back(':');
    append_json_string(out, value);
    out.push_back(',');
}

void append_number(std::string &out, std::string_view key, uint64_t value)
{
    append_json_string(out, key);
    out += ":" + std::to_string(value) + ",";
}

// Plugins that failed at start-up (load or create) and those that failed since.
std::string failed_plugins_json(const ApiContext &context)
{
    std::string out = "[";
    const auto add = [&out](std::string_view name, std::string_view file, std::string_view reason) {
        if (out.size() > 1) out.push_back(',');
        out += "{\"name\":" + common::json_string(name) + ",\"file\":" + common::json_string(file) +
               ",\"reason\":" + common::json_string(reason) + "}";
    };
    const auto plugins = context.plugins->snapshot();
    for (const plugin_host::PluginEntry &entry : *plugins) {
        if (entry.state == plugin_host::PluginState::failed) {
            add(entry.name, entry.file, entry.reason);
            continue;
        }
        const auto stats = context.dispatcher->stats_for(entry.name);
        if (stats != nullptr && stats->failed()) add(entry.name, entry.file, stats->failure());
    }
    return out + "]";
}

}  // namespace

void handle_health(ResponseWriter &response)
{
    send_json(response, Status::ok, "{\"status\":\"ok\"}");
}

void handle_ready(ApiContext &context, ResponseWriter &response)
{
    const queue::QueueStats stats = context.queue->stats();
    std::string reason;
    if (!context.accepting.load()) {
        reason = "shutting down";
    } else if (stats.refusing || stats.depth_events >= stats.capacity_events ||
               stats.depth_bytes >= stats.capacity_bytes) {
        reason = "queue is full";
    }
    if (!reason.empty()) {
        send_json(response, Status::service_unavailable,
                  "{\"status\":\"not_ready\",\"reason\":" + common::json_string(reason) + "}");
        return;
    }
    send_json(response, Status::ok, "{\"status\":\"ready\",\"failed_plugins\":" + failed_plugins_json(context) + "}");
}

void handle_plugin_list(ApiContext &context, ResponseWriter &response)
{
    std::string out = "{\"plugins\":[";
    bool first = true;
    const auto plugins = context.plugins->snapshot();
    for (const plugin_host::PluginEntry &entry : *plugins) {
        if (!first) out.push_back(',');
        first = false;
        const auto stats = context.dispatcher->stats_for(entry.name);
        const bool failed_at_runtime = stats != nullptr && stats->failed();
        out.push_back('{');
        append_field(out, "file", entry.file);
        append_field(out, "name", entry.name);
        append_field(out, "version", entry.version);
        append_field(out, "abi", entry.abi);
        append_field(out, "state", failed_at_runtime ? "failed" : plugin_host::state_name(entry.state));
        append_field(out, "reason", failed_at_runtime ? stats->failure() : entry.reason);
        if (stats != nullptr) {
            append_number(out, "delivered", stats->delivered.load());
            append_number(out, "retried", stats->retried.load());
            append_number(out, "rejected", stats->rejected.load());
            append_number(out, "expired", stats->expired.load());
            append_number(out, "dead_letters", context.dispatcher->dead_letters_for(entry.name)->count());
            append_number(out, "abandoned", stats->abandoned.load());
            append_number(out, "publish_calls", stats->publish_calls.load());
            append_number(out, "queue_lag", context.dispatcher->lag_for(entry.name));
        }
        out.pop_back();  // trailing comma
        out.push_back('}');
    }
    const queue::QueueStats stats = context.queue->stats();
    out += "],\"queue\":{\"depth_events\":" + std::to_string(stats.depth_events) +
           ",\"depth_bytes\":" + std::to_string(stats.depth_bytes) +
           // The disk queue has no event limit (UINT64_MAX inside): null says so.
           ",\"capacity_events\":" +
           (stats.capacity_events == UINT64_MAX ? std::string("null") : std::to_string(stats.capacity_events)) +
           ",\"capacity_bytes\":" + std::to_string(stats.capacity_bytes) +
           ",\"appended_total\":" + std::to_string(stats.appended_total) +
           ",\"refused_full_total\":" + std::to_string(stats.refused_full_total) + "}}";
    send_json(response, Status::ok, out);
}

void handle_dead_letter_list(ApiContext &context, std::string_view plugin, const Request &request,
                             ResponseWriter &response)
{
    const auto store = context.dispatcher->dead_letters_for(plugin);
    if (store == nullptr) {
        send_error(response, Status::not_found, "plugin " + std::string(plugin) + " is not enabled");
        return;
    }
    size_t limit = 100;
    if (const auto text = request.query_value("limit")) {
        char *end = nullptr;
        const unsigned long long parsed = std::strtoull(text->c_str(), &end, 10);
        if (text->empty() || *end != '\0' || parsed < 1 || parsed > 10'000) {
            send_error(response, Status::bad_request, "limit: must be an integer from 1 to 10000");
            return;
        }
        limit = parsed;
    }
    std::string out = "{\"dead_letters\":[";
    for (const dispatch::DeadLetter &letter : store->list(limit)) {
        if (out.back() != '[') out.push_back(',');
        out += dispatch::dead_letter_json(letter);
    }
    out += "],\"count\":" + std::to_string(store->count()) +
           ",\"replay_in_progress\":" + (store->replay_in_progress() ? "true" : "false") + "}";
    send_json(response, Status::ok, out);
}

void handle_dead_letter_replay(ApiContext &context, std::string_view plugin, ResponseWriter &response)
{
    if (context.dispatcher->dead_letters_for(plugin) == nullptr) {
        send_error(response, Status::not_found, "plugin " + std::string(plugin) + " is not enabled");
        return;
    }
    const auto replayed = context.dispatcher->replay_dead_letters(plugin);
    if (!replayed) {
        send_error(response, Status::conflict, replayed.error().message);
        return;
    }
    send_json(response, Status::accepted, "{\"replaying\":" + std::to_string(*replayed) + "}");
}

void handle_plugin_request(ApiContext &context, std::string_view rest, const Request &request, ResponseWriter &response)
{
    const size_t slash = rest.find('/');
    const std::string_view name = rest.substr(0, slash);
    const std::string_view path = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
    const auto plugins = context.plugins->snapshot();
    for (const plugin_host::PluginEntry &entry : *plugins) {
        if (entry.name != name) continue;
        if (entry.instance == nullptr) {
            send_error(response, Status::not_found, "plugin " + entry.name + " is not enabled");
            return;
        }
        const auto answer = entry.instance->handle_request(path, request.query);
        if (!answer) {
            send_error(response, Status::not_found, "plugin " + entry.name + " answers no requests");
            return;
        }
        // A plugin's status is only a number to us; keep it inside what HTTP allows.
        const int status = answer->status >= 200 && answer->status <= 599 ? answer->status : 500;
        response.send(static_cast<Status>(status), answer->body, answer->content_type);
        return;
    }
    send_error(response, Status::not_found, "no plugin named " + std::string(name));
}

}  // namespace productgraph::http
