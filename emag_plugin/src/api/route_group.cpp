#include "api/route_group.hpp"

namespace erp::emag {

GroupLimits published_limits(RouteGroup g) noexcept {
    return g == RouteGroup::orders ? GroupLimits{12, 720} : GroupLimits{3, 180};
}

const char* group_name(RouteGroup g) noexcept {
    return g == RouteGroup::orders ? "orders" : "other";
}

RouteGroup group_of_route(std::string_view route) noexcept {
    constexpr std::string_view order = "order";
    if (route.substr(0, order.size()) == order && (route.size() == order.size() || route[order.size()] == '/')) {
        return RouteGroup::orders;
    }
    return RouteGroup::other;
}

} // namespace erp::emag
