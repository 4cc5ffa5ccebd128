#include "config/secret.hpp"

#include <cstring>
#include <ostream>

namespace erp::emag {

Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) {
    // A moved-from std::string may keep its old bytes (short strings live
    // inside the object): clear them too.
    other.wipe();
}

Secret& Secret::operator=(const Secret& other) {
    if (this != &other) {
        wipe();
        value_ = other.value_;
    }
    return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
    if (this != &other) {
        wipe();
        value_ = std::move(other.value_);
        other.wipe();
    }
    return *this;
}

Secret::~Secret() {
    wipe();
}

void Secret::wipe() noexcept {
    // explicit_bzero is not removed by the optimizer like a plain memset of
    // memory about to be freed would be. Covers the whole capacity.
    if (value_.capacity() > 0) {
        ::explicit_bzero(value_.data(), value_.capacity());
    }
    value_.clear();
}

std::ostream& operator<<(std::ostream& os, const Secret&) {
    return os << Secret::kRedacted;
}

} // namespace erp::emag
