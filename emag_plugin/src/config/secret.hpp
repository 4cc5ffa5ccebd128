// Secret: a credential held in memory whose every printable form is
// "<redacted>" (ostream, fmt and therefore spdlog), so a stray log call or
// error message cannot leak it. The value is read only through reveal(), a
// name that is easy to grep for; the memory is wiped on destruction.
#pragma once

#include <fmt/format.h>

#include <iosfwd>
#include <string>
#include <string_view>

namespace erp::emag {

class Secret {
  public:
    static constexpr std::string_view kRedacted = "<redacted>";

    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}
    Secret(const Secret&) = default;
    Secret(Secret&& other) noexcept;
    Secret& operator=(const Secret& other);
    Secret& operator=(Secret&& other) noexcept;
    ~Secret();

    // The plain value, for the one place that needs it (the HTTP client's
    // Authorization header). Never log or store what this returns.
    const std::string& reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }

  private:
    void wipe() noexcept;

    std::string value_;
};

// Prints "<redacted>", never the value.
std::ostream& operator<<(std::ostream& os, const Secret& s);

} // namespace erp::emag

// fmt (and spdlog, which formats with fmt) print "<redacted>" too.
template <>
struct fmt::formatter<erp::emag::Secret> : fmt::formatter<std::string_view> {
    template <class FormatContext>
    auto format(const erp::emag::Secret&, FormatContext& ctx) const {
        return fmt::formatter<std::string_view>::format(erp::emag::Secret::kRedacted, ctx);
    }
};
