#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/ledger_fixture.hpp"

namespace lantian::itest {

/// One assignment of a hand-built issue (an issue_assignments row). Times are RFC 3339.
struct AssignmentSpec {
    std::string assigned;
    std::string due;
    std::optional<std::string> submitted;  // its evidence
    std::optional<std::string> ended;      // returned or closed
    std::optional<std::string> outcome;    // 'returned' | 'closed'
};

/// One issue of a hand-built ledger, written straight into issues and issue_assignments so
/// that every timestamp is exact (the statement triggers of migration 0007 keep the aggregates
/// either way). The issue's own fields are those of its last assignment; first_assigned_at
/// comes out as the first one's.
struct IssueSpec {
    std::string name;
    long long territory = 0;  // the site's subdistrict (or park)
    std::string kind;         // the site's kind
    std::string category;
    std::string status;
    std::string reported;
    std::optional<std::string> triaged;
    std::optional<long long> lead;
    std::vector<AssignmentSpec> assignments;
    std::optional<std::string> closed;
    bool fixed_on_spot = false;
    std::optional<std::string> received;  // defaults to `reported`
};

/// The figures of one summary row (or the totals), as the report contract names them.
struct Figures {
    long long found, confirmed, assigned, closed_of_assigned, submitted, closed, reworked, due,
        on_time, overdue, rectified;
    std::optional<double> on_time_rate, closure_rate, rework_rate, mean_hours_to_rectify;
};
inline constexpr std::optional<double> kNull = std::nullopt;

/// The count figures of the contract, in its order.
inline const std::vector<std::string> kCountNames = {
    "found", "confirmed", "assigned", "closed_of_assigned", "submitted", "closed", "reworked",
    "due",   "on_time",   "overdue",  "rectified"};

/// What following one drill link through every page gave.
struct DrillResult {
    long long total = -1;  // `total` of the first page
    std::vector<long long> ids;
    int pages = 0;
};

// The hand-built ledger (PutHandBuiltLedger). Times are Asia/Shanghai (+08:00) of 2026 unless
// they say Z; the tests read the period 11-01 .. 11-10. An assignment reads
// "assigned → due, evidence, end". Units: 焦西 (A), 民主 (B), 焦南 (C), 七百间 (D), 焦北 (E),
// 城管局 (G). Kinds: restaurant, construction (site), bbq (open-air barbecue), shop (front),
// home (residential compound). Categories: fume (direct emission), dust (uncovered), shop
// (front duty), other.
//
//  a1  A  restaurant    fume  closed     rep 11-01 09:00, tri 10:00;
//                                        11-01 12:00 → 11-05 12:00, 11-04 12:00, closed 11-05 09:00
//                                        (on time; 72 h from assignment to evidence)
//  a2  A  construction  dust  closed     rep 11-02 09:00, tri 09:30;
//                                        11-02 10:00 → 11-03 10:00, 11-04 10:00, closed 11-04 18:00
//                                        (late; 48 h)
//  a3  A  restaurant    fume  closed     rep 11-01 08:00, tri 08:30; returned ("back") twice:
//                                        11-01 09:00 → 11-02 09:00, 11-01 20:00, back 11-02 08:00
//                                        11-02 08:00 → 11-03 08:00, 11-02 20:00, back 11-03 08:00
//                                        11-03 08:00 → 11-06 08:00, 11-05 08:00, closed 11-06 10:00
//                                        (on time by its current deadline; 95 h from 11-01 09:00
//                                        to 11-05 08:00)
//  a4  A  shop          shop  closed     fixed on the spot: rep 11-03 10:00, received 10:05;
//                                        10:05 → 10:05, 10:05, closed 11-04 09:00
//  a5  A  restaurant    fume  rejected   rep 11-05 11:00, tri 12:00
//  a6  A  restaurant    fume  reported   rep 11-06 23:59:59 (the last second of 11-06)
//  a7  A  restaurant    fume  reported   rep 11-07 00:00:00 (the first second of 11-07)
//  a8  A  construction  dust  confirmed  rep 2026-11-01T16:30:00Z (11-02 00:30),
//                                        tri 2026-11-01T16:45:00Z (11-02 00:45)
//  a9  A  construction  dust  submitted  rep 11-04 09:00, tri 09:30;
//                                        11-04 10:00 → 11-08 10:00, evidence 11-12 10:00
//                                        (overdue at the period's end, not now)
//  a10 A  construction  dust  assigned   rep 11-05 09:00, tri 09:10; 11-05 10:00 → 11-09 10:00
//  g1  A  restaurant    fume  submitted  lead G: rep 11-06 09:00, tri 09:30;
//                                        11-06 10:00 → 11-07 10:00, evidence 11-07 09:00, not
//                                        accepted yet (due, not on time, not overdue)
//  b1  B  construction  dust  assigned   rep 11-02 09:00, tri 09:30; 11-02 10:00 → 11-05 10:00
//  b2  B  bbq           fume  assigned   rep 11-03 09:00, tri 09:30; 11-03 10:00 → 11-06 10:00
//  c1  C  home          other assigned   rep 11-08 09:00, tri 10:00; 11-08 11:00 → 11-12 11:00
//  d1  D  home          other closed     rep 11-01 09:00, tri 09:30;
//                                        11-01 10:00 → 11-03 10:00, 11-03 10:00 (at the deadline
//                                        itself), closed 11-03 15:00 (48 h)
//  d2  D  home          other assigned   rep 10-25 09:00, tri 10:00; 10-25 11:00 → 10-30 11:00
//  d3  D  home          other closed     rep 10-28 09:00, tri 09:30;
//                                        10-28 10:00 → 11-02 10:00, 11-01 10:00, closed 11-02 09:00
//                                        (96 h)
//  e1  E  home          other closed     rep 11-02 09:00, tri 10:00;
//                                        11-02 11:00 → 11-09 11:00, 11-08 11:00, closed 11-09 09:00
//                                        (144 h)
//  e2  E  home          other closed     rep 11-09 09:00, tri 09:30;
//                                        11-09 10:00 → 11-16 10:00, 11-12 10:00, closed 11-13 10:00
//
// Escalations (level @ raised): a3 → A 2 @ 11-03 08:00; a10 → A 1 @ 11-10 23:59:59;
// b1 → B 1 @ 11-06 08:00, 2 @ 11-09 08:00, 3 @ 11-11 00:00:00 (after the period);
// b2 → B 1 @ 11-07 08:00; d2 → D 1 @ 10-31 08:00 (before it), 2 @ 11-03 08:00, 3 @ 11-07 08:00.
namespace ledger {

/// Every figure zero, every rate null: a row with nothing in it.
constexpr Figures kNothing = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, kNull, kNull, kNull, kNull};

// Columns of the tables below:
//   found confirmed assigned closed_of_assigned submitted closed reworked due on_time overdue
//   rectified | on_time_rate closure_rate rework_rate mean_hours_to_rectify

// 焦西 (A) as the responsible unit: a1..a10 (g1 is 城管局's).
//   found a1..a10 (a8 on 11-02 by the district's day) = 10; confirmed a1 a2 a3 a8 a9 a10 = 6
//   (a4 was fixed on the spot, a5 rejected, a6 a7 still reported); assigned a1 a2 a3 a9 a10 = 5
//   (a3 once, on 11-01, despite two returns), of them closed a1 a2 a3 = 3 → 0.6; evidence in the
//   period a1 a2 a3 a4 = 4 (a9's came 11-12); closed a1 a2 a3 a4 = 4, reworked a3 → 1/4 = 0.25;
//   due a1 a2 a3 a9 a10 = 5, on time a1 a3 (a2 late) → 0.4; overdue at 11-11 00:00 a9 a10 = 2;
//   rectified a1 a2 a3: (72 + 48 + 95) / 3 = 71.67 → 71.7 h.
constexpr Figures kJiaoxi = {10, 6, 5, 3, 4, 4, 1, 5, 2, 2, 3, 0.4, 0.6, 0.25, 71.7};
// 焦西 as its handler sees it: the issues it leads (a1 a2 a3 a4 a9 a10), not those of its
// territory that no one leads yet (a5 rejected, a6 a7 reported, a8 confirmed), which
// GET /api/v1/issues/{id} answers 404 for: found 6, confirmed 5 (a1 a2 a3 a9 a10); the rest as
// kJiaoxi.
constexpr Figures kJiaoxiSeenByItsHandler = {6, 5, 5, 3, 4, 4, 1, 5, 2, 2, 3, 0.4, 0.6, 0.25, 71.7};
// 城管局 (G): g1 found, confirmed, assigned (not closed → 0.0), submitted 11-07 09:00 before its
// deadline 11-07 10:00 but not accepted: due, not on time (0.0), not overdue.
constexpr Figures kChengguan = {1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0.0, 0.0, kNull, kNull};
// 民主 (B): b1 b2 assigned and overdue, nothing done: on time 0 of 2 → 0.0, overdue 2.
constexpr Figures kMinzhu = {2, 2, 2, 0, 0, 0, 0, 2, 0, 2, 0, 0.0, 0.0, kNull, kNull};
// 焦南 (C): c1 assigned, due 11-12 after the period: nothing due → on-time rate null.
constexpr Figures kJiaonan = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, kNull, 0.0, kNull, kNull};
// 七百间 (D): found d1 (d2 d3 in October); assigned d1 (closed → 1.0); evidence d1 d3; closed
// d1 d3; due d1 (11-03) d3 (11-02), both on time (d1 at the deadline itself) → 1.0; overdue d2
// (due 10-30); rectified d1 48 h, d3 96 h → 72.0.
constexpr Figures kQibaijian = {1, 1, 1, 1, 2, 2, 0, 2, 2, 1, 2, 1.0, 1.0, 0.0, 72.0};
// 焦北 (E): e1 e2 assigned, both closed by now (e2 on 11-13) → 1.0; evidence and closing of e1
// only; due e1, on time → 1.0; rectified e1 144 h.
constexpr Figures kJiaobei = {2, 2, 2, 2, 1, 1, 0, 1, 1, 0, 1, 1.0, 1.0, 0.0, 144.0};
// The district: found 17, confirmed 13, assigned 12 of which 6 closed → 0.5; submitted 8,
// closed 7, reworked 1 → 1/7 = 0.1429; due 11, on time 5 → 0.4545; overdue 5 (a9 a10 b1 b2 d2);
// rectified 6: (215 + 144 + 144) / 6 = 83.83 → 83.8 h.
constexpr Figures kDistrict = {17, 13, 12, 6, 8, 7, 1, 11, 5, 5, 6, 0.4545, 0.5, 0.1429, 83.8};

}  // namespace ledger

/// LedgerTest (the production pipeline with the demo district's people signed in) with
/// helpers to write a ledger by hand and read the reports of DOMAIN.md (Reports).
class ReportLedgerTest : public LedgerTest {
protected:
    /// The period the hand-built ledger is about (Asia/Shanghai days, both included).
    static constexpr const char* kFrom = "2026-11-01";
    static constexpr const char* kTo = "2026-11-10";

    /// "11-01 09:00" → 2026-11-01T09:00:00+08:00; "11-06 23:59:59" keeps its seconds.
    static std::string T(const std::string& mmdd_hhmm);

    /// Writes the hand-built ledger (the table above) and its escalations,
    /// and sets the unit ids below. Needs the system clock past 2026-11-14 (the service's
    /// "now" is the real one); fails the test otherwise.
    void PutHandBuiltLedger();
    /// Today, Asia/Shanghai, by the system clock (the service's).
    static std::string Today();

    /// Writes the issue; returns its id and remembers it under its name.
    long long Put(const IssueSpec& spec);
    /// An escalation record of `level` for the named issue, addressed to `unit`.
    void Escalate(const std::string& issue, long long unit, int level, const std::string& at);
    long long Id(const std::string& name) const { return ids_.at(name); }

    /// GET `target` as `who`, expecting 200 and a JSON body.
    nlohmann::json GetJson(const Person& who, const std::string& target);
    /// The row of `key` in a summary's rows (null when absent).
    static nlohmann::json RowOf(const nlohmann::json& summary, const std::string& key);
    /// Checks every figure of a row (or the totals) against the hand-computed ones.
    static void ExpectFigures(const nlohmann::json& row, const Figures& expected,
                              const std::string& what);
    /// Follows a drill link through every page (`limit` issues a page) as `who`.
    DrillResult Drill(const Person& who, const std::string& link, int limit = 3);
    /// For every row and the totals of a summary: each figure equals the `total` of its drill
    /// link; for a non-zero one, all pages together hold exactly that many distinct issues.
    void ExpectDrillsMatch(const Person& who, const nlohmann::json& summary);

    std::map<std::string, long long> ids_;
    // 焦西 (A), 民主 (B), 焦南 (C), 七百间 (D), 焦北 (E) and 城管局 (G).
    long long a_ = 0, b_ = 0, c_ = 0, d_ = 0, e_ = 0, g_ = 0;
};

}  // namespace lantian::itest
