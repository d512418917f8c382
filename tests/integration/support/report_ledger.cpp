#include "support/report_ledger.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <set>

#include "common/clock.hpp"
#include "common/time.hpp"
#include "db/transaction.hpp"

namespace lantian::itest {

namespace {

using nlohmann::json;

void ExpectRate(const json& value, const std::optional<double>& expected, const std::string& name,
                const std::string& what) {
    if (!expected) {
        EXPECT_TRUE(value.is_null()) << what << ": " << name << " should be null, is " << value;
        return;
    }
    ASSERT_TRUE(value.is_number())
        << what << ": " << name << " should be " << *expected << ", is " << value;
    EXPECT_DOUBLE_EQ(value.get<double>(), *expected) << what << ": " << name;
}

}  // namespace

std::string ReportLedgerTest::T(const std::string& mmdd_hhmm) {
    const std::string clock = mmdd_hhmm.substr(6);
    return "2026-" + mmdd_hhmm.substr(0, 5) + "T" + clock + (clock.size() == 5 ? ":00" : "") +
           "+08:00";
}

std::string ReportLedgerTest::Today() {
    return DistrictDate(SystemClock().Now());
}

void ReportLedgerTest::PutHandBuiltLedger() {
    ASSERT_GE(Today(), "2026-11-14")
        << "the hand-built ledger lies in November 2026 and the service reads the system clock";
    a_ = jiaoxi_;
    b_ = minzhu_;
    g_ = chengguan_;
    c_ = UnitId("JF-SD-JIAONAN");
    d_ = UnitId("JF-SD-QIBAIJIAN");
    e_ = UnitId("JF-SD-JIAOBEI");
    const std::string fume = "fume_direct_emission", dust = "dust_uncovered";
    const std::string restaurant = "restaurant", site = "construction_site",
                      home = "residential_compound";
    const std::vector<IssueSpec> ledger = {
        {"a1",
         a_,
         restaurant,
         fume,
         "closed",
         T("11-01 09:00"),
         T("11-01 10:00"),
         a_,
         {{T("11-01 12:00"), T("11-05 12:00"), T("11-04 12:00"), T("11-05 09:00"), "closed"}},
         T("11-05 09:00")},
        {"a2",
         a_,
         site,
         dust,
         "closed",
         T("11-02 09:00"),
         T("11-02 09:30"),
         a_,
         {{T("11-02 10:00"), T("11-03 10:00"), T("11-04 10:00"), T("11-04 18:00"), "closed"}},
         T("11-04 18:00")},
        {"a3",
         a_,
         restaurant,
         fume,
         "closed",
         T("11-01 08:00"),
         T("11-01 08:30"),
         a_,
         {{T("11-01 09:00"), T("11-02 09:00"), T("11-01 20:00"), T("11-02 08:00"), "returned"},
          {T("11-02 08:00"), T("11-03 08:00"), T("11-02 20:00"), T("11-03 08:00"), "returned"},
          {T("11-03 08:00"), T("11-06 08:00"), T("11-05 08:00"), T("11-06 10:00"), "closed"}},
         T("11-06 10:00")},
        {"a4",
         a_,
         "shop_front",
         "shop_front_duty",
         "closed",
         T("11-03 10:00"),
         std::nullopt,
         a_,
         {{T("11-03 10:05"), T("11-03 10:05"), T("11-03 10:05"), T("11-04 09:00"), "closed"}},
         T("11-04 09:00"),
         true,
         T("11-03 10:05")},
        {"a5", a_, restaurant, fume, "rejected", T("11-05 11:00"), T("11-05 12:00")},
        {"a6", a_, restaurant, fume, "reported", T("11-06 23:59:59")},
        {"a7", a_, restaurant, fume, "reported", T("11-07 00:00:00")},
        {"a8", a_, site, dust, "confirmed", "2026-11-01T16:30:00Z", "2026-11-01T16:45:00Z"},
        {"a9",
         a_,
         site,
         dust,
         "submitted",
         T("11-04 09:00"),
         T("11-04 09:30"),
         a_,
         {{T("11-04 10:00"), T("11-08 10:00"), T("11-12 10:00")}}},
        {"a10",
         a_,
         site,
         dust,
         "assigned",
         T("11-05 09:00"),
         T("11-05 09:10"),
         a_,
         {{T("11-05 10:00"), T("11-09 10:00")}}},
        {"g1",
         a_,
         restaurant,
         fume,
         "submitted",
         T("11-06 09:00"),
         T("11-06 09:30"),
         g_,
         {{T("11-06 10:00"), T("11-07 10:00"), T("11-07 09:00")}}},
        {"b1",
         b_,
         site,
         dust,
         "assigned",
         T("11-02 09:00"),
         T("11-02 09:30"),
         b_,
         {{T("11-02 10:00"), T("11-05 10:00")}}},
        {"b2",
         b_,
         "open_air_bbq",
         fume,
         "assigned",
         T("11-03 09:00"),
         T("11-03 09:30"),
         b_,
         {{T("11-03 10:00"), T("11-06 10:00")}}},
        {"c1",
         c_,
         home,
         "other",
         "assigned",
         T("11-08 09:00"),
         T("11-08 10:00"),
         c_,
         {{T("11-08 11:00"), T("11-12 11:00")}}},
        {"d1",
         d_,
         home,
         "other",
         "closed",
         T("11-01 09:00"),
         T("11-01 09:30"),
         d_,
         {{T("11-01 10:00"), T("11-03 10:00"), T("11-03 10:00"), T("11-03 15:00"), "closed"}},
         T("11-03 15:00")},
        {"d2",
         d_,
         home,
         "other",
         "assigned",
         T("10-25 09:00"),
         T("10-25 10:00"),
         d_,
         {{T("10-25 11:00"), T("10-30 11:00")}}},
        {"d3",
         d_,
         home,
         "other",
         "closed",
         T("10-28 09:00"),
         T("10-28 09:30"),
         d_,
         {{T("10-28 10:00"), T("11-02 10:00"), T("11-01 10:00"), T("11-02 09:00"), "closed"}},
         T("11-02 09:00")},
        {"e1",
         e_,
         home,
         "other",
         "closed",
         T("11-02 09:00"),
         T("11-02 10:00"),
         e_,
         {{T("11-02 11:00"), T("11-09 11:00"), T("11-08 11:00"), T("11-09 09:00"), "closed"}},
         T("11-09 09:00")},
        {"e2",
         e_,
         home,
         "other",
         "closed",
         T("11-09 09:00"),
         T("11-09 09:30"),
         e_,
         {{T("11-09 10:00"), T("11-16 10:00"), T("11-12 10:00"), T("11-13 10:00"), "closed"}},
         T("11-13 10:00")},
    };
    for (const IssueSpec& spec : ledger) {
        Put(spec);
        if (HasFailure()) return;
    }
    Escalate("a3", a_, 2, T("11-03 08:00"));
    Escalate("a10", a_, 1, T("11-10 23:59:59"));
    Escalate("b1", b_, 1, T("11-06 08:00"));
    Escalate("b1", b_, 2, T("11-09 08:00"));
    Escalate("b1", b_, 3, T("11-11 00:00:00"));
    Escalate("b2", b_, 1, T("11-07 08:00"));
    Escalate("d2", d_, 1, T("10-31 08:00"));
    Escalate("d2", d_, 2, T("11-03 08:00"));
    Escalate("d2", d_, 3, T("11-07 08:00"));
}

long long ReportLedgerTest::Put(const IssueSpec& s) {
    const AssignmentSpec* first = s.assignments.empty() ? nullptr : &s.assignments.front();
    const AssignmentSpec* last = s.assignments.empty() ? nullptr : &s.assignments.back();
    const auto at = [](const AssignmentSpec* a, std::string AssignmentSpec::*field) {
        return a ? std::optional<std::string>(a->*field) : std::nullopt;
    };
    const long long id = db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
        // First as it stood at its first assignment (or as it is, when never assigned) ...
        const long long issue_id =
            tx.exec_params1(
                  "insert into issues (client_id, site_id, subdistrict_id, site_kind, category, "
                  "  severity, description, source, status, fixed_on_spot, reported_by, "
                  "  reported_at, received_at, triaged_at, rejection_kind, rejection_reason, "
                  "  lead_unit_id, assigned_at, due_at) "
                  "select gen_random_uuid(), s.id, s.subdistrict_id, s.kind, $3, 1, $4, 'patrol', "
                  "  $5::text, $6, $7, $8::timestamptz, "
                  "  coalesce($9::timestamptz, $8::timestamptz), $10::timestamptz, "
                  "  case when $5::text = 'rejected' then 'invalid' end, "
                  "  case when $5::text = 'rejected' then '现场核实不属实' end, $11::bigint, "
                  "  $12::timestamptz, $13::timestamptz "
                  "from sites s where s.kind = $1 and s.subdistrict_id = $2 "
                  "order by s.id limit 1 returning id",
                  s.kind, s.territory, s.category, "报表测试 " + s.name,
                  first ? std::string("assigned") : s.status, s.fixed_on_spot, office_.user_id,
                  s.reported, s.received, s.triaged, s.lead, at(first, &AssignmentSpec::assigned),
                  at(first, &AssignmentSpec::due))[0]
                .as<long long>();
        if (!first) return issue_id;
        // ... then as it is now: its last assignment, evidence, returns and closing.
        const bool has_evidence = s.status == "submitted" || s.status == "closed";
        const std::optional<std::string> submitted =
            has_evidence ? last->submitted : std::optional<std::string>();
        tx.exec_params(
            "update issues set status = $2, assigned_at = $3::timestamptz, "
            "  due_at = $4::timestamptz, submitted_at = $5::timestamptz, "
            "  closed_at = $6::timestamptz, return_count = $7, "
            "  rectification = case when $5::timestamptz is not null then '已整改到位' end "
            "where id = $1",
            issue_id, s.status, last->assigned, last->due, submitted, s.closed,
            static_cast<int>(s.assignments.size()) - 1);
        for (const AssignmentSpec& a : s.assignments) {
            tx.exec_params(
                "insert into issue_assignments (issue_id, lead_unit_id, assigned_at, due_at, "
                "  submitted_at, ended_at, outcome) "
                "values ($1, $2, $3::timestamptz, $4::timestamptz, $5::timestamptz, "
                "  $6::timestamptz, $7)",
                issue_id, *s.lead, a.assigned, a.due, a.submitted, a.ended, a.outcome);
        }
        return issue_id;
    });
    ids_[s.name] = id;
    return id;
}

void ReportLedgerTest::Escalate(const std::string& issue, long long unit, int level,
                                const std::string& at) {
    db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
        tx.exec_params(
            "insert into escalations (issue_id, unit_id, level, reason, raised_at) "
            "values ($1, $2, $3, '报表测试', $4::timestamptz)",
            Id(issue), unit, level, at);
    });
}

json ReportLedgerTest::GetJson(const Person& who, const std::string& target) {
    const Reply r = Send(who, "GET", target);
    EXPECT_EQ(r.status, 200) << target << " as " << who.label << ": " << r.raw.body;
    return r.body;
}

json ReportLedgerTest::RowOf(const json& summary, const std::string& key) {
    for (const auto& row : summary.at("rows")) {
        if (row.at("key") == key) return row;
    }
    return nullptr;
}

void ReportLedgerTest::ExpectFigures(const json& row, const Figures& f, const std::string& what) {
    ASSERT_TRUE(row.is_object()) << what << ": no such row";
    const std::vector<std::pair<std::string, long long>> counts = {
        {"found", f.found},         {"confirmed", f.confirmed},
        {"assigned", f.assigned},   {"closed_of_assigned", f.closed_of_assigned},
        {"submitted", f.submitted}, {"closed", f.closed},
        {"reworked", f.reworked},   {"due", f.due},
        {"on_time", f.on_time},     {"overdue", f.overdue},
        {"rectified", f.rectified}};
    for (const auto& [name, expected] : counts) {
        EXPECT_EQ(row.at(name), expected) << what << ": " << name;
    }
    ExpectRate(row.at("on_time_rate"), f.on_time_rate, "on_time_rate", what);
    ExpectRate(row.at("closure_rate"), f.closure_rate, "closure_rate", what);
    ExpectRate(row.at("rework_rate"), f.rework_rate, "rework_rate", what);
    ExpectRate(row.at("mean_hours_to_rectify"), f.mean_hours_to_rectify, "mean_hours_to_rectify",
               what);
}

DrillResult ReportLedgerTest::Drill(const Person& who, const std::string& link, int limit) {
    DrillResult out;
    std::string cursor;
    while (out.pages < 1000) {
        std::string target = link + "&limit=" + std::to_string(limit);
        if (!cursor.empty()) target += "&cursor=" + cursor;
        const Reply r = Send(who, "GET", target);
        EXPECT_EQ(r.status, 200) << target << ": " << r.raw.body;
        if (r.status != 200) break;
        ++out.pages;
        if (out.pages == 1) out.total = r.body.at("total").get<long long>();
        for (const auto& item : r.body.at("items"))
            out.ids.push_back(item.at("id").get<long long>());
        if (r.body.at("next_cursor").is_null()) break;
        cursor = r.body.at("next_cursor").get<std::string>();
    }
    return out;
}

void ReportLedgerTest::ExpectDrillsMatch(const Person& who, const json& summary) {
    std::vector<std::pair<std::string, json>> rows;
    for (const auto& row : summary.at("rows")) {
        rows.emplace_back(row.at("key").get<std::string>(), row);
    }
    rows.emplace_back("totals", summary.at("totals"));
    const std::string grouping = summary.value("group_by", "?");
    for (const auto& [key, row] : rows) {
        for (const std::string& name : kCountNames) {
            const long long figure = row.at(name).get<long long>();
            const std::string link = row.at("drill").at(name).get<std::string>();
            const std::string what =
                "by " + grouping + ", row " + key + ", " + name + " = " + std::to_string(figure);
            if (figure == 0) {
                const DrillResult d = Drill(who, link, 1);
                EXPECT_EQ(d.total, 0) << what << " (" << link << ")";
                EXPECT_TRUE(d.ids.empty()) << what << " (" << link << ")";
                continue;
            }
            const DrillResult d = Drill(who, link);
            EXPECT_EQ(d.total, figure) << what << " (" << link << ")";
            EXPECT_EQ(static_cast<long long>(d.ids.size()), figure) << what << " (" << link << ")";
            EXPECT_EQ(std::set<long long>(d.ids.begin(), d.ids.end()).size(), d.ids.size())
                << what << ": an issue came twice over the pages";
        }
    }
}

}  // namespace lantian::itest
