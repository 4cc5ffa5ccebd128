#include "offers/offer_sync.hpp"

#include "api/emag_client.hpp"
#include "api/pagination.hpp"
#include "offers/offer_model.hpp"
#include "orders/compact_json.hpp"
#include "orders/local_time.hpp"
#include "orders/order_rows.hpp"
#include "store/offer_store.hpp"

#include <algorithm>

namespace erp::emag {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

std::optional<std::int64_t> x4(const std::optional<Decimal4>& d) {
    return d ? std::optional<std::int64_t>(d->units) : std::nullopt;
}

json warehouses(const std::vector<WarehouseValue>& list) {
    json out = json::array();
    for (const WarehouseValue& w : list)
        out.push_back({{"warehouse_id", w.warehouse_id}, {"value", w.value}});
    return out;
}

OfferRow to_row(const std::string& account, const Offer& o) {
    OfferRow r;
    r.account = account;
    r.offer_id = o.id;
    r.part_number = o.part_number;
    r.part_number_key = o.part_number_key;
    r.ean_json = json(o.ean).dump();
    r.name = o.name;
    r.brand = o.brand;
    r.currency = o.currency;
    r.status = o.status;
    r.vat_id = o.vat_id;
    r.validation_status = o.validation_status;
    r.translation_validation_status = o.translation_validation_status;
    r.offer_validation_status = o.offer_validation_status;
    r.buy_button_rank = o.buy_button_rank;
    r.number_of_offers = o.number_of_offers;
    r.sale_price_x4 = x4(o.sale_price);
    r.recommended_price_x4 = x4(o.recommended_price);
    r.min_sale_price_x4 = x4(o.min_sale_price);
    r.max_sale_price_x4 = x4(o.max_sale_price);
    r.best_offer_sale_price_x4 = x4(o.best_offer_sale_price);
    r.general_stock = o.general_stock;
    r.estimated_stock = o.estimated_stock;
    r.stock_json = warehouses(o.stock).dump();
    r.handling_time_json = warehouses(o.handling_time).dump();
    r.payload = compact_json(o.raw, 2048);
    return r;
}

} // namespace

SortedOffers sort_offers(const std::string& account, json page) {
    SortedOffers out;
    const auto quarantine = [&](const json& raw, std::optional<std::int64_t> id, const std::vector<FieldProblem>& p) {
        // quarantine_key: the id when there is one, else a hash of the JSON.
        out.invalid.push_back({quarantine_key(raw), id, problems_json(p).dump(),
                               raw.dump(-1, ' ', false, json::error_handler_t::replace)});
    };
    if (!page.is_array()) {
        quarantine(page, std::nullopt,
                   {{"(page)", std::string("product_offer/read results must be a list, got ") + page.type_name()}});
        return out;
    }
    for (json& element : page) {
        const OfferParse parsed = parse_offer(std::move(element));
        if (parsed.offer && parsed.problems.empty()) {
            out.valid.push_back(to_row(account, *parsed.offer));
            continue;
        }
        quarantine(parsed.input(), parsed.offer ? std::optional<std::int64_t>(parsed.offer->id) : std::nullopt,
                   parsed.problems);
    }
    return out;
}

std::set<int> read_vat_ids(EmagClient& client) {
    ApiCall call;
    call.route = "vat/read";
    const ApiResult r = client.call(std::move(call));
    std::set<int> ids;
    if (r.results.is_array()) {
        for (const json& v : r.results) {
            if (v.is_object()) {
                if (auto id = int_from_json_in(v.value("vat_id", json()), 1, 1000000))
                    ids.insert(static_cast<int>(*id));
            }
        }
    }
    return ids;
}

OfferSync::OfferSync(EmagClient& client, OfferStore& store, std::string account, unsigned concurrency,
                     std::function<std::chrono::system_clock::time_point()> now, Progress progress,
                     std::function<bool()> cancelled)
    : client_(client), store_(store), account_(std::move(account)), concurrency_(std::max(concurrency, 1u)),
      now_(now ? std::move(now) : [] { return std::chrono::system_clock::now(); }), progress_(std::move(progress)),
      cancelled_(std::move(cancelled)) {}

OfferSyncStats OfferSync::run() {
    OfferSyncStats stats;
    const std::string now = iso8601_utc(std::chrono::floor<std::chrono::seconds>(now_()));
    stats.vat_ids = read_vat_ids(client_);
    SyncProgress p;
    p.account = account_;
    p.stream = "offers";
    const auto started = SteadyClock::now();
    auto last_report = SteadyClock::time_point{};
    const auto report = [&](bool done) {
        if (!progress_)
            return;
        const auto t = SteadyClock::now();
        if (!done && t - last_report < std::chrono::milliseconds(500))
            return; // at most twice a second (as OrderSync::report)
        last_report = t;
        p.processed = stats.offers;
        p.total = std::max(p.total, p.processed);
        const double elapsed = std::chrono::duration<double>(t - started).count();
        p.rate = elapsed > 0 ? static_cast<double>(p.processed) / elapsed : 0;
        p.eta_s = p.rate > 0 ? static_cast<double>(p.total - p.processed) / p.rate : 0;
        p.errors = stats.quarantined;
        p.done = done;
        progress_(p);
    };
    PageReadOptions options;
    options.on_count = [&](const CountResult& c) { p.total = c.items; };
    options.concurrency = concurrency_;
    options.cancelled = cancelled_;
    const ReadStats read =
        read_all(client_, "product_offer", json::object(), options, [&](std::uint64_t, const json& items) {
            const SortedOffers sorted = sort_offers(account_, items);
            const OfferBatchResult b = store_.store_batch(account_, sorted.valid, sorted.invalid, now);
            ++stats.pages;
            stats.offers += items.is_array() ? items.size() : 1;
            stats.stored += b.stored;
            stats.quarantined += b.quarantined;
            report(false);
        });
    stats.cancelled = read.cancelled;
    report(true);
    return stats;
}

} // namespace erp::emag
