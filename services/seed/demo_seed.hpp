#pragma once

#include <pqxx/connection>

namespace lantian::seed {

struct SeedCounts {
    long long units = 0;
    long long sites = 0;
};

/// Loads the demo district (Jiefang District: its subdistricts, park, departments, offices,
/// illustrative boundaries and several hundred sites) in one transaction. Idempotent.
SeedCounts SeedDemoDistrict(pqxx::connection& conn);

}  // namespace lantian::seed
