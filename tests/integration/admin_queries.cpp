#include "admin_queries.hpp"

#include "http_client.hpp"

namespace productgraph::testing {

rapidjson::Document plugin_status(const DaemonProcess &daemon, const std::string &name)
{
    const auto list = http_get(daemon.admin_url() + "/v1/plugins").json();
    rapidjson::Document entry;
    entry.SetObject();
    if (!list.IsObject() || !list.HasMember("plugins") || !list["plugins"].IsArray()) return entry;
    for (const auto &plugin : list["plugins"].GetArray()) {
        if (name == plugin["name"].GetString()) entry.CopyFrom(plugin, entry.GetAllocator());
    }
    return entry;
}

std::int64_t plugin_counter(const DaemonProcess &daemon, const std::string &plugin, const char *field)
{
    const auto status = plugin_status(daemon, plugin);
    return status.HasMember(field) && status[field].IsInt64() ? status[field].GetInt64() : -1;
}

bool memory_has(const DaemonProcess &daemon, const std::string &event_id)
{
    return http_get(daemon.admin_url() + "/v1/plugins/memory/events?limit=10000").body.find('"' + event_id + '"') !=
           std::string::npos;
}

}  // namespace productgraph::testing
