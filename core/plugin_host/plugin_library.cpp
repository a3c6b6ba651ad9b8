// dlopen through Boost.DLL of a memfd copy, entry lookup and descriptor checks.
// Nothing here trusts the plugin's memory beyond what struct_size says it wrote.
#include "plugin_host/plugin_library.hpp"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "common/log.hpp"

namespace productgraph::plugin_host {
namespace {

bool valid_plugin_name(const char *name)
{
    if (name == nullptr || *name == '\0') return false;
    size_t length = 0;
    for (const char *c = name; *c != '\0'; ++c, ++length) {
        const bool ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';
        if (!ok || length >= 64) return false;
    }
    return true;
}

// FNV-1a, 64 bits: only to notice that a file's bytes changed between two reads.
std::string fingerprint_of(std::string_view bytes)
{
    uint64_t hash = 14695981039346656037ull;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ull;
    }
    std::array<char, 17> text{};
    std::snprintf(text.data(), text.size(), "%016llx", static_cast<unsigned long long>(hash));
    return std::string(text.data(), 16) + "-" + std::to_string(bytes.size());
}

#ifdef MFD_EXEC
constexpr unsigned memfd_executable = MFD_EXEC;
#else
constexpr unsigned memfd_executable = 0x0010U;  // MFD_EXEC, <linux/memfd.h> of Linux 6.3
#endif

// An anonymous in-memory file holding `image`, for dlopen("/proc/self/fd/N"). The
// descriptor is never closed once loaded: the loader knows the library by that
// path, and a reused descriptor number would make a later dlopen return this one.
common::Result<int> private_copy(const PluginFileImage &image)
{
    const std::string name = "productgraph-plugin:" + image.file.filename().string();
    // Kernels from 6.3 may make memfds non-executable unless asked (vm.memfd_noexec);
    // older ones refuse the flag with EINVAL.
    int fd = memfd_create(name.c_str(), MFD_CLOEXEC | memfd_executable);
    if (fd < 0 && errno == EINVAL) fd = memfd_create(name.c_str(), MFD_CLOEXEC);
    if (fd < 0) return common::fail(std::string("cannot make a private copy (memfd_create): ") + std::strerror(errno));
    const char *data = image.bytes.data();
    size_t left = image.bytes.size();
    while (left > 0) {
        const ssize_t written = ::write(fd, data, left);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) {
            const std::string reason = std::strerror(errno);
            ::close(fd);
            return common::fail("cannot make a private copy: " + reason);
        }
        data += written;
        left -= static_cast<size_t>(written);
    }
    return fd;
}

}  // namespace

common::Result<PluginFileImage> read_plugin_file(const std::filesystem::path &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) return common::fail("cannot read " + file.string() + ": " + std::strerror(errno));
    std::ostringstream bytes;
    bytes << in.rdbuf();
    PluginFileImage image;
    image.file = file;
    image.bytes = std::move(bytes).str();
    image.fingerprint = fingerprint_of(image.bytes);
    return image;
}

common::Result<void> check_descriptor(const pgraph_publisher_descriptor *descriptor)
{
    if (descriptor == nullptr) return common::fail("entry point returned no descriptor");
    // The v1.0 descriptor ends with handle_request; anything shorter is not v1.
    constexpr size_t v1_size = offsetof(pgraph_publisher_descriptor, handle_request) + sizeof(void *);
    if (descriptor->struct_size < v1_size) {
        return common::fail("descriptor struct_size " + std::to_string(descriptor->struct_size) +
                            " is smaller than ABI v1.0's " + std::to_string(v1_size));
    }
    if (descriptor->abi_major != host_abi_major) {
        return common::fail("plugin speaks ABI major " + std::to_string(descriptor->abi_major) + ", this host speaks " +
                            std::to_string(host_abi_major));
    }
    if (descriptor->min_host_minor > host_abi_minor) {
        return common::fail("plugin needs host ABI 1." + std::to_string(descriptor->min_host_minor) +
                            ", this host speaks 1." + std::to_string(host_abi_minor));
    }
    if (!valid_plugin_name(descriptor->name)) {
        return common::fail("plugin name must be 1-64 characters of [a-z0-9_-]");
    }
    if (descriptor->create == nullptr || descriptor->publish == nullptr || descriptor->destroy == nullptr) {
        return common::fail("plugin lacks create, publish or destroy");
    }
    if (descriptor->max_batch_events == 0) return common::fail("max_batch_events must be at least 1");
    if (descriptor->enable_variable == nullptr || *descriptor->enable_variable == '\0') {
        return common::fail("plugin declares no enable variable");
    }
    // Compared with the v1.0 element, not today's: a plugin built before the struct
    // grew must still load (the host then reads only the fields it has).
    constexpr size_t v1_env_var_size = offsetof(pgraph_env_var, description) + sizeof(const char *);
    if (descriptor->env_var_count > 0 &&
        (descriptor->env_vars == nullptr || descriptor->env_var_size < v1_env_var_size)) {
        return common::fail("plugin's variable table is malformed");
    }
    return {};
}

common::Result<PluginLibrary> load_plugin_library(const std::filesystem::path &file)
{
    auto image = read_plugin_file(file);
    if (!image) return tl::unexpected(image.error());
    return load_plugin_library(*image);
}

common::Result<PluginLibrary> load_plugin_library(const PluginFileImage &image)
{
    PluginLibrary loaded;
    loaded.file = image.file;
    loaded.fingerprint = image.fingerprint;
    auto copy = private_copy(image);
    if (!copy) return tl::unexpected(copy.error());
    const std::string copy_path = "/proc/self/fd/" + std::to_string(*copy);
    common::log_info("loading plugin file", {{"file", image.file.string()}, {"copy", copy_path}});
    // NODELETE: never unmap a plugin, because thread-local destructors and stray
    // callbacks into an unmapped library crash long after the unload.
    const auto mode = static_cast<boost::dll::load_mode::type>(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    boost::system::error_code error;
    loaded.library.load(boost::dll::fs::path(copy_path), mode, error);
    if (error) {
        const char *detail = dlerror();
        ::close(*copy);  // nothing was loaded under its name, so the number may be reused
        // The loader speaks of the copy; the operator knows the file.
        std::string reason = detail != nullptr ? detail : error.message();
        if (const size_t at = reason.find(copy_path); at != std::string::npos) {
            reason.replace(at, copy_path.size(), image.file.filename().string());
        }
        return common::fail("not a loadable shared library: " + reason);
    }
    if (!loaded.library.has(PGRAPH_PUBLISHER_ENTRY_SYMBOL)) {
        return common::fail("no " PGRAPH_PUBLISHER_ENTRY_SYMBOL " symbol: not a ProductGraph v1 plugin");
    }
    auto &entry = loaded.library.get<const pgraph_publisher_descriptor *(const pgraph_negotiation *)>(
        PGRAPH_PUBLISHER_ENTRY_SYMBOL);

    common::log_info("calling plugin entry point", {{"file", image.file.string()}});
    std::array<char, 256> refusal{};
    pgraph_negotiation negotiation{};
    negotiation.struct_size = sizeof negotiation;
    negotiation.host_abi_major = host_abi_major;
    negotiation.host_abi_minor = host_abi_minor;
    negotiation.error = refusal.data();
    negotiation.error_capacity = refusal.size();
    loaded.descriptor = entry(&negotiation);
    if (loaded.descriptor == nullptr) {
        refusal.back() = '\0';
        return common::fail(std::string("plugin refused ABI ") + std::to_string(host_abi_major) + "." +
                            std::to_string(host_abi_minor) + ": " +
                            (refusal[0] != '\0' ? refusal.data() : "no reason given"));
    }
    if (auto checked = check_descriptor(loaded.descriptor); !checked) return tl::unexpected(checked.error());
    return loaded;
}

}  // namespace productgraph::plugin_host
