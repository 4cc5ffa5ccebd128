// Deterministic sandbox data: the same DataOptions (seed, sizes, platform,
// now) give byte-identical orders and offers. Randomness is one
// std::mt19937_64 seeded with options.seed, drawn in a fixed order and reduced
// with plain modulo (not std::*_distribution, whose output is
// implementation-defined), so the data is also stable across standard
// libraries.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "core/marketplace.hpp"
#include "core/offer_model.hpp"
#include "core/order_model.hpp"
#include "core/platform.hpp"

namespace emag::sandbox {

// Kinds of deliberately invalid orders (about options.invalid_fraction).
enum class InvalidKind { ZeroQuantity, MissingSalePrice, Status7, NoProducts, PaymentMode9, Count };

class DataGenerator {
  public:
    DataGenerator(const DataOptions& options, StringPool& pool);

    std::vector<Offer> make_offers();
    std::vector<Order> make_orders(const std::vector<Offer>& offers);

    // A new order just placed at `now` (status 1, type 3): live mutation.
    Order make_new_order(uint64_t id, int64_t now, const std::vector<Offer>& offers, std::mt19937_64& rng);

    uint64_t next_line_id() const { return next_line_id_; }

  private:
    struct Ctx;
    Order build_order(std::mt19937_64& rng, uint64_t id, int64_t date, int64_t now, int status, int type,
                      const std::vector<Offer>& offers);
    void fill_customer(std::mt19937_64& rng, Order& order);
    void fill_lines(std::mt19937_64& rng, Order& order, const std::vector<Offer>& offers);
    Offer make_offer(std::mt19937_64& rng, uint64_t id, std::size_t index);

    const DataOptions& options_;
    const PlatformInfo& platform_;
    StringPool& pool_;
    std::mt19937_64 rng_;
    uint64_t next_line_id_ = 150000000;
    std::vector<Offer> fallback_catalog_; // used for order lines when there are no offers
};

// Helpers shared with mutation code.
inline uint64_t pick(std::mt19937_64& rng, uint64_t n) {
    return n ? rng() % n : 0;
}
inline bool chance(std::mt19937_64& rng, double p) {
    return static_cast<double>(rng() >> 11) * 0x1.0p-53 < p;
}

// Cancellation reason codes of §4.10 (1-3, 15-43).
bool is_cancellation_reason(int64_t code);

} // namespace emag::sandbox
