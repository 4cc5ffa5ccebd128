#include "monitor/alert_engine.hpp"

#include <algorithm>

namespace erp::emag {

AlertEngine::AlertEngine(unsigned raise_after, unsigned clear_after)
    : raise_after_(std::max(1u, raise_after)), clear_after_(std::max(1u, clear_after)) {}

void AlertEngine::restore_active(const std::string& account, const std::string& rule, const std::string& subject,
                                 std::int64_t id) {
    State& s = states_[Key{account, rule, subject}];
    s.active = true;
    s.id = id;
}

void AlertEngine::set_id(const std::string& account, const std::string& rule, const std::string& subject,
                         std::int64_t id) {
    states_[Key{account, rule, subject}].id = id;
}

std::vector<AlertTransition> AlertEngine::evaluate(const std::vector<Observation>& observations) {
    std::vector<AlertTransition> out;
    for (const Observation& o : observations) {
        State& s = states_[Key{o.account, o.rule, o.subject}];
        s.value = o.value;
        switch (o.verdict) {
        case Verdict::bad:
            s.good_run = 0;
            if (!s.active && ++s.bad_run >= raise_after_) {
                s.active = true;
                s.bad_run = 0;
                out.push_back({AlertTransition::Kind::raised, o, 0});
            }
            break;
        case Verdict::between:
            // Inside the hysteresis band: neither raises nor clears.
            s.bad_run = 0;
            s.good_run = 0;
            break;
        case Verdict::good:
            s.bad_run = 0;
            if (s.active && ++s.good_run >= clear_after_) {
                s.active = false;
                s.good_run = 0;
                out.push_back({AlertTransition::Kind::cleared, o, s.id});
                s.id = 0;
            }
            break;
        }
    }
    return out;
}

std::vector<AlertEngine::Active> AlertEngine::active() const {
    std::vector<Active> out;
    for (const auto& [key, s] : states_) {
        if (s.active) {
            out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), s.id, s.value});
        }
    }
    return out;
}

} // namespace erp::emag
