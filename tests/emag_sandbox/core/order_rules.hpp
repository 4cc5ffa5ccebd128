// eMAG's rules for changing orders: the §4.5 status matrix with its time
// windows, order/acknowledge, and order/save (§4.12) with partial storno
// (§4.13). Every refusal is isError:true with eMAG-like messages and leaves
// every order untouched (a save is all-or-nothing across its entities).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/marketplace.hpp"
#include "core/offer_model.hpp"
#include "core/order_store.hpp"
#include "core/platform.hpp"

namespace emag::sandbox {

// RT, the customer return period: not stated per seller; the sandbox uses the
// statutory 14 days. 4 -> 5 is allowed until finalization + RT + 5 days.
inline constexpr int64_t kReturnPeriodDays = 14;
inline constexpr int64_t kWindow48h = 48 * 3600;

enum class Cell { No, Yes, AckOnly, Within48h, WithinReturn };

// The matrix of §4.5 (row = from, column = to), statuses 0..5.
Cell transition_cell(int from, int to);

// nullopt when `order` may move to `to` at `now` through order/save; else why not.
std::optional<std::string> check_transition(const Order& order, int to, int64_t now);

// Moves the status and stamps modified / finalized_at / cancelled_at.
void apply_status(Order& order, int to, int64_t now);

ApiResult acknowledge_order(OrderStore& store, const std::optional<std::string>& path_id, const nlohmann::json& data,
                            int64_t now);

struct SaveContext {
    StringPool& pool;
    uint64_t& next_line_id;
    const PlatformInfo& platform;
    int64_t now;
};

ApiResult save_orders(OrderStore& store, const nlohmann::json& data, SaveContext& ctx);

} // namespace emag::sandbox
