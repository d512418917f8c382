#pragma once

#include <vector>

#include "db/pool.hpp"
#include "units/unit.hpp"
#include "units/unit_repository.hpp"

namespace lantian::units {

/// The rules for units: valid kinds, non-blank names, a parent that exists and is not the
/// unit itself, and compare-and-set versions on change.
class UnitService {
public:
    UnitService(db::Pool& pool, const UnitRepository& repository)
        : pool_(pool), repository_(repository) {}

    std::vector<Unit> List(const UnitQuery& query);
    Unit Get(long long id);
    Unit Create(const NewUnit& unit);
    Unit Patch(long long id, int expected_version, const UnitPatch& patch);

private:
    db::Pool& pool_;
    const UnitRepository& repository_;
};

}  // namespace lantian::units
