#include "seed/demo_history_cast.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>
#include <thread>

#include "common/error.hpp"
#include "db/transaction.hpp"

namespace lantian::seed::history {

namespace {

constexpr const char* kUserColumns = R"(
    select u.id, u.username, u.role, u.unit_id, coalesce(n.kind, '')
    from users u left join units n on n.id = u.unit_id)";

const std::string kByUsername =
    std::string(kUserColumns) + " where u.username = $1 and not u.disabled";
const std::string kInspectors =
    std::string(kUserColumns) + " where u.role = 'inspector' and not u.disabled order by u.id";
// The first enabled handler of each unit.
const std::string kHandlers = std::string(kUserColumns) +
                              " where u.role = 'handler' and not u.disabled"
                              " order by u.unit_id, u.id";

constexpr const char* kUnitsToStaff = R"(
    select id, code, name, kind from units
    where kind in ('subdistrict', 'park') or id = any ($1::bigint[])
    order by id)";

constexpr const char* kSites = R"(
    select id, kind, name, subdistrict_id, st_y(location::geometry), st_x(location::geometry)
    from sites where status = 'active' order by id)";

Actor ActorFrom(const pqxx::row& r) {
    Actor a;
    a.user_id = r[0].as<long long>();
    a.username = r[1].as<std::string>();
    a.role = ParseRole(r[2].as<std::string>()).value();
    if (!r[3].is_null()) a.unit_id = r[3].as<long long>();
    a.unit_kind = r[4].as<std::string>();
    return WithVisibility(a);
}

Actor DemoUser(db::Pool& pool, const std::string& username, const std::string& role) {
    const auto rows = db::Read(
        pool, [&](pqxx::transaction_base& tx) { return tx.exec_params(kByUsername, username); });
    if (rows.empty() || rows[0][2].as<std::string>() != role) {
        throw std::runtime_error("demo user " + username + " (" + role +
                                 ") is missing; seed the demo users first");
    }
    return ActorFrom(rows[0]);
}

std::string UnusablePassword() {
    unsigned char bytes[18];
    randombytes_buf(bytes, sizeof bytes);
    char hex[sizeof bytes * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
    return hex;
}

struct UnitToStaff {
    long long id = 0;
    std::string code;
    std::string name;
    std::string kind;
};

/// `jiaonan` for JF-SD-JIAONAN, as the demo's own handlers are named.
std::string UsernameFor(const std::string& code) {
    std::string name = code.substr(code.rfind('-') + 1);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

/// A new handler of the unit; nobody learns its password (an administrator can reset it).
auth::User CreateHandler(auth::UserService& users, const UnitToStaff& unit) {
    const std::string base = UsernameFor(unit.code);
    for (const std::string& username : {base, base + "-handler"}) {
        try {
            return users.Create(
                {username, unit.name + " 整改联络员", "handler", unit.id, UnusablePassword()});
        } catch (const Error& e) {
            if (e.code() != ErrorCode::kAlreadyExists) throw;
        }
    }
    throw std::runtime_error("no free username for a handler of " + unit.code);
}

}  // namespace

Cast LoadCast(db::Pool& pool, auth::UserService& users,
              const std::vector<dispatch::RoutingRule>& rules) {
    Cast cast;
    cast.office = DemoUser(pool, "huanweiban", "office");
    cast.supervisor = DemoUser(pool, "duchaju", "supervisor");
    std::vector<long long> leads;
    for (const auto& rule : rules) {
        if (rule.lead_unit_id) leads.push_back(*rule.lead_unit_id);
    }
    std::string lead_array = "{";
    for (size_t n = 0; n < leads.size(); ++n) {
        lead_array += (n ? "," : "") + std::to_string(leads[n]);
    }
    lead_array += "}";

    std::vector<UnitToStaff> missing;
    db::Read(pool, [&](pqxx::transaction_base& tx) {
        for (const auto& r : tx.exec(kInspectors)) cast.inspectors.push_back(ActorFrom(r));
        for (const auto& r : tx.exec(kHandlers)) {
            const Actor a = ActorFrom(r);
            if (a.unit_id) cast.handlers.emplace(*a.unit_id, a);  // keeps the first
        }
        for (const auto& r : tx.exec_params(kUnitsToStaff, lead_array)) {
            const long long id = r[0].as<long long>();
            if (cast.handlers.contains(id)) continue;
            missing.push_back(
                {id, r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>()});
        }
    });
    if (cast.inspectors.empty()) {
        throw std::runtime_error("no inspector to report findings; seed the demo users first");
    }

    // Password hashing dominates: two at a time (the hasher's own limit still applies).
    std::vector<std::optional<auth::User>> created(missing.size());
    std::vector<std::exception_ptr> failures(2);
    auto work = [&](size_t first, size_t worker) {
        try {
            for (size_t n = first; n < missing.size(); n += 2) {
                created[n] = CreateHandler(users, missing[n]);
            }
        } catch (...) {
            failures[worker] = std::current_exception();
        }
    };
    {
        std::jthread second(work, 1, 1);
        work(0, 0);
    }
    for (const auto& f : failures) {
        if (f) std::rethrow_exception(f);
    }
    for (size_t n = 0; n < missing.size(); ++n) {
        Actor a;
        a.user_id = created[n]->id;
        a.username = created[n]->username;
        a.role = Role::kHandler;
        a.unit_id = missing[n].id;
        a.unit_kind = missing[n].kind;
        cast.handlers.emplace(missing[n].id, WithVisibility(a));
        ++cast.handlers_created;
    }
    return cast;
}

std::vector<DemoSite> LoadSites(db::Pool& pool) {
    std::vector<DemoSite> sites;
    db::Read(pool, [&](pqxx::transaction_base& tx) {
        for (const auto& r : tx.exec(kSites)) {
            sites.push_back({r[0].as<long long>(), r[1].as<std::string>(), r[2].as<std::string>(),
                             r[3].as<long long>(), r[4].as<double>(), r[5].as<double>()});
        }
    });
    return sites;
}

Route RouteFor(const std::vector<dispatch::RoutingRule>& rules, const std::string& site_kind,
               const std::string& category, long long subdistrict_id) {
    // The most specific rule: kind and category, then category, then kind (the dispatch's
    // order, services/dispatch/dispatch_repository.cpp).
    const dispatch::RoutingRule* best = nullptr;
    int best_rank = -1;
    for (const auto& r : rules) {
        if (r.site_kind && *r.site_kind != site_kind) continue;
        if (r.category && *r.category != category) continue;
        const int rank =
            (r.site_kind && r.category ? 4 : 0) + (r.category ? 2 : 0) + (r.site_kind ? 1 : 0);
        if (rank > best_rank) {
            best = &r;
            best_rank = rank;
        }
    }
    Route route{subdistrict_id, {}};
    if (!best) return route;
    if (best->lead_unit_id) route.lead_unit_id = *best->lead_unit_id;
    std::set<long long> co(best->co_unit_ids.begin(), best->co_unit_ids.end());
    if (best->co_subdistrict) co.insert(subdistrict_id);
    co.erase(route.lead_unit_id);
    route.co_unit_ids.assign(co.begin(), co.end());
    return route;
}

}  // namespace lantian::seed::history
