#include "api/pagination.hpp"

#include "api/emag_client.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <utility>

namespace erp::emag {
namespace {

using nlohmann::json;

[[noreturn]] void protocol_error(const std::string& route, std::string detail) {
    ErrorInfo e;
    e.kind = ErrorKind::protocol;
    e.route = route;
    e.http_status = 200;
    e.detail = std::move(detail);
    throw ApiError(std::move(e));
}

std::uint64_t count_field(const std::string& route, const json& results, const char* name) {
    const auto it = results.find(name);
    if (it == results.end()) {
        protocol_error(route, std::string("the count has no ") + name);
    }
    if (it->is_number_unsigned()) {
        return it->get<std::uint64_t>();
    }
    if (it->is_number_integer() && it->get<std::int64_t>() >= 0) {
        return static_cast<std::uint64_t>(it->get<std::int64_t>());
    }
    if (it->is_string()) {
        const auto& s = it->get_ref<const std::string&>();
        if (!s.empty() && s.size() <= 18 &&
            std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return std::stoull(s);
        }
    }
    protocol_error(route, std::string("the count's ") + name + " is not a non-negative integer: " +
                              it->dump(-1, ' ', false, json::error_handler_t::replace));
}

json page_filters(const json& filters, std::uint64_t page, unsigned size) {
    json data = filters.is_object() ? filters : json::object();
    data["currentPage"] = page;
    data["itemsPerPage"] = size;
    return data;
}

} // namespace

CountResult parse_count(const std::string& route, const json& results) {
    if (!results.is_object()) {
        protocol_error(route, std::string("the count's results is a ") + results.type_name() + ", not an object");
    }
    CountResult c;
    c.items = count_field(route, results, "noOfItems");
    c.pages = results.contains("noOfPages") ? count_field(route, results, "noOfPages") : 0;
    c.per_page = results.contains("itemsPerPage") ? count_field(route, results, "itemsPerPage") : 0;
    return c;
}

CountResult count(EmagClient& client, const std::string& resource, const json& filters) {
    const std::string route = resource + "/count";
    ApiCall call;
    call.route = route;
    call.data = filters.is_object() ? filters : json::object();
    return parse_count(route, client.call(std::move(call)).results);
}

ReadStats read_all(EmagClient& client, const std::string& resource, const json& filters, const PageReadOptions& options,
                   const std::function<void(std::uint64_t, const json&)>& on_page) {
    const unsigned size = std::clamp(options.page_size, 1u, 100u);
    const unsigned ahead = std::max(options.concurrency, 1u);
    const std::string route = resource + "/read";
    ReadStats stats;

    // The count tells how many pages to request ahead; its own itemsPerPage
    // is the server's default, so pages are derived from the item count.
    CountResult counted = count(client, resource, filters);
    stats.counted = counted;
    if (options.on_count) {
        options.on_count(counted);
    }
    if (counted.items == 0) {
        return stats;
    }
    const std::uint64_t counted_pages = std::min<std::uint64_t>((counted.items + size - 1) / size, options.max_pages);

    std::deque<std::pair<std::uint64_t, std::future<ApiResult>>> pending;
    std::uint64_t next = 1;
    // Requests ahead only up to the counted pages; past them, one at a time.
    auto top_up = [&] {
        while (pending.size() < ahead && next <= options.max_pages && (next <= counted_pages || pending.empty())) {
            ApiCall call;
            call.route = route;
            call.data = page_filters(filters, next, size);
            pending.emplace_back(next, client.call_async(std::move(call)));
            ++next;
        }
    };
    top_up();
    while (!pending.empty()) {
        if (options.cancelled && options.cancelled()) {
            stats.cancelled = true;
            break; // outstanding futures are abandoned; their calls still finish
        }
        auto [page, future] = std::move(pending.front());
        pending.pop_front();
        const ApiResult r = future.get(); // throws ApiError
        if (!r.results.is_array()) {
            protocol_error(route, std::string("page ") + std::to_string(page) + "'s results is a " +
                                      r.results.type_name() + ", not an array");
        }
        if (!r.results.empty()) {
            on_page(page, r.results);
            ++stats.pages;
            stats.items += r.results.size();
        }
        if (r.results.size() < size) {
            break; // the last page: anything requested beyond it is empty
        }
        top_up();
    }
    return stats;
}

} // namespace erp::emag
