// Reading structs that come from the other side of the C ABI, by their rules:
// copy min(struct_size, sizeof) into a zeroed local (OBS), so fields a plugin
// built against an older minor does not know read as 0/NULL; never read a
// foreign struct with our own sizeof (the Fluent Bit failure).
#pragma once

#include <erp_plugin/erp_plugin.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

namespace erp::host {

// Returns nullopt when `p` is NULL or declares a struct_size too small to hold
// even struct_size itself.
template <class T>
std::optional<T> read_foreign(const T* p) {
    if (p == nullptr || p->struct_size < sizeof(uint32_t)) {
        return std::nullopt;
    }
    T local;
    std::memset(&local, 0, sizeof(T));
    std::memcpy(&local, p, std::min<size_t>(p->struct_size, sizeof(T)));
    return local;
}

inline std::string c_str_or_empty(const char* s) {
    return s == nullptr ? std::string() : std::string(s);
}

} // namespace erp::host
