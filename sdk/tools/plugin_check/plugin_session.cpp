// dlopen, negotiation, the host table, configuration and create, as the host does them.
#include "plugin_session.hpp"

#include <dlfcn.h>

#include <array>
#include <chrono>
#include <cstring>

namespace pgraph::check {

LoadedPlugin load_plugin(const std::string &file, uint32_t host_minor)
{
    LoadedPlugin loaded;
    // RTLD_NODELETE as in the host: a plugin is never unloaded.
    loaded.handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (loaded.handle == nullptr) {
        const char *why = dlerror();
        loaded.error = std::string("not a loadable shared library: ") + (why != nullptr ? why : "?");
        return loaded;
    }
    loaded.entry = reinterpret_cast<pgraph_publisher_entry_v1_fn>(dlsym(loaded.handle, PGRAPH_PUBLISHER_ENTRY_SYMBOL));
    if (loaded.entry == nullptr) {
        loaded.error = "no " PGRAPH_PUBLISHER_ENTRY_SYMBOL " symbol";
        return loaded;
    }
    std::array<char, 256> refusal{};
    pgraph_negotiation negotiation{
        sizeof(pgraph_negotiation), PGRAPH_ABI_MAJOR, host_minor, 0, refusal.data(), refusal.size()};
    loaded.descriptor = loaded.entry(&negotiation);
    if (loaded.descriptor == nullptr) {
        refusal.back() = '\0';
        loaded.error = "the entry point refused host ABI 1." + std::to_string(host_minor) + ": " +
                       (refusal[0] != '\0' ? refusal.data() : "no reason given");
    }
    return loaded;
}

const pgraph_env_var &variable_at(const pgraph_publisher_descriptor &descriptor, uint32_t i)
{
    const char *base = reinterpret_cast<const char *>(descriptor.env_vars);
    return *reinterpret_cast<const pgraph_env_var *>(base + static_cast<size_t>(i) * descriptor.env_var_size);
}

int64_t now_unix_ms()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

FakeHostTable::FakeHostTable()
{
    host_.struct_size = sizeof host_;
    host_.abi_minor = PGRAPH_ABI_MINOR;
    host_.context = this;
    host_.log = log;
    host_.log_enabled = [](void *, int32_t) -> int32_t { return 1; };  // exercise every formatting path
    host_.now_unix_ms = [](void *) { return pgraph::check::now_unix_ms(); };
    host_.monotonic_ms = [](void *) -> int64_t {
        using namespace std::chrono;
        return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    };
}

void FakeHostTable::log(void *context, int32_t level, const char *msg, size_t len)
{
    auto *self = static_cast<FakeHostTable *>(context);
    std::lock_guard lock(self->mutex_);
    self->lines_.push_back(std::to_string(level) + " " +
                           std::string(msg != nullptr ? msg : "", msg != nullptr ? len : 0));
}

std::vector<std::string> FakeHostTable::lines() const
{
    std::lock_guard lock(mutex_);
    return lines_;
}

std::vector<std::pair<std::string, std::string>> configuration(const pgraph_publisher_descriptor &descriptor,
                                                               const Environment &env, const std::string &omit)
{
    std::vector<std::pair<std::string, std::string>> config;
    for (uint32_t i = 0; i < descriptor.env_var_count; ++i) {
        const pgraph_env_var &variable = variable_at(descriptor, i);
        if (variable.name == nullptr || omit == variable.name) continue;
        const auto given = env.find(variable.name);
        if (given != env.end() && !given->second.empty()) {
            config.emplace_back(variable.name, given->second);
        } else if (variable.default_value != nullptr && *variable.default_value != '\0') {
            config.emplace_back(variable.name, variable.default_value);
        }
    }
    return config;
}

Created create_instance(const pgraph_publisher_descriptor &descriptor, const FakeHostTable &host,
                        const std::vector<std::pair<std::string, std::string>> &config)
{
    std::vector<pgraph_config_entry> entries;
    for (const auto &[name, value] : config) {
        entries.push_back({sizeof(pgraph_config_entry), 0, {name.data(), name.size()}, {value.data(), value.size()}});
    }
    pgraph_create_args args{};
    args.struct_size = sizeof args;
    args.host = host.table();
    args.config = entries.data();
    args.config_count = entries.size();
    args.config_entry_size = sizeof(pgraph_config_entry);
    std::array<char, 512> error;
    error.fill('\x7f');  // a reason without its NUL shows up as unterminated
    Created created;
    void *sentinel = &created;
    created.instance = sentinel;
    created.status = descriptor.create(&args, &created.instance, error.data(), error.size());
    created.error_terminated = std::memchr(error.data(), '\0', error.size()) != nullptr;
    if (created.error_terminated && error[0] != '\x7f') created.error = error.data();
    if (created.status != PGRAPH_OK) created.touched_on_failure = created.instance != sentinel;
    if (created.instance == sentinel) created.instance = nullptr;  // left untouched, as it should on failure
    return created;
}

}  // namespace pgraph::check
