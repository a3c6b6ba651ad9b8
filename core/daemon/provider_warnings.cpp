// Any NAME_ENABLED variable counts, not a fixed list of providers: third-party
// plugins follow the same naming rule (product-spec §2).
#include "daemon/provider_warnings.hpp"

#include <algorithm>
#include <cctype>

#include "common/environment.hpp"
#include "common/log.hpp"

namespace productgraph::daemon {
namespace {

constexpr std::string_view switch_suffix = "_ENABLED";

bool is_true(const std::string &value)
{
    const auto parsed = common::parse_bool(value);
    return parsed && *parsed;
}

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

std::vector<std::string> missing_provider_warnings(const std::vector<plugin_host::PluginEntry> &catalog,
                                                   const Variables &variables, const std::filesystem::path &plugin_dir)
{
    std::vector<std::string> warnings;
    const auto analytics = variables.find("ANALYTICS_ENABLED");
    if (analytics == variables.end() || !is_true(analytics->second)) return warnings;
    for (const auto &[name, value] : variables) {
        if (name == "ANALYTICS_ENABLED" || !name.ends_with(switch_suffix) || name.size() == switch_suffix.size() ||
            !is_true(value)) {
            continue;
        }
        const bool provided = std::any_of(catalog.begin(), catalog.end(), [&](const plugin_host::PluginEntry &entry) {
            return entry.library != nullptr && name == entry.library->descriptor->enable_variable;
        });
        if (provided) continue;
        const std::string plugin = lower(std::string_view(name).substr(0, name.size() - switch_suffix.size()));
        warnings.push_back(name + "=true but no plugin in " + plugin_dir.string() + " is switched by it (is " + plugin +
                           ".so missing?)");
    }
    return warnings;
}

void log_missing_providers(const std::vector<plugin_host::PluginEntry> &catalog, const Variables &variables,
                           const std::filesystem::path &plugin_dir)
{
    for (const std::string &warning : missing_provider_warnings(catalog, variables, plugin_dir)) {
        common::log_warn("enabled provider has no plugin file", {{"detail", warning}});
    }
}

}  // namespace productgraph::daemon
