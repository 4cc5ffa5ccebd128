// eMAG's rate-limit groups (reference §2): every order route shares one
// budget, everything else shares another, per account.
#pragma once

#include <array>
#include <string_view>

namespace erp::emag {

enum class RouteGroup { orders = 0, other = 1 };
inline constexpr std::array<RouteGroup, 2> kRouteGroups{RouteGroup::orders, RouteGroup::other};

struct GroupLimits {
    unsigned per_second = 0;
    unsigned per_minute = 0;
};

// orders: 12/s and 720/min; other: 3/s and 180/min.
GroupLimits published_limits(RouteGroup g) noexcept;

// "orders" / "other"
const char* group_name(RouteGroup g) noexcept;

// The group of a route below /api-3: "order/read", "order/acknowledge/12",
// "order/attachments/save" are orders; "product_offer/read",
// "offer_stock/5", "vat/read" (and "orders_x/read") are other.
RouteGroup group_of_route(std::string_view route) noexcept;

} // namespace erp::emag
