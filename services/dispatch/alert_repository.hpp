#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <vector>

#include "dispatch/dispatch.hpp"

namespace lantian::dispatch {

/// Pollution alerts, which tighten the deadlines while they are in force.
class AlertRepository {
public:
    std::vector<PollutionAlert> Alerts(pqxx::transaction_base& tx, std::optional<TimePoint> from,
                                       std::optional<TimePoint> to) const;
    PollutionAlert InsertAlert(pqxx::transaction_base& tx, const PollutionAlert& alert) const;
};

}  // namespace lantian::dispatch
