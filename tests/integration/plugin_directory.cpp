// Copies (not links) plugins, so each test's directory is exactly what an operator drops in.
#include "plugin_directory.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace productgraph::testing {

PluginDirectory::PluginDirectory()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "pg-plugins-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

PluginDirectory::~PluginDirectory()
{
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

PluginDirectory &PluginDirectory::add_plugin(const std::string &name)
{
    std::filesystem::copy_file(std::filesystem::path(PG_BUILD_PLUGIN_DIR) / (name + ".so"), path_ / (name + ".so"));
    return *this;
}

PluginDirectory &PluginDirectory::add_test_plugin(const std::string &name)
{
    std::filesystem::copy_file(std::filesystem::path(PG_TEST_PLUGIN_DIR) / (name + ".so"), path_ / (name + ".so"));
    return *this;
}

PluginDirectory &PluginDirectory::write_file(const std::string &file_name, const std::string &contents)
{
    std::ofstream(path_ / file_name) << contents;
    return *this;
}

}  // namespace productgraph::testing
