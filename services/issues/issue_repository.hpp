#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "common/visibility.hpp"
#include "issues/issue.hpp"

namespace lantian::issues {

struct SiteFacts {
    long long subdistrict_id = 0;
    std::string kind;
};

/// The SQL of the ledger's issues and their assignments.
class IssueRepository {
public:
    std::optional<Issue> Find(pqxx::transaction_base& tx, long long id) const;
    /// The issues with these ids, in the order given (missing ids are left out).
    std::vector<Issue> FindMany(pqxx::transaction_base& tx,
                                const std::vector<long long>& ids) const;
    /// Locks the row for the rest of the transaction (workflow steps).
    std::optional<Issue> FindForUpdate(pqxx::transaction_base& tx, long long id) const;
    std::vector<Issue> List(pqxx::transaction_base& tx, const IssueQuery& query,
                            const Visibility& visibility, TimePoint now) const;
    /// Whether the issue exists and `visibility` reaches it.
    bool Visible(pqxx::transaction_base& tx, long long id, const Visibility& visibility) const;

    /// Inserts a new issue (status and assignment fields as given). Throws
    /// Error(kAlreadyExists, "duplicate_client_id") when the client_id was used before.
    Issue Insert(pqxx::transaction_base& tx, const Issue& issue) const;
    /// Writes every mutable field of `issue` if the stored version is `expected_version`;
    /// nullopt when it is not (someone else changed it first).
    std::optional<Issue> Update(pqxx::transaction_base& tx, const Issue& issue,
                                int expected_version) const;

    void OpenAssignment(pqxx::transaction_base& tx, const Issue& issue,
                        std::optional<long long> assigned_by) const;
    /// Records when the open assignment's evidence was submitted.
    void RecordSubmission(pqxx::transaction_base& tx, long long issue_id, TimePoint at) const;
    void EndAssignment(pqxx::transaction_base& tx, long long issue_id, TimePoint at,
                       const std::string& outcome) const;

    /// The fields the audit trail records, as a JSON object (text).
    std::string Snapshot(pqxx::transaction_base& tx, long long id) const;

    std::optional<SiteFacts> FindSite(pqxx::transaction_base& tx, long long site_id) const;
    /// The photo ids among `ids` that name no photo the caller may cite: none uploaded, or one
    /// it may not read (photo_access.hpp) — the same answer, so a hash's existence never shows.
    std::vector<std::string> MissingAttachments(pqxx::transaction_base& tx,
                                                const std::vector<std::string>& ids,
                                                long long user_id,
                                                const Visibility& visibility) const;
    /// The ids among `ids` that name no unit, or an office (offices are never assigned).
    std::vector<long long> UnassignableUnits(pqxx::transaction_base& tx,
                                             const std::vector<long long>& ids) const;
};

}  // namespace lantian::issues
