// OfferPusher: sends one account's queued offer changes (emag_outbound) to
// eMAG with the light offer/save, 50 offers a call, and records what became
// of each (DESIGN.md §5.3; OutboundStore's header has the states).
//
// - All pending kinds of one offer go as one entity; an offer is never in
//   two requests at once, so eMAG cannot receive its values out of order.
// - Up to `in_flight` calls at once (the client's limiter paces them within
//   the 3 requests/s the non-order routes share; orders have their own).
// - Per entity: eMAG's results["<id>"].isError false -> confirmed, true ->
//   failed (the dead letter) with eMAG's messages. A change eMAG's answer
//   does not mention, or a call that failed after the client's retries
//   (transient, 429, protocol, auth), goes back to the queue with a growing
//   delay; after `max_attempts` it is failed. A call refused as a whole
//   (validation) fails its changes with eMAG's messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace erp::emag {

class EmagClient;
class OutboundStore;

struct PushOptions {
    unsigned batch_size = 50; // offers per offer/save (eMAG's limit is 50 entities)
    unsigned in_flight = 3;
    std::vector<std::chrono::milliseconds> backoff = {std::chrono::seconds(5), std::chrono::seconds(30),
                                                      std::chrono::minutes(2), std::chrono::minutes(10)};
    unsigned max_attempts = 8;
};

struct PushStats {
    std::uint64_t calls = 0;     // offer/save calls made
    std::uint64_t confirmed = 0; // changes
    std::uint64_t failed = 0;    // changes moved to the dead letter
    std::uint64_t retried = 0;   // changes queued again for later
    bool cancelled = false;
};

class OfferPusher {
  public:
    using Now = std::function<std::chrono::system_clock::time_point()>;
    OfferPusher(EmagClient& client, OutboundStore& store, std::string account, PushOptions options, Now now = {},
                std::function<bool()> cancelled = {});

    // Sends every change due now, until none is due or the pass is cancelled
    // (calls in flight are waited for and recorded).
    PushStats run();

  private:
    EmagClient& client_;
    OutboundStore& store_;
    std::string account_;
    PushOptions options_;
    Now now_;
    std::function<bool()> cancelled_;
};

} // namespace erp::emag
