// The order as the sandbox holds it: every v4.4.9 field of §4.6-4.11, kept
// compact (200,000 orders must fit well under 1 GB): repeated texts (names,
// streets, cities, product names...) are interned once in a StringPool and
// referenced by pointer; JSON is rendered on demand, never stored.
//
// JSON rendering (render_order) is exactly what order/read returns. Type
// choices, applied consistently: every id, quantity, status and flag is a JSON
// number; every money amount and VAT rate is a string with 4 decimals
// ("406.4515", "0.2100"); timestamps are platform-local "YYYY-mm-dd HH:ii:ss".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/local_time.hpp"
#include "core/money.hpp"

namespace emag::sandbox {

class JsonWriter;

// Interned, immutable text. Never null (the empty string is interned too).
using Str = const std::string*;

class StringPool {
  public:
    StringPool() { empty_ = intern(""); }
    Str intern(std::string_view text) {
        auto it = set_.find(text);
        if (it == set_.end())
            it = set_.emplace(text).first;
        return &*it; // unordered_set nodes never move
    }
    Str empty() const { return empty_; }
    std::size_t size() const { return set_.size(); }

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_set<std::string, Hash, std::equal_to<>> set_;
    Str empty_ = nullptr;
};

struct VoucherSplit {
    uint32_t voucher_id = 0;
    Money value = 0;     // negative, excl. VAT
    Money vat_value = 0; // negative
    Money vat = 0;       // rate as fraction x10^4 (0.2100 -> 2100)
    Str offered_by = nullptr;
    Str voucher_name = nullptr;
};

struct RecycleWarranty {
    int32_t quantity = 1;
    Money sale_price = 0; // excl. VAT
    Money vat_rate = 0;
    Str product_name = nullptr;
};

struct OrderLine {
    uint64_t id = 0;
    uint64_t product_id = 0; // the seller's offer id
    uint64_t mkt_id = 0;
    Str name = nullptr;
    Str part_number = nullptr;
    Str part_number_key = nullptr;
    Str ext_part_number = nullptr;
    Str currency = nullptr;
    Str details = nullptr;
    Str serial_numbers = nullptr;
    int32_t quantity = 1;
    int32_t initial_qty = 1;
    int32_t storno_qty = 0;
    Money sale_price = 0; // unit price excl. VAT
    Money original_price = 0;
    Money vat = 0;              // rate as fraction x10^4
    bool has_sale_price = true; // false only in deliberately invalid orders
    int8_t status = 1;          // 0 cancelled, 1 active
    int64_t created = 0, modified = 0;
    std::vector<VoucherSplit> product_voucher_split;
    std::vector<RecycleWarranty> recycle_warranties;
};

struct Voucher {
    uint32_t voucher_id = 0;
    Money sale_price = 0;     // negative, excl. VAT
    Money sale_price_vat = 0; // negative
    Money vat = 0;
    Str voucher_name = nullptr;
    int64_t created = 0, modified = 0;
    int8_t status = 1;
};

struct Attachment {
    Str name = nullptr;
    Str url = nullptr;
    int32_t type = 1; // 1 invoice (section 5)
};

struct OrderDetails {
    Str locker_id = nullptr;
    Str locker_name = nullptr;
    int8_t locker_delivery_eligible = 0;
    Str courier_external_office_id = nullptr;
};

struct Customer {
    uint32_t id = 0;
    uint64_t mkt_id = 0;
    Str name, company, gender, email, code, registration_number, bank, iban, fax;
    int8_t legal_entity = 0, is_vat_payer = 0;
    Str phone_1, phone_2, phone_3;
    Str billing_name, billing_phone, billing_country, billing_suburb, billing_city, billing_street, billing_postal_code;
    uint32_t billing_locality_id = 0;
    Str shipping_contact, shipping_phone, shipping_country, shipping_suburb, shipping_city, shipping_street,
        shipping_postal_code;
    uint32_t shipping_locality_id = 0;
    int64_t created = 0, modified = 0;
};

// enforced_vendor_courier_accounts: null, [] or [id].
enum class EnforcedCouriers : int8_t { Null, Empty, One };

struct Order {
    uint64_t id = 0;
    int8_t type = 3;             // 2 FBE, 3 FBS
    int32_t status = 1;          // 0..5 (invalid orders may carry e.g. 7)
    int32_t payment_mode_id = 1; // 1 COD, 2 bank transfer, 3 card (invalid: 9)
    int8_t is_complete = 1;
    int8_t payment_status = 0;
    bool is_storno = false;
    int8_t emag_club = 0;
    EnforcedCouriers enforced = EnforcedCouriers::Null;
    int32_t reason_cancellation = 0; // 0 -> null
    uint32_t enforced_account = 0;
    Str detailed_payment_method = nullptr;
    Str delivery_mode = nullptr; // "courier" / "pickup"
    Str observation = nullptr;
    Str vendor_name = nullptr;
    Money cashed_co = 0, cashed_cod = 0, shipping_tax = 0;
    int64_t date = 0, modified = 0;
    // Not rendered: when the order entered status 4 / 0 (the 48 h windows and RT + 5 days).
    int64_t finalized_at = 0, cancelled_at = 0;
    std::optional<OrderDetails> details; // nullopt -> "details": null
    Customer customer;
    std::vector<VoucherSplit> shipping_tax_voucher_split;
    std::vector<OrderLine> products;
    std::vector<Voucher> vouchers;
    std::vector<Attachment> attachments;
};

// order/read's JSON for one order, in the platform's local time.
void render_order(const Order& order, Zone zone, JsonWriter& out);
std::string render_order(const Order& order, Zone zone);

// Human label for payment_mode_id (rendered as "payment_mode").
std::string_view payment_mode_label(int32_t payment_mode_id);

} // namespace emag::sandbox
