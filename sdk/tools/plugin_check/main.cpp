// productgraph-plugin-check FILE.so [--env K=V]...: checks a publisher plugin against
// the ABI the way productgraphd would use it, each check in a child process, and
// exits 1 with the list of what failed (0 when everything passed, 2 for bad usage).
#include "conformance.hpp"
#include "elf_exports.hpp"

#include <cstdio>
#include <cstring>
#include <string>

using namespace pgraph::check;

namespace {

constexpr auto check_timeout = std::chrono::seconds(30);

int usage(const char *why)
{
    std::fprintf(stderr,
                 "productgraph-plugin-check: %s\n"
                 "usage: productgraph-plugin-check FILE.so [--env NAME=VALUE]...\n"
                 "  --env  a variable create receives (repeat it, one pair each); others take their defaults\n",
                 why);
    return 2;
}

std::vector<std::string> symbol_failures(const std::string &file)
{
    const Exports exports = defined_dynamic_symbols(file);
    if (!exports.error.empty()) return {exports.error};
    std::vector<std::string> failures;
    bool has_entry = false;
    for (const std::string &symbol : exports.symbols) {
        if (symbol == PGRAPH_PUBLISHER_ENTRY_SYMBOL)
            has_entry = true;
        else
            failures.push_back("exports " + symbol + " (link with the SDK's version script)");
    }
    if (!has_entry) failures.push_back("does not export " PGRAPH_PUBLISHER_ENTRY_SYMBOL);
    return failures;
}

}  // namespace

int main(int argc, char **argv)
{
    Target target;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--env") {
            if (i + 1 >= argc) return usage("--env needs NAME=VALUE");
            const std::string pair = argv[++i];
            const size_t equals = pair.find('=');
            if (equals == 0 || equals == std::string::npos) return usage("--env needs NAME=VALUE");
            target.env[pair.substr(0, equals)] = pair.substr(equals + 1);
        } else if (arg == "-h" || arg == "--help") {
            usage("checks a publisher plugin");
            return 0;
        } else if (!target.file.empty() || arg.starts_with("-")) {
            return usage(("unexpected argument " + arg).c_str());
        } else {
            target.file = arg.find('/') == std::string::npos ? "./" + arg : arg;  // dlopen searches otherwise
        }
    }
    if (target.file.empty()) return usage("no plugin file given");

    std::vector<std::string> failed;
    const auto record = [&](const std::string &name, const std::vector<std::string> &failures) {
        std::printf("%s %s\n", failures.empty() ? "ok  " : "FAIL", name.c_str());
        for (const std::string &failure : failures) {
            std::printf("       - %s\n", failure.c_str());
            failed.push_back(name + ": " + failure);
        }
    };
    std::printf("checking %s\n", target.file.c_str());
    record("exports only " PGRAPH_PUBLISHER_ENTRY_SYMBOL, symbol_failures(target.file));
    for (const Check &check : conformance_checks()) {
        const ChildOutcome outcome =
            run_in_child([&](const Report &report) { check.run(target, report); }, check_timeout);
        for (const std::string &line : outcome.info) std::printf("       %s\n", line.c_str());
        record(check.name, outcome.failures);
    }
    const size_t total = conformance_checks().size() + 1;
    if (failed.empty()) {
        std::printf("%zu checks passed\n", total);
        return 0;
    }
    std::printf("\n%zu problem(s):\n", failed.size());
    for (const std::string &line : failed) std::printf("  %s\n", line.c_str());
    return 1;
}
