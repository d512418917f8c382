// The daily dispatch's part of the authorization matrix fixture: a run by a later clock (so that
// the district has overdue issues and escalations of several units), the recipes of the
// dispatch routes, and what a handler's Scope::kUnit leaves of bulletins and escalations.
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/time.hpp"
#include "dispatch/dispatch_repository.hpp"
#include "dispatch/dispatch_service.hpp"
#include "support/matrix_fixture.hpp"

namespace lantian::itest {

namespace {

using nlohmann::json;

/// A day no run is ever made for (POST /api/v1/dispatches recipes use the last 30 days: a
/// dispatch further back is refused as day_too_old).
constexpr const char* kDayWithoutRun = "2000-02-29";

TimePoint At(const std::string& rfc3339) {
    const auto t = ParseRfc3339(rfc3339);
    if (!t) throw std::logic_error("bad time in the matrix fixture: " + rfc3339);
    return *t;
}

TimePoint DaysAfter(const std::string& rfc3339, int days) {
    return At(rfc3339) + std::chrono::hours(24 * days);
}

std::string Quoted(const std::string& text) {
    return "'" + text + "'";  // only dates and times of the fixture's own making
}

/// The entries of `array` whose `field` is `unit`.
json OfUnit(const json& array, const char* field, long long unit) {
    json out = json::array();
    for (const auto& e : array) {
        if (e.value(field, json()) == json(unit)) out.push_back(e);
    }
    return out;
}

/// How many entries of `array` name another unit than `unit` in `field`.
size_t OtherUnits(const json& array, const char* field, long long unit) {
    return static_cast<size_t>(std::count_if(array.begin(), array.end(), [&](const json& e) {
        return e.value(field, json()) != json(unit);
    }));
}

/// A bulletin with its units and overdue entries in one order (jsonb_agg keeps none).
json Normalized(json bulletin) {
    for (const char* key : {"units", "overdue"}) {
        if (!bulletin.is_object() || !bulletin.contains(key) || !bulletin[key].is_array()) continue;
        std::vector<json> entries(bulletin[key].begin(), bulletin[key].end());
        std::sort(entries.begin(), entries.end(),
                  [](const json& a, const json& b) { return a.dump() < b.dump(); });
        bulletin[key] = entries;
    }
    return bulletin;
}

}  // namespace

void MatrixTest::SetUpDispatch() {
    // Twenty days on, every issue assigned so far is overdue by more than seven days: the run
    // raises all three levels for each (the lead units: 焦西, 产业集聚区, 城管) and lists them
    // in the bulletin's overdue entries.
    const TimePoint later = SystemClock().Now() + std::chrono::hours(24 * 20);
    const ManualClock clock(later);
    const dispatch::DispatchRepository repository{};
    dispatch::DispatchService dispatch(pool(), clock, repository);
    dispatch_day_ = dispatch.Run(DistrictDate(later), "matrix-dispatch").day;
    const std::string overdue =
        "select count(*) from dispatch_runs d, jsonb_array_elements(d.bulletin -> 'overdue') o "
        "where d.day = " +
        Quoted(dispatch_day_) + " and (o ->> 'lead_unit_id')::bigint ";
    for (const auto& p : principals_) {
        if (p.role != "handler") continue;
        const std::string unit = std::to_string(*p.unit_id);
        for (const char* op : {" = ", " <> "}) {
            if (QueryValue(std::string("select count(*) from escalations where unit_id") + op +
                           unit) == "0" ||
                QueryValue(overdue + op + unit) == "0") {
                Deviation("the fixture's dispatch of " + dispatch_day_ + " raised no escalation " +
                          "or overdue entry of " + (op[1] == '=' ? "" : "a unit other than ") +
                          p.label + "'s unit");
            }
        }
    }
    const std::string jiaoxi = std::to_string(jiaoxi_), chengguan = std::to_string(chengguan_);
    list_conditions_ = {
        {"/api/v1/escalations", "true"},
        {"/api/v1/escalations?level=2", "level = 2"},
        {"/api/v1/escalations?unit_id=" + jiaoxi, "unit_id = " + jiaoxi},
        {"/api/v1/escalations?unit_id=" + chengguan, "unit_id = " + chengguan},
        {"/api/v1/dispatches", "true"},
        {"/api/v1/dispatches?from=" + dispatch_day_ + "&to=" + dispatch_day_,
         "day = " + Quoted(dispatch_day_)},
        {"/api/v1/dispatches?to=2000-12-31", "day <= '2000-12-31'"},
    };
}

std::string MatrixTest::DispatchDay(Object object) const {
    return object == Object::kMissing ? kDayWithoutRun : dispatch_day_;
}

void MatrixTest::CheckBulletins(const Principal& p, const http::Request& get) {
    const std::string what = "GET " + get.target + " as " + p.label;
    http::Request again = get;
    const http::Response r = service().Handle(again);
    const json body = json::parse(r.body, nullptr, false);
    if (r.status != 200 || !body.is_object()) {
        Deviation(what + ": answered " + Describe(r) + " on a second look");
        return;
    }
    const bool list = body.contains("items");
    const json runs = list ? body["items"] : json::array({body});
    const bool handler = p.role == "handler";
    const long long unit = p.unit_id.value_or(-1);
    std::string days;
    for (const auto& run : runs) {
        const std::string day = run.value("date", "");
        days += (days.empty() ? "" : ",") + day;
        json expected = json::parse(
            QueryValue("select coalesce((select bulletin::text from dispatch_runs where day = " +
                       Quoted(ParseDate(day) ? day : kDayWithoutRun) + "), 'null')"));
        if (expected.is_null() || !run.contains("bulletin")) {
            Deviation(what + ": shows a run of " + day + " that is not stored");
            continue;
        }
        const json& got = run["bulletin"];
        if (handler) {
            const json units = got.value("units", json::array());
            const json overdue = got.value("overdue", json::array());
            if (const size_t n = OtherUnits(units, "unit_id", unit); n > 0) {
                Deviation(what + ": the bulletin of " + day + " shows " + std::to_string(n) +
                          " units rows of other units");
            }
            if (const size_t n = OtherUnits(overdue, "lead_unit_id", unit); n > 0) {
                Deviation(what + ": the bulletin of " + day + " shows " + std::to_string(n) +
                          " overdue entries of other units");
            }
            expected["units"] = OfUnit(expected["units"], "unit_id", unit);
            expected["overdue"] = OfUnit(expected["overdue"], "lead_unit_id", unit);
            if (expected["units"].empty() ||
                (day == dispatch_day_ && expected["overdue"].empty())) {
                Deviation(what + ": the stored bulletin of " + day + " has nothing of the unit");
            }
        }
        if (Normalized(got) != Normalized(expected)) {
            Deviation(what + ": the bulletin of " + day + " is not the stored one" +
                      (handler ? " cut to the caller's unit" : "") + ": " +
                      got.dump().substr(0, 300));
        }
    }
    if (!list) return;
    const auto condition = list_conditions_.find(get.target);
    if (condition == list_conditions_.end()) {
        Deviation(what + ": the test knows no SQL condition for this list");
        return;
    }
    const std::string stored = QueryValue(
        "select coalesce(string_agg(day::text, ',' order by day desc), '') from dispatch_runs "
        "where " +
        condition->second);
    if (days != stored)
        Deviation(what + ": listed the runs of [" + days + "], stored [" + stored + "]");
}

void MatrixTest::CheckEscalations(const Principal& p, const http::Request& get) {
    const std::string what = "GET " + get.target + " as " + p.label;
    const auto condition = list_conditions_.find(get.target);
    if (condition == list_conditions_.end()) {
        Deviation(what + ": the test knows no SQL condition for this list");
        return;
    }
    const bool handler = p.role == "handler";
    const long long unit = p.unit_id.value_or(-1);
    std::vector<json> items;
    std::string cursor;
    for (int page = 0; page < 200; ++page) {  // two a page, so that the cursor is exercised
        std::string target = get.target + (get.target.find('?') == std::string::npos ? "?" : "&") +
                             "limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor);
        const http::Response r = Call(p.token, "GET", target);
        const json body = json::parse(r.body, nullptr, false);
        if (r.status != 200 || !body.is_object() || !body.contains("items")) {
            Deviation(what + ": page " + std::to_string(page + 1) + " answered " + Describe(r));
            return;
        }
        for (const auto& item : body["items"]) items.push_back(item);
        if (!body.contains("next_cursor") || body["next_cursor"].is_null()) break;
        cursor = body["next_cursor"].get<std::string>();
    }
    const json all = items;
    if (const size_t n = OtherUnits(all, "unit_id", unit); handler && n > 0) {
        Deviation(what + ": " + std::to_string(n) + " of " + std::to_string(items.size()) +
                  " escalations are addressed to other units");
    }
    std::string ids;
    for (const auto& item : items)
        ids += (ids.empty() ? "" : ",") + item.value("id", json()).dump();
    const std::string stored = QueryValue(
        "select coalesce(string_agg(id::text, ',' order by id), '') from escalations where " +
        condition->second + (handler ? " and unit_id = " + std::to_string(unit) : ""));
    if (ids != stored) {
        Deviation(what + ": listed escalations [" + ids + "], expected [" + stored + "]");
    }
}

void MatrixTest::AddDispatchRecipes() {
    auto bulletins = [this](const Principal& p, const http::Request& get) {
        CheckBulletins(p, get);
    };
    recipes_["POST /api/v1/dispatches"] = {
        // A day of its own per request: the permitted run makes it (201).
        .body =
            [](int i) {
                const TimePoint day = SystemClock().Now() - std::chrono::hours(24 * (1 + i % 30));
                return json{{"date", DistrictDate(day)}}.dump();
            },
        .after_success =
            [this](const Principal& p, const http::Request& post) {
                const auto day = json::parse(post.body).at("date").get<std::string>();
                if (QueryValue("select count(*) from dispatch_runs where day = " + Quoted(day) +
                               " and bulletin ? 'units'") != "1") {
                    Deviation("POST /api/v1/dispatches as " + p.label + ": no run of " + day);
                }
            }};
    recipes_["GET /api/v1/dispatches"] = {
        .list_queries = {"", "?from=" + dispatch_day_ + "&to=" + dispatch_day_, "?to=2000-12-31"},
        .after_success = bulletins};
    recipes_["GET /api/v1/dispatches/{date}"] = {.table = "dispatch_runs",
                                                 .after_success = bulletins};
    recipes_["POST /api/v1/dispatches/{date}/publish"] = {
        .table = "dispatch_runs",
        .after_success = [this](const Principal& p, const http::Request& post) {
            const std::string day =
                post.target.substr(std::string("/api/v1/dispatches/").size(), 10);
            if (QueryValue("select count(*) from dispatch_runs where day = " + Quoted(day) +
                           " and published_at is not null and published_by is not null") != "1") {
                Deviation(post.target + " as " + p.label + ": the run is not published");
            }
        }};
    recipes_["GET /api/v1/escalations"] = {
        .list_queries = {"", "?level=2", "?unit_id=" + std::to_string(jiaoxi_),
                         "?unit_id=" + std::to_string(chengguan_)},
        .after_success = [this](const Principal& p, const http::Request& get) {
            CheckEscalations(p, get);
        }};
    recipes_["GET /api/v1/rules/routing"] = {};
    // The rules as stored, read back; every other request turns the last rule's
    // co_subdistrict over, so that a replacement shows.
    const http::Response current = Call(Admin().token, "GET", "/api/v1/rules/routing");
    const json rules = json::parse(current.body, nullptr, false);
    if (current.status != 200 || !rules.is_object() || rules.value("rules", json()).empty()) {
        Deviation("GET /api/v1/rules/routing as admin answered " + Describe(current) +
                  " (the demo district has routing rules)");
    }
    recipes_["PUT /api/v1/rules/routing"] = {
        .body =
            [rules](int i) {
                json body = rules.is_object() ? rules : json{{"rules", json::array()}};
                json& list = body["rules"];
                if (i % 2 && !list.empty()) {
                    list.back()["co_subdistrict"] = !list.back().value("co_subdistrict", false);
                }
                return body.dump();
            },
        .after_success =
            [this](const Principal& p, const http::Request& put) {
                const http::Response r = Call(p.token, "GET", "/api/v1/rules/routing");
                if (json::parse(r.body, nullptr, false) != json::parse(put.body)) {
                    Deviation("PUT /api/v1/rules/routing as " + p.label + ": reads back " +
                              r.body.substr(0, 300));
                }
            }};
    recipes_["GET /api/v1/pollution-alerts"] = {
        .list_queries = {"", "?from=2020-01-01",
                         "?from=2019-12-31T00:00:00Z&to=2020-03-01T00:00:00Z"}};
    // Alerts in 2020, long over, so that no deadline the matrix makes later is tightened.
    recipes_["POST /api/v1/pollution-alerts"] = {
        .body =
            [](int i) {
                constexpr const char* kLevels[] = {"yellow", "orange", "red"};
                const TimePoint starts = DaysAfter("2020-01-01T08:00:00+08:00", i % 300);
                return json{{"level", kLevels[i % 3]},
                            {"starts_at", FormatDistrictTime(starts)},
                            {"ends_at", FormatDistrictTime(starts + std::chrono::hours(12))}}
                    .dump();
            },
        .after_success =
            [this](const Principal& p, const http::Request& post) {
                const json body = json::parse(post.body);
                if (QueryValue("select count(*) from pollution_alerts where level = " +
                               Quoted(body.at("level").get<std::string>()) + " and starts_at = " +
                               Quoted(body.at("starts_at").get<std::string>()) +
                               " and ends_at = " + Quoted(body.at("ends_at").get<std::string>()) +
                               " and created_by = " + std::to_string(p.user_id)) != "1") {
                    Deviation("POST /api/v1/pollution-alerts as " + p.label + ": no alert " +
                              post.body);
                }
            }};
}

}  // namespace lantian::itest
