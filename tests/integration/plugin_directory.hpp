// A temporary plugin directory holding copies of chosen built plugins.
#pragma once

#include <filesystem>
#include <string>

namespace productgraph::testing {

class PluginDirectory {
public:
    PluginDirectory();
    ~PluginDirectory();  // removes the directory
    PluginDirectory(const PluginDirectory &) = delete;
    PluginDirectory &operator=(const PluginDirectory &) = delete;

    /// Copies the in-tree plugin `name`.so (memory, ...) into the directory.
    PluginDirectory &add_plugin(const std::string &name);
    /// Copies the test plugin `name`.so (flaky, hang, ...) into the directory.
    PluginDirectory &add_test_plugin(const std::string &name);
    /// Writes an arbitrary file, e.g. a text file named like a plugin.
    PluginDirectory &write_file(const std::string &file_name, const std::string &contents);

    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

}  // namespace productgraph::testing
