// The dynamic symbols a shared object defines, read from its ELF file (64-bit).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgraph::check {

/// The names of the defined global and weak dynamic symbols of `file`, without the
/// ones every shared object has (_init, _fini, _edata, ...). The error says why the
/// file could not be read.
struct Exports {
    std::vector<std::string> symbols;
    std::string error;
};
Exports defined_dynamic_symbols(const std::string &file);

}  // namespace pgraph::check
