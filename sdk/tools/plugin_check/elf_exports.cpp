// Walks the section headers to .dynsym and its string table; no libelf needed.
#include "elf_exports.hpp"

#include <elf.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <iterator>

namespace pgraph::check {
namespace {

// Symbols the linker defines in every shared object; they are not the plugin's.
bool is_linker_symbol(const std::string &name)
{
    static const std::array<const char *, 14> names = {"_init",
                                                       "_fini",
                                                       "__bss_start",
                                                       "_edata",
                                                       "_end",
                                                       "__end__",
                                                       "_etext",
                                                       "__data_start",
                                                       "__dso_handle",
                                                       "_DYNAMIC",
                                                       "_GLOBAL_OFFSET_TABLE_",
                                                       "_PROCEDURE_LINKAGE_TABLE_",
                                                       "__bss_start__",
                                                       "_bss_end__"};
    return std::any_of(names.begin(), names.end(), [&](const char *n) { return name == n; });
}

template <typename T>
bool read_at(const std::string &bytes, size_t offset, T &out)
{
    if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
    std::memcpy(&out, bytes.data() + offset, sizeof(T));
    return true;
}

}  // namespace

Exports defined_dynamic_symbols(const std::string &file)
{
    Exports exports;
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Elf64_Ehdr header{};
    if (!in.good() && !in.eof()) return {{}, "cannot read " + file};
    if (!read_at(bytes, 0, header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
        return {{}, file + " is not an ELF file"};
    }
    if (header.e_ident[EI_CLASS] != ELFCLASS64) return {{}, file + " is not a 64-bit ELF file"};
    for (size_t i = 0; i < header.e_shnum; ++i) {
        Elf64_Shdr section{};
        if (!read_at(bytes, header.e_shoff + i * header.e_shentsize, section)) return {{}, "truncated ELF file"};
        if (section.sh_type != SHT_DYNSYM || section.sh_entsize < sizeof(Elf64_Sym)) continue;
        Elf64_Shdr strings{};
        if (!read_at(bytes, header.e_shoff + section.sh_link * header.e_shentsize, strings)) {
            return {{}, "truncated ELF file"};
        }
        for (size_t at = section.sh_offset; at + section.sh_entsize <= section.sh_offset + section.sh_size;
             at += section.sh_entsize) {
            Elf64_Sym symbol{};
            if (!read_at(bytes, at, symbol)) return {{}, "truncated ELF file"};
            const unsigned binding = ELF64_ST_BIND(symbol.st_info);
            if (symbol.st_shndx == SHN_UNDEF ||
                (binding != STB_GLOBAL && binding != STB_WEAK && binding != STB_GNU_UNIQUE)) {
                continue;
            }
            const size_t name_at = strings.sh_offset + symbol.st_name;
            if (name_at >= bytes.size()) continue;
            const std::string name(bytes.c_str() + name_at, strnlen(bytes.c_str() + name_at, bytes.size() - name_at));
            if (!name.empty() && !is_linker_symbol(name)) exports.symbols.push_back(name);
        }
    }
    return exports;
}

}  // namespace pgraph::check
