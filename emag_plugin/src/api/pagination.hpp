// Reading every page of an eMAG `read` (reference §1.5): `count` first, then
// pages of up to 100 items fetched several at a time (the client's rate
// limiter paces them), delivered to the caller strictly in page order.
// Reading stops at the first short or empty page; when the last counted page
// is full the reader goes on, since items may have been added meanwhile.
//
// This helper does not make a read consistent while eMAG changes data
// between pages (an item can move from page 3 to page 2 after page 2 was
// read); the order sync's windowing deals with that (DESIGN.md §5.2).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace erp::emag {

class EmagClient;

struct CountResult {
    std::uint64_t items = 0;
    std::uint64_t pages = 0;
    std::uint64_t per_page = 0;
};

// POST <resource>/count with `filters` as data. eMAG's answer is
// {"noOfItems", "noOfPages", "itemsPerPage"} (numbers or numeric strings).
// Throws ApiError (protocol when the shape is wrong).
CountResult count(EmagClient& client, const std::string& resource, const nlohmann::json& filters);

// Parses a count's `results`; throws ApiError(protocol) naming the field.
CountResult parse_count(const std::string& route, const nlohmann::json& results);

struct PageReadOptions {
    unsigned page_size = 100;   // 1..100 (clamped)
    unsigned concurrency = 8;   // pages requested ahead of the one delivered
    unsigned max_pages = 65535; // eMAG's currentPage limit
    // Polled between pages; true stops the read (ReadStats::cancelled).
    std::function<bool()> cancelled;
    // Called once with the count, before the first page is requested (a
    // progress total without a count request of the caller's own).
    std::function<void(const CountResult&)> on_count;
};

struct ReadStats {
    CountResult counted;
    std::uint64_t pages = 0; // pages delivered
    std::uint64_t items = 0; // items delivered
    bool cancelled = false;
};

// Reads <resource>/read for every page with `filters` plus currentPage and
// itemsPerPage, calling on_page(page_number, results_array) in order. The
// first error (after the client's retries) is thrown as ApiError; pages
// already delivered stay delivered. A `results` that is not an array is a
// protocol error.
ReadStats read_all(EmagClient& client, const std::string& resource, const nlohmann::json& filters,
                   const PageReadOptions& options,
                   const std::function<void(std::uint64_t page, const nlohmann::json& items)>& on_page);

} // namespace erp::emag
