#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/user_service.hpp"
#include "common/actor.hpp"
#include "db/pool.hpp"
#include "dispatch/dispatch.hpp"

// Who acts in the demo history, and where: the demo's people as the services expect them
// (Actors), a handler for every unit that receives work, the sites, and the routing rules.
namespace lantian::seed::history {

struct DemoSite {
    long long id = 0;
    std::string kind;
    std::string name;
    long long subdistrict_id = 0;
    double lat = 0;
    double lon = 0;
};

struct Cast {
    std::vector<Actor> inspectors;
    Actor office;                         // 环委办
    Actor supervisor;                     // 督查局
    std::map<long long, Actor> handlers;  // by unit id
    int handlers_created = 0;
};

/// The demo users (services/seed/demo_users.cpp) as Actors, and a handler for each territorial
/// unit and each unit the routing rules name as lead: an existing handler of the unit, else a
/// new one with a random password nobody is told. Throws when the demo users are missing.
Cast LoadCast(db::Pool& pool, auth::UserService& users,
              const std::vector<dispatch::RoutingRule>& rules);

/// The active sites, by id.
std::vector<DemoSite> LoadSites(db::Pool& pool);

/// The lead unit and co-units the routing rules give an issue (as the daily dispatch does),
/// for the office's assignment by hand.
struct Route {
    long long lead_unit_id = 0;
    std::vector<long long> co_unit_ids;
};
Route RouteFor(const std::vector<dispatch::RoutingRule>& rules, const std::string& site_kind,
               const std::string& category, long long subdistrict_id);

}  // namespace lantian::seed::history
