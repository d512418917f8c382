// The frozen bulletin (调度通报) of the daily dispatch, checked figure by figure against a small
// hand-built ledger: per unit new / open / submitted / closed yesterday / overdue / on-time rate
// over deadlines of the 30 days before the day, the subdistrict ranking, the overdue list with
// days late, and the totals. Then: frozen (later changes do not alter it), a handler's view
// (their own unit only), and publishing (once).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/transaction.hpp"
#include "dispatch/dispatch_service.hpp"
#include "support/scratch_database.hpp"

namespace lantian::dispatch {
namespace {

using nlohmann::json;
using std::chrono::hours;

/// "03-09 10:00:00" → 2026-03-09T10:00:00+08:00 (district time).
std::string T(const std::string& mmdd_hhmmss) {
    return "2026-" + mmdd_hhmmss.substr(0, 5) + "T" + mmdd_hhmmss.substr(6) + "+08:00";
}
TimePoint At(const std::string& mmdd_hhmmss) {
    return *ParseRfc3339(T(mmdd_hhmmss));
}

using TestClock = ManualClock;

/// One issue of the data set, at the first site of `kind` in `territory`.
struct Spec {
    std::string name;
    long long territory = 0;
    std::string status;
    std::string received;
    std::optional<long long> lead;
    std::optional<std::string> due, submitted, closed;
    bool fixed_on_spot = false;
    std::string kind = "residential_compound";
};

/// A unit's row as the bulletin should have it.
struct Figures {
    int new_, open, submitted, closed, overdue, due, on_time;
    std::optional<double> rate;
};

constexpr const char* kDay = "2026-03-10";  // run at 08:00 district time

class DispatchBulletin : public itest::SeededDatabaseTest {
protected:
    void SetUp() override {
        itest::SeededDatabaseTest::SetUp();
        if (HasFatalFailure()) return;
        clock_.Set(At("03-10 08:00:00"));
        a_ = UnitId("JF-SD-JIAOXI");
        b_ = UnitId("JF-SD-MINZHU");
        c_ = UnitId("JF-SD-JIAONAN");
        d_ = UnitId("JF-SD-QIBAIJIAN");
        g_ = UnitId("JF-DEPT-CHENGGUAN");
        office_ = WithVisibility({.role = Role::kOffice, .unit_id = UnitId("JF-OFF-HUANWEIBAN")});
        office_.user_id = std::stoll(
            QueryValue("insert into users (username, display_name, role, password_hash) "
                       "values ('office.bulletin', '环委办', 'office', 'x') returning id"));
        dispatch_ = std::make_unique<DispatchService>(pool(), clock_, repository_);

        const std::vector<Spec> ledger = {
            // 焦西 (A): three new yesterday (one rejected), six open, one submitted, three
            // closed yesterday, two overdue; due in the window: a4 a5 a6 a7, on time: a5.
            {"a1", a_, "reported", "03-09 10:00:00"},
            {"a2", a_, "confirmed", "03-09 23:59:59"},  // assigned by the run, due in 7 days
            {"a3", a_, "assigned", "03-08 23:59:59", a_, "03-12 12:00:00"},
            {"a4", a_, "submitted", "03-01 09:00:00", a_, "03-05 10:00:00", "03-04 16:00:00"},
            {"a5", a_, "closed", "02-20 09:00:00", a_, "03-01 12:00:00", "02-28 10:00:00",
             "03-09 15:00:00"},
            {"a6", a_, "closed", "02-20 09:00:00", a_, "03-02 12:00:00", "03-03 09:00:00",
             "03-03 18:00:00"},                                              // closed late
            {"a7", a_, "assigned", "02-25 09:00:00", a_, "03-07 06:00:00"},  // 3 d 2 h late
            {"a8", a_, "closed", "01-25 09:00:00", a_, "02-01 12:00:00", "02-01 09:00:00",
             "03-09 00:00:00"},  // due before the window; closed at yesterday's first instant
            {"a9", a_, "closed", "03-05 10:00:00", a_, "03-05 10:00:00", "03-05 10:00:00",
             "03-09 12:00:00", true},  // fixed on the spot: no deadline to meet
            {"a10", a_, "rejected", "03-09 11:00:00"},
            {"a11", a_, "assigned", "03-03 09:00:00", a_, "03-10 00:00:00"},  // 8 h late
            // 民主 (B): due b1 b2 b3, on time b1 b3 (b3 submitted at the deadline itself).
            {"b1", b_, "closed", "03-01 09:00:00", b_, "03-09 18:00:00", "03-09 17:00:00",
             "03-09 20:00:00"},
            {"b2", b_, "assigned", "02-20 09:00:00", b_, "02-28 07:00:00"},  // 10 d 1 h late
            {"b3", b_, "closed", "03-01 09:00:00", b_, "03-06 12:00:00", "03-06 12:00:00",
             "03-07 10:00:00"},
            // 焦南 (C) and 七百间 (D): one deadline each, met.
            {"c1", c_, "closed", "03-01 09:00:00", c_, "03-08 12:00:00", "03-08 10:00:00",
             "03-08 14:00:00"},
            {"d1", d_, "closed", "03-01 09:00:00", d_, "03-08 12:00:00", "03-08 10:00:00",
             "03-08 14:00:00"},
            // 城管 (G), lead of restaurants: counted for the lead, not the subdistrict beside.
            {"g1",
             a_,
             "assigned",
             "03-09 08:00:00",
             g_,
             "03-11 08:00:00",
             {},
             {},
             false,
             "restaurant"},
            {"g2", b_, "confirmed", "03-10 07:00:00", {}, {}, {}, {}, false, "restaurant"},
        };
        for (const Spec& s : ledger) id_[s.name] = Put(s);
        run_ = dispatch_->Run(kDay, "bulletin-test");
        bulletin_ = json::parse(run_.bulletin_json);
    }

    long long Put(const Spec& s) {
        return db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
            const auto opt = [](const std::optional<std::string>& v) {
                return v ? std::optional<std::string>(T(*v)) : std::nullopt;
            };
            return tx
                .exec_params1(
                    "insert into issues (client_id, site_id, subdistrict_id, site_kind, category, "
                    "  severity, description, source, status, fixed_on_spot, reported_by, "
                    "  reported_at, received_at, rejection_kind, rejection_reason, lead_unit_id, "
                    "  assigned_at, due_at, submitted_at, closed_at) "
                    "select gen_random_uuid(), s.id, s.subdistrict_id, s.kind, 'other', 1, "
                    "  '通报测试', 'patrol', $3::text, $4, $5, $6::timestamptz, $6::timestamptz, "
                    "  case when $3::text = 'rejected' then 'invalid' end, "
                    "  case when $3::text = 'rejected' then '不属实' end, $7::bigint, "
                    "  case when $7::bigint is not null then "
                    "    least($6::timestamptz, $8::timestamptz) end, "
                    "  $8::timestamptz, $9::timestamptz, $10::timestamptz "
                    "from sites s where s.kind = $1 and s.subdistrict_id = $2 "
                    "order by s.id limit 1 returning id",
                    s.kind, s.territory, s.status, s.fixed_on_spot, office_.user_id, T(s.received),
                    s.lead, opt(s.due), opt(s.submitted), opt(s.closed))[0]
                .as<long long>();
        });
    }

    static json RowOf(const json& rows, long long unit) {
        for (const auto& r : rows) {
            if (r.at("unit_id") == unit) return r;
        }
        return nullptr;
    }

    void ExpectFigures(const json& row, const Figures& f, const std::string& who) {
        SCOPED_TRACE(who);
        ASSERT_TRUE(row.is_object());
        EXPECT_EQ(row.at("new"), f.new_);
        EXPECT_EQ(row.at("open"), f.open);
        EXPECT_EQ(row.at("submitted"), f.submitted);
        EXPECT_EQ(row.at("closed"), f.closed);
        EXPECT_EQ(row.at("overdue"), f.overdue);
        EXPECT_EQ(row.at("due"), f.due);
        EXPECT_EQ(row.at("on_time"), f.on_time);
        if (f.rate) {
            EXPECT_DOUBLE_EQ(row.at("on_time_rate").get<double>(), *f.rate);
        } else {
            EXPECT_TRUE(row.at("on_time_rate").is_null());
        }
    }

    static TimePoint TimeOf(const json& v) { return *ParseRfc3339(v.get<std::string>()); }

    TestClock clock_;
    long long a_ = 0, b_ = 0, c_ = 0, d_ = 0, g_ = 0;
    Actor office_;
    std::map<std::string, long long> id_;
    DispatchRun run_;
    json bulletin_;
    DispatchRepository repository_;
    std::unique_ptr<DispatchService> dispatch_;
};

TEST_F(DispatchBulletin, TheRunAssignsTheConfirmedAndEscalatesTheOverdueBeforeCounting) {
    EXPECT_TRUE(run_.created);
    EXPECT_EQ(run_.day, kDay);
    EXPECT_EQ(run_.run_at, At("03-10 08:00:00"));
    EXPECT_EQ(run_.assigned_ids, (std::vector<long long>{id_["a2"], id_["g2"]}));
    EXPECT_EQ(run_.escalation_count, 6);  // a7: 1 2 · a11: 1 · b2: 1 2 3
    EXPECT_EQ(bulletin_.at("day"), kDay);
    EXPECT_EQ(TimeOf(bulletin_.at("period").at("from")), At("03-09 00:00:00"));
    EXPECT_EQ(TimeOf(bulletin_.at("period").at("to")), At("03-10 00:00:00"));
    EXPECT_EQ(TimeOf(bulletin_.at("rate_window").at("from")), At("02-08 00:00:00"));
    EXPECT_EQ(TimeOf(bulletin_.at("rate_window").at("to")), At("03-10 00:00:00"));
}

TEST_F(DispatchBulletin, EachUnitsRowHoldsTheHandComputedFigures) {
    const json& units = bulletin_.at("units");
    ExpectFigures(RowOf(units, a_), {3, 6, 1, 3, 2, 4, 1, 0.25}, "焦西");
    ExpectFigures(RowOf(units, b_), {0, 1, 0, 1, 1, 3, 2, 0.6667}, "民主");
    ExpectFigures(RowOf(units, c_), {0, 0, 0, 0, 0, 1, 1, 1.0}, "焦南");
    ExpectFigures(RowOf(units, d_), {0, 0, 0, 0, 0, 1, 1, 1.0}, "七百间");
    ExpectFigures(RowOf(units, g_), {1, 2, 0, 0, 0, 0, 0, std::nullopt}, "城管");
    // Every territory and department has a row (offices none); the rest are all zero.
    EXPECT_EQ(units.size(), 16u);
    for (const auto& row : units) {
        EXPECT_NE(row.at("unit_kind"), "office");
        const long long unit = row.at("unit_id");
        if (unit == a_ || unit == b_ || unit == c_ || unit == d_ || unit == g_) continue;
        ExpectFigures(row, {0, 0, 0, 0, 0, 0, 0, std::nullopt},
                      row.at("unit_name").get<std::string>());
    }
}

TEST_F(DispatchBulletin, TheRankingPutsTheBestRateFirstSharesTiesAndLeavesUnratedUnitsLast) {
    std::vector<std::pair<long long, int>> expected = {{c_, 1}, {d_, 1}, {b_, 3}, {a_, 4}};
    for (const char* code : {"JF-SD-JIAOBEI", "JF-SD-MINSHENG", "JF-SD-XINHUA", "JF-SD-WANGCHU",
                             "JF-SD-SHANGBAIZUO", "JF-PK-CYJJQ"}) {
        expected.emplace_back(UnitId(code), 5);
    }
    std::sort(expected.begin() + 4, expected.end());
    std::vector<std::pair<long long, int>> ranked;
    for (const auto& r : bulletin_.at("ranking")) {
        ranked.emplace_back(r.at("unit_id").get<long long>(), r.at("rank").get<int>());
    }
    EXPECT_EQ(ranked, expected);
    const json& third = bulletin_.at("ranking").at(2);
    EXPECT_EQ(third.at("unit_name"), "民主街道");
    EXPECT_DOUBLE_EQ(third.at("on_time_rate").get<double>(), 0.6667);
    EXPECT_EQ(third.at("due"), 3);
    EXPECT_EQ(third.at("on_time"), 2);
    EXPECT_EQ(third.at("overdue"), 1);
    EXPECT_TRUE(bulletin_.at("ranking").back().at("on_time_rate").is_null());
}

TEST_F(DispatchBulletin, TheOverdueListNamesEachLateIssueItsUnitAndWholeDaysLateLongestFirst) {
    struct Late {
        std::string name;
        long long unit;
        std::string unit_name, due;
        int days, level;
    };
    const std::vector<Late> expected = {{"b2", b_, "民主街道", "02-28 07:00:00", 10, 3},
                                        {"a7", a_, "焦西街道", "03-07 06:00:00", 3, 2},
                                        {"a11", a_, "焦西街道", "03-10 00:00:00", 0, 1}};
    const json& overdue = bulletin_.at("overdue");
    ASSERT_EQ(overdue.size(), expected.size());
    for (size_t n = 0; n < expected.size(); ++n) {
        const Late& e = expected[n];
        const json& o = overdue.at(n);
        SCOPED_TRACE(e.name);
        EXPECT_EQ(o.at("issue_id"), id_[e.name]);
        EXPECT_EQ(o.at("lead_unit_id"), e.unit);
        EXPECT_EQ(o.at("unit_name"), e.unit_name);
        EXPECT_EQ(TimeOf(o.at("due_at")), At(e.due));
        EXPECT_EQ(o.at("days_late"), e.days);
        EXPECT_EQ(o.at("escalation_level"), e.level);
        EXPECT_EQ(o.at("category"), "other");
        EXPECT_EQ(
            std::to_string(o.at("site_id").get<long long>()),
            QueryValue("select site_id from issues where id = " + std::to_string(id_[e.name])));
        EXPECT_EQ(o.at("site_name").get<std::string>(),
                  QueryValue("select s.name from sites s join issues i on i.site_id = s.id "
                             "where i.id = " +
                             std::to_string(id_[e.name])));
    }
}

TEST_F(DispatchBulletin, TheTotalsAddUpEveryUnitsRow) {
    EXPECT_EQ(bulletin_.at("totals"), json({{"new", 4},
                                            {"open", 9},
                                            {"submitted", 1},
                                            {"closed", 4},
                                            {"overdue", 3},
                                            {"due", 9},
                                            {"on_time", 5}}));
}

TEST_F(DispatchBulletin, LaterChangesToTheLedgerDoNotAlterTheFrozenBulletin) {
    // The overdue a7 is rectified and closed, a new finding comes in, a day passes.
    Execute("update issues set status = 'submitted', submitted_at = now() where id = " +
            std::to_string(id_["a7"]));
    Execute("update issues set status = 'closed', closed_at = now() where id = " +
            std::to_string(id_["a7"]));
    Put({"late", a_, "reported", "03-09 12:00:00"});
    clock_.Set(clock_.Now() + hours(25));

    const DispatchRun again = dispatch_->Get(kDay, office_);
    EXPECT_EQ(again.bulletin_json, run_.bulletin_json);
    EXPECT_EQ(again.assigned_ids, run_.assigned_ids);
    const DispatchRun rerun = dispatch_->Run(kDay, "bulletin-test-again");
    EXPECT_FALSE(rerun.created);
    EXPECT_EQ(rerun.bulletin_json, run_.bulletin_json);
}

TEST_F(DispatchBulletin, AHandlerSeesOnlyTheirOwnUnitsRowAndOverdueIssues) {
    const Actor jiaoxi =
        WithVisibility({.user_id = office_.user_id, .role = Role::kHandler, .unit_id = a_});
    const json own = json::parse(dispatch_->Get(kDay, jiaoxi).bulletin_json);
    ASSERT_EQ(own.at("units").size(), 1u);
    ExpectFigures(own.at("units").at(0), {3, 6, 1, 3, 2, 4, 1, 0.25}, "焦西 as its handler");
    ASSERT_EQ(own.at("overdue").size(), 2u);
    EXPECT_EQ(own.at("overdue").at(0).at("issue_id"), id_["a7"]);
    EXPECT_EQ(own.at("overdue").at(1).at("issue_id"), id_["a11"]);

    const Actor chengguan =
        WithVisibility({.user_id = office_.user_id, .role = Role::kHandler, .unit_id = g_});
    const json dept = json::parse(dispatch_->Get(kDay, chengguan).bulletin_json);
    ASSERT_EQ(dept.at("units").size(), 1u);
    EXPECT_EQ(dept.at("units").at(0).at("unit_id"), g_);
    EXPECT_TRUE(dept.at("overdue").empty());

    const Actor leader = WithVisibility({.user_id = office_.user_id, .role = Role::kLeader});
    EXPECT_EQ(dispatch_->Get(kDay, leader).bulletin_json, run_.bulletin_json);
}

TEST_F(DispatchBulletin, PublishingStampsTheFirstPublicationAndKeepsIt) {
    EXPECT_FALSE(run_.published_at.has_value());
    const TimePoint first = clock_.Now() + hours(1);
    clock_.Set(first);
    const DispatchRun published = dispatch_->Publish(kDay, office_);
    EXPECT_EQ(published.published_at, first);
    EXPECT_EQ(published.published_by, office_.user_id);

    clock_.Set(first + hours(2));
    const DispatchRun twice = dispatch_->Publish(kDay, office_);
    EXPECT_EQ(twice.published_at, first);
    EXPECT_EQ(dispatch_->Get(kDay, office_).published_at, first);
    EXPECT_EQ(twice.bulletin_json, run_.bulletin_json);

    try {
        dispatch_->Publish("2026-03-11", office_);
        ADD_FAILURE() << "a day that never ran was published";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    }
}

}  // namespace
}  // namespace lantian::dispatch
