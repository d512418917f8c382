#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "dispatch/dispatch.hpp"

namespace lantian::dispatch {

/// The day's run row and its bulletin: claimed once, completed, read, published.
class DispatchRunRepository {
public:
    /// Writes the day's run row, or returns false when it exists. A concurrent claimer of
    /// the same day waits here until the first transaction ends.
    bool ClaimDay(pqxx::transaction_base& tx, const std::string& day, TimePoint now) const;
    /// The bulletin for the day, computed now (and frozen by storing it).
    std::string ComputeBulletin(pqxx::transaction_base& tx, const std::string& day, TimePoint now,
                                const std::string& zone) const;
    void CompleteRun(pqxx::transaction_base& tx, const std::string& day,
                     const std::vector<long long>& assigned, int escalations,
                     const std::string& bulletin) const;

    /// A run; `unit_id` limits the bulletin to that unit's rows (a handler's view).
    std::optional<DispatchRun> Find(pqxx::transaction_base& tx, const std::string& day,
                                    std::optional<long long> unit_id) const;
    std::vector<DispatchRun> List(pqxx::transaction_base& tx, const std::string& from,
                                  const std::string& to, std::optional<long long> unit_id) const;
    std::optional<std::string> LatestDay(pqxx::transaction_base& tx) const;
    /// Sets published_at once; false when it was already published.
    bool Publish(pqxx::transaction_base& tx, const std::string& day, long long user_id,
                 TimePoint now) const;
};

}  // namespace lantian::dispatch
