// Naming threads, so `top -H`, `ps -L`, gdb and perf show what each one does.
#pragma once

#include <string>
#include <string_view>

#include <pthread.h>

namespace productgraph::common {

/// Names the calling thread; Linux keeps the first 15 bytes.
inline void name_this_thread(std::string_view name)
{
    const std::string kept(name.substr(0, 15));
    pthread_setname_np(pthread_self(), kept.c_str());
}

}  // namespace productgraph::common
