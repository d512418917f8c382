#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <vector>

#include "units/unit.hpp"

namespace lantian::units {

/// The SQL for units. Translates unique violations into Error(kAlreadyExists).
class UnitRepository {
public:
    std::vector<Unit> List(pqxx::transaction_base& tx, const UnitQuery& query) const;
    std::optional<Unit> Find(pqxx::transaction_base& tx, long long id) const;
    Unit Insert(pqxx::transaction_base& tx, const NewUnit& unit) const;
    /// True when sites are placed in this unit (it must then stay territorial).
    bool HoldsSites(pqxx::transaction_base& tx, long long id) const;
    /// True when `ancestor` is `id` or one of its parents, grandparents, ...
    bool IsAncestorOrSelf(pqxx::transaction_base& tx, long long ancestor, long long id) const;
    /// Compare-and-set on version; nullopt when no row has that id and version.
    std::optional<Unit> Update(pqxx::transaction_base& tx, long long id, int expected_version,
                               const UnitPatch& patch) const;
};

}  // namespace lantian::units
