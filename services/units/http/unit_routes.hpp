#pragma once

#include "http/router.hpp"
#include "units/unit_service.hpp"

namespace lantian::units {

/// GET/POST /api/v1/units, GET/PATCH /api/v1/units/{id}.
void RegisterUnitRoutes(http::Router& router, UnitService& service);

}  // namespace lantian::units
