#pragma once

#include <pqxx/transaction_base>
#include <string>

#include "common/clock.hpp"

namespace lantian::dispatch {

/// Appends the dispatch's audit events (actor `system`), one per changed issue in id order:
/// `changes` is a JSON array of {id, before} (the snapshots before the change), the `after` is
/// each issue's snapshot now. A statement of its own, after the change's, so that the dispatch
/// takes the audit chain's head last, as a workflow step does.
void AppendSystemEvents(pqxx::transaction_base& tx, TimePoint at, const std::string& request_id,
                        const std::string& action, const std::string& changes);

}  // namespace lantian::dispatch
