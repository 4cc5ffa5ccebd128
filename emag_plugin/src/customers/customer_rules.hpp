// The customer analytics rules, pure (no database, no clock of their own):
// what an order contributes to its customer, how a contribution is added to
// or taken from a customer's counters, and the loyalty score and risk level
// computed from those counters. docs/customers.md states the same rules for
// people; change both together.
#pragma once

#include "store/customer_store.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace erp::emag {

inline constexpr int kOrderCanceled = 0;
inline constexpr int kOrderReturned = 5;
inline constexpr int kPayCod = 1, kPayTransfer = 2, kPayCard = 3;

// Statuses 1-4 (new, in progress, prepared, finalized): the order stands, so
// its value counts as spent. 0 (canceled) and 5 (returned) do not.
bool counts_as_spent(int status);

// The order's value with VAT, in 1/10000 units: Σ over active lines (status
// 1) of sale_price × quantity × (1 + vat), each line rounded half away from
// zero to 4 decimals; + shipping_tax; + every voucher's sale_price +
// sale_price_vat (negative). When the payload is not an order object with a
// products list: lines_total_x4 + shipping_tax_x4 (VAT then unknown).
std::int64_t order_value_x4(std::string_view payload, std::optional<std::int64_t> lines_total_x4,
                            std::optional<std::int64_t> shipping_tax_x4);

// What the order contributes; nullopt when it has no customer key (no
// e-mail hash): such an order belongs to no customer.
std::optional<OrderContribution> contribution_of(const AnalyticsOrderRow& order);

// Adds (sign +1) or takes away (sign -1) an order's contribution to the
// customer's counters, money and cities. Adding also moves the first/last
// order dates and the name (taken from the latest order, by date then id);
// taking away cannot undo those: see needs_extremes_refresh.
void apply_contribution(CustomerRow& customer, std::int64_t emag_id, const OrderContribution& c, int sign);

// True when taking `before` away may leave the customer's first/last order
// or name wrong (the order left the customer or its date moved): they must
// then be read back from the stored contributions.
bool needs_extremes_refresh(const OrderContribution& before, const std::optional<OrderContribution>& after);

// 0-100 from kept orders, money, recency (days from the last order to `now`)
// and the share of orders kept. See docs/customers.md.
int loyalty_score(const CustomerRow& customer, std::chrono::sys_seconds now);

// "low", "medium" or "high" from cancellations, returns and refused
// cash-on-delivery orders. See docs/customers.md.
const char* risk_level(const CustomerRow& customer);

// The payment_mode_id used most (1 COD, 2 transfer, 3 card; a tie goes to
// the lower id); 0 when the customer has no order with a payment mode.
int preferred_payment(const CustomerRow& customer);

// total / orders in 1/10000 units, rounded half away from zero; 0 for none.
std::int64_t average_x4(const SpendTotal& spend);

// Rounds n / d (d > 0) half away from zero.
std::int64_t divide_rounded(std::int64_t n, std::int64_t d);

} // namespace erp::emag
