// Marketplace: routes eMAG actions to the order and offer stores under one
// mutex, and runs live mutation.
//
// ============================================================================
// Where the sandbox knowingly differs from / guesses about eMAG
// ============================================================================
// Shapes the doc does not state (chosen, then applied consistently):
//  - order/count and product_offer/count: results = {"noOfItems": N,
//    "noOfPages": P, "itemsPerPage": K} (numbers; K = requested itemsPerPage
//    capped at 100, default 100).
//  - vat/read: results = [{"vat_id": 1, "vat_rate": "0.2100", "is_default": 1}, ...];
//    vat_ids are the sandbox's own. Rates as of Sept 2025 (RO 21/11/0, BG 20/9/0,
//    HU 27/18/5/0).
//  - order/acknowledge and successful order/save / product_offer/save answer
//    results: [].
//  - Orders: ids, quantities, statuses and flags are JSON numbers; money and
//    VAT rates are strings with exactly 4 decimals ("406.4515", "0.2100");
//    reason_cancellation is null unless canceled (only the 4.4.7 key is sent).
//  - product_offer/read: validation_status / translation_validation_status as
//    [{"value","description","errors"}], offer_validation_status as
//    {"value","description"}; manufacturer / eu_representative booleans unless
//    the read filters by id (then arrays). min/max_sale_price and stock[] are
//    returned too.
//  - offer/save entities without an id are reported in the top-level "errors".
// Behaviour where the doc is silent:
//  - Timestamps and date filters are platform-local time (Bucharest / Sofia /
//    Budapest with EU DST); an ambiguous filter time (repeated hour) means the
//    earlier instant; a skipped one is read with the pre-switch offset.
//  - Date filters are inclusive at both ends; *Before needs *After; on
//    order/count *After also needs *Before; spans over 31 days are refused.
//  - order/count defaults type to 3 like order/read.
//  - Results are ordered by ascending id; pages are computed live (they shift
//    when orders change mid-pagination — deliberately, no snapshots).
//  - itemsPerPage > 100 is silently capped to 100; < 1 or non-numeric is an
//    error; currentPage outside 1..65535 is an error; past the end -> [] with
//    isError false. Unknown filter keys are ignored.
//  - Numbers are accepted as JSON numbers or numeric strings, lists as arrays
//    or form-encoded objects with numeric keys.
//  - order/save is all-or-nothing across its entities (eMAG may save the
//    valid ones); "full order" = status, type, payment_mode_id, customer and
//    products must be present; fields a seller cannot change (customer,
//    payment, prices) are compared or ignored, never applied; a line with
//    quantity 0 becomes status 0 and keeps its last quantity (storno_qty counts
//    what was reversed); omitting an active line removes it (status 0).
//  - Status 1 -> 1 saves are refused (the matrix says No: ACK first). ACK of an
//    already-acknowledged order (status 2..5) succeeds without change; ACK of a
//    canceled order or an FBE order is refused.
//  - RT (return period) is 14 days for every order: 4 -> 5 allowed until
//    finalization + 19 days. 48 h windows count from the moment the sandbox
//    recorded finalization / cancellation (generated history: `modified`).
//  - Acknowledging, canceling and storno do not move offer stock; estimated_stock
//    = general_stock - reserved where reserved is generated, not derived.
//  - product_offer/save is all-or-nothing too; new products get validation
//    status 1 (attached ones 9) and never advance. PATCH offer_stock sets
//    warehouse 1; campaign locks (400 field errors) never occur.
//  - Live mutation moves orders of both types along the matrix only
//    (1->2, 2->3, 3->4, 2/3->0 with a reason, 4->5 within the window); eMAG's
//    own customer cancellation 1->0 is not simulated.
//  - Form-encoded bodies and the 4000-input-vars limit belong to the transport.
// ============================================================================
#include "core/marketplace.hpp"

#include <mutex>

#include <nlohmann/json.hpp>

#include "core/api_params.hpp"
#include "core/data_generator.hpp"
#include "core/offer_store.hpp"
#include "core/order_rules.hpp"
#include "core/order_store.hpp"

namespace emag::sandbox {

struct Marketplace::Impl {
    explicit Impl(DataOptions opts)
        : options(std::move(opts)), platform(platform_info(options.platform)), generator(options, pool),
          orders(platform.zone), offers(platform) {}

    int64_t now() const {
        return std::chrono::duration_cast<std::chrono::seconds>(options.now().time_since_epoch()).count();
    }

    DataOptions options;
    const PlatformInfo& platform;
    StringPool pool; // must outlive every order (they point into it)
    DataGenerator generator;
    OrderStore orders;
    OfferStore offers;
    uint64_t next_line_id = 0;
    mutable std::mutex mutex;
};

Marketplace::Marketplace(DataOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
    impl_->offers.assign(impl_->generator.make_offers());
    impl_->orders.assign(impl_->generator.make_orders(impl_->offers.all()));
    impl_->next_line_id = impl_->generator.next_line_id();
}

Marketplace::~Marketplace() = default;

ApiResult Marketplace::handle(const std::string& resource, const std::string& action,
                              const std::optional<std::string>& path_id, const nlohmann::json& data) {
    std::lock_guard lock(impl_->mutex);
    auto& m = *impl_;
    try {
        if (resource == "order") {
            if (action == "read" && !path_id)
                return m.orders.read(data);
            if (action == "count" && !path_id)
                return m.orders.count(data);
            if (action == "acknowledge")
                return acknowledge_order(m.orders, path_id, data, m.now());
            if (action == "save" && !path_id) {
                SaveContext ctx{m.pool, m.next_line_id, m.platform, m.now()};
                return save_orders(m.orders, data, ctx);
            }
        } else if (resource == "product_offer" && !path_id) {
            if (action == "read")
                return m.offers.read(data);
            if (action == "count")
                return m.offers.count(data);
            if (action == "save")
                return m.offers.save(data);
        } else if (resource == "offer" && action == "save" && !path_id) {
            return m.offers.light_save(data);
        } else if (resource == "vat" && action == "read" && !path_id) {
            return m.offers.vat_read();
        }
    } catch (const std::exception& e) { // a bug must not take the server down; say so
        return error({std::string("Internal error: ") + e.what()}, 500);
    }
    return error({"Invalid URL: " + resource + "/" + action + (path_id ? "/" + *path_id : std::string())}, 404);
}

ApiResult Marketplace::patch_offer_stock(const std::string& id, const std::string& body) {
    std::lock_guard lock(impl_->mutex);
    return impl_->offers.patch_stock(id, body);
}

MutationReport Marketplace::mutate(std::size_t changes, std::size_t creations, std::mt19937_64& rng) {
    std::lock_guard lock(impl_->mutex);
    auto& m = *impl_;
    MutationReport report;
    const int64_t now = m.now();
    auto& all = m.orders.all();
    // The move a live order makes next, or -1 when it has none left.
    auto next_status = [&](const Order& o) -> int {
        switch (o.status) {
        case 1:
            return 2;
        case 2:
            return chance(rng, 0.1) ? 0 : 3;
        case 3:
            return chance(rng, 0.05) ? 0 : 4;
        case 4:
            return check_transition(o, 5, now) ? -1 : 5;
        default:
            return -1;
        }
    };
    for (std::size_t c = 0; c < changes && !all.empty(); ++c) {
        // Most history is final; probe a few random orders, then scan on.
        std::size_t start = pick(rng, all.size());
        for (std::size_t step = 0; step < all.size(); ++step) {
            Order& o = all[(start + (step < 16 ? pick(rng, all.size()) : step)) % all.size()];
            if (o.products.empty() || o.payment_mode_id < 1 || o.payment_mode_id > 3)
                continue; // leave the deliberately invalid orders as they are
            const int to = next_status(o);
            if (to < 0 || (to != 2 && check_transition(o, to, now)))
                continue;
            if (to == 0)
                o.reason_cancellation = static_cast<int32_t>(15 + pick(rng, 29));
            apply_status(o, to, now);
            report.changed.push_back(o.id);
            break;
        }
    }
    for (std::size_t c = 0; c < creations; ++c) {
        const uint64_t id = m.orders.max_id() + 1 + pick(rng, 5);
        Order o = m.generator.make_new_order(id, now, m.offers.all(), rng);
        for (auto& l : o.products) // line ids continue after every id used so far
            l.id = m.next_line_id += 1;
        m.orders.append(std::move(o));
        report.created.push_back(id);
    }
    return report;
}

std::string Marketplace::orders_json() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->orders.all_json();
}

std::string Marketplace::offers_json() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->offers.all_json();
}

std::string Marketplace::offer_updates_json(uint64_t since) const {
    std::lock_guard lock(impl_->mutex);
    return impl_->offers.updates_json(since);
}

std::size_t Marketplace::order_count() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->orders.all().size();
}

std::size_t Marketplace::offer_count() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->offers.all().size();
}

} // namespace emag::sandbox
