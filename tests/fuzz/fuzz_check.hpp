// An invariant check for fuzz targets: a broken promise is a crash libFuzzer keeps.
#pragma once

#include <cstdio>
#include <cstdlib>

#define PG_FUZZ_CHECK(condition)                                                                                       \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", __FILE__, __LINE__, #condition);              \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (false)
