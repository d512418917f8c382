#pragma once

// The array helpers live in db/sql_arrays.hpp (lantian::db). This forwarding header remains
// for reports/report_repository.cpp, which is being changed on another branch; drop it once
// that file includes db/sql_arrays.hpp.
#include "db/sql_arrays.hpp"

namespace lantian::issues {

using db::SplitIds;
using db::SplitStrings;
using db::ToArrayLiteral;

}  // namespace lantian::issues
