// Alert state with hysteresis: each evaluation observes every rule's
// condition per account and subject as bad (past the raise threshold), good
// (back at or beyond the clear threshold) or in between. An alert is raised
// after `raise_after` bad observations in a row, stays active while the
// condition holds or sits in between, and clears after `clear_after` good
// observations in a row — so a value wobbling around the threshold raises
// once and does not flap. Pure logic: the monitor stores, logs, publishes
// and posts what evaluate() returns.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace erp::emag {

enum class Verdict { bad, between, good };

struct Observation {
    std::string account; // "*" for plugin-wide rules (backup_failed)
    std::string rule;
    std::string subject; // group or stream; "" when the rule is per account
    Verdict verdict = Verdict::good;
    std::string value;     // the figure, as shown ("12.5%", "2.41 s")
    std::string threshold; // as shown
    std::string severity;  // "critical" | "warning"
    std::string message;   // what is wrong, in words, when bad
};

struct AlertTransition {
    enum class Kind { raised, cleared } kind;
    Observation observation;   // the one that caused it
    std::int64_t alert_id = 0; // cleared: the active alert's id
};

class AlertEngine {
  public:
    AlertEngine(unsigned raise_after, unsigned clear_after);

    // An alert that is active in the database (after a restart): it is not
    // raised again, and clears like any other.
    void restore_active(const std::string& account, const std::string& rule, const std::string& subject,
                        std::int64_t id);
    // After raised: the id the store gave the alert.
    void set_id(const std::string& account, const std::string& rule, const std::string& subject, std::int64_t id);

    // Observations not seen in a call leave their alert as it is.
    std::vector<AlertTransition> evaluate(const std::vector<Observation>& observations);

    struct Active {
        std::string account, rule, subject;
        std::int64_t id = 0;
        std::string value; // the latest observed
    };
    std::vector<Active> active() const;

  private:
    using Key = std::tuple<std::string, std::string, std::string>;
    struct State {
        bool active = false;
        unsigned bad_run = 0;
        unsigned good_run = 0;
        std::int64_t id = 0;
        std::string value;
    };
    unsigned raise_after_, clear_after_;
    std::map<Key, State> states_;
};

} // namespace erp::emag
