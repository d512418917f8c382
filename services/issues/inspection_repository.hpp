#pragma once

#include <pqxx/transaction_base>

#include "issues/issue.hpp"

namespace lantian::issues {

class InspectionRepository {
public:
    /// Throws Error(kAlreadyExists, "duplicate_client_id") for a client_id used before.
    Inspection Insert(pqxx::transaction_base& tx, const NewInspection& inspection,
                      long long inspector_id, TimePoint received_at) const;
};

}  // namespace lantian::issues
