#include "support/report_workload.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <pqxx/pqxx>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/transaction.hpp"
#include "support/ledger_fixture.hpp"

namespace lantian::itest {

namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;

constexpr const char* kPassword = "correct horse battery";

// Few categories, so that aggregate rows are shared (see the sites in SetUp).
const std::vector<std::string> kCategories = {"fume_direct_emission", "dust_uncovered",
                                              "shop_front_duty", "other"};

int Uniform(std::mt19937& rng, int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
}

template <typename T>
const T& OneOf(std::mt19937& rng, const std::vector<T>& values) {
    return values[static_cast<size_t>(Uniform(rng, 0, static_cast<int>(values.size()) - 1))];
}

}  // namespace

void ReportWorkloadTest::SetUp() {
    SeededDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    clock_.Set(*ParseRfc3339("2026-09-01T07:00:00+08:00"));
    issues_ = std::make_unique<issues::IssueService>(
        pool(), clock_,
        issues::IssueRepositories{issue_repository_, inspection_repository_, audit_repository_,
                                  idempotency_repository_, rules_repository_});
    dispatch_ = std::make_unique<dispatch::DispatchService>(pool(), clock_, dispatch_repository_);
    reports_ = std::make_unique<reports::ReportService>(pool(), clock_, report_repository_);
    jiaoxi_ = UnitId("JF-SD-JIAOXI");
    inspector_ = NewActor("inspector.load", "inspector", jiaoxi_);
    office_ = NewActor("office.load", "office", UnitId("JF-OFF-HUANWEIBAN"));
    supervisor_ = NewActor("supervisor.load", "supervisor", UnitId("JF-OFF-DUCHA"));
    leader_ = NewActor("leader.load", "leader", std::nullopt);
    photo_ = Sha256Hex("report workload evidence");
    Execute("insert into attachments (sha256, content_type, size_bytes, uploaded_by) values ('" +
            photo_ + "', 'image/png', 1024, " + std::to_string(inspector_.user_id) + ")");
    // Everyone who cites it has uploaded it (a photo may be cited only by whoever may read it).
    for (const Actor* a : {&inspector_, &office_, &supervisor_, &leader_}) RecordUpload(*a);
    db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
        // Few places, so that the same aggregate rows are hit again and again: two sites of
        // three kinds in three territories; the territories and two departments as leads.
        for (const auto& row : tx.exec(
                 "select id from (select s.id, row_number() over (partition by s.subdistrict_id, "
                 "  s.kind order by s.id) as n from sites s join units u on u.id = "
                 "s.subdistrict_id "
                 "  where u.code in ('JF-SD-JIAOXI', 'JF-SD-MINZHU', 'JF-SD-JIAONAN') "
                 "  and s.kind in ('restaurant', 'construction_site', 'shop_front')) x "
                 "where n <= 2 order by id")) {
            sites_.push_back(row[0].as<long long>());
        }
        for (const auto& row :
             tx.exec("select id from units where code in ('JF-SD-JIAOXI', 'JF-SD-MINZHU', "
                     "'JF-SD-JIAONAN', 'JF-DEPT-CHENGGUAN', 'JF-DEPT-ZHUJIAN') order by id")) {
            lead_units_.push_back(row[0].as<long long>());
        }
    });
    harness_ = std::make_unique<ServiceHarness>(database().url(), pool());
    harness_->users().Create({"leader.http", "领导", "leader", std::nullopt, kPassword});
    leader_token_ = harness_->SignIn("leader.http", kPassword);
}

void ReportWorkloadTest::TearDown() {
    harness_.reset();
    SeededDatabaseTest::TearDown();
}

Actor ReportWorkloadTest::NewActor(const std::string& username, const std::string& role,
                                   std::optional<long long> unit) {
    Actor a;
    a.username = username;
    a.role = ParseRole(role).value();
    a.unit_id = unit;
    a.request_id = "report-workload";
    db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
        const auto r = tx.exec_params1(
            "insert into users (username, display_name, role, unit_id, password_hash) "
            "values ($1, $1, $2, $3, 'x') "
            "returning id, (select kind from units where id = $3)",
            username, role, unit);
        a.user_id = r[0].as<long long>();
        a.unit_kind = r[1].is_null() ? "" : r[1].as<std::string>();
    });
    return WithVisibility(a);
}

void ReportWorkloadTest::RecordUpload(const Actor& a) {
    Execute("insert into attachment_uploads (sha256, user_id) values ('" + photo_ + "', " +
            std::to_string(a.user_id) + ") on conflict do nothing");
}

const Actor& ReportWorkloadTest::HandlerOf(long long unit) {
    if (!handlers_.contains(unit)) {
        handlers_[unit] = NewActor("handler.u" + std::to_string(unit), "handler", unit);
        RecordUpload(handlers_[unit]);
    }
    return handlers_.at(unit);
}

long long ReportWorkloadTest::ReportFinding(long long site, const std::string& category,
                                            int severity, TimePoint found, bool fixed_on_spot) {
    issues::NewIssue in;
    in.site_id = site;
    in.source = "patrol";
    in.finding.client_id = NewClientId();
    in.finding.category = category;
    in.finding.severity = severity;
    in.finding.description = "随机巡查发现";
    in.finding.reported_at = found;
    in.finding.fixed_on_spot = fixed_on_spot;
    if (fixed_on_spot) in.finding.evidence = issues::Evidence{"当场整改完毕", {photo_}};
    long long id = 0;
    issues_->Report(in, inspector_, std::nullopt, [&](const issues::Issue& i) {
        id = i.id;
        return issues::StoredResponse{201, "", "{}"};
    });
    return id;
}

issues::Issue ReportWorkloadTest::Load(long long id) {
    return issues_->Get(id, office_);
}

std::vector<long long> ReportWorkloadTest::IdsIn(const std::string& status) {
    return db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
        std::vector<long long> out;
        for (const auto& row :
             tx.exec_params("select id from issues where status = $1 order by id", status)) {
            out.push_back(row[0].as<long long>());
        }
        return out;
    });
}

void ReportWorkloadTest::RunWorkload(unsigned seed, const std::string& first_day, int days) {
    std::mt19937 rng(seed);
    for (int d = 0; d < days; ++d) {
        const std::string day = AddDays(first_day, d);
        const TimePoint start = DistrictDayStart(day);
        clock_.Set(start + hours(8));
        const auto run = dispatch_->Run(day, "report-workload");
        done_["dispatch assigned"] += run.assigned_count;
        done_["escalations"] += run.escalation_count;
        // Until 08:00 the next day, so that some work happens after midnight.
        for (auto t = hours(8) + minutes(Uniform(rng, 1, 30)); t < hours(32);
             t += minutes(Uniform(rng, 5, 45))) {
            clock_.Set(start + t);
            SCOPED_TRACE("seed " + std::to_string(seed) + ", at " + FormatDistrictTime(start + t));
            try {
                Operate(rng);
            } catch (const std::exception& e) {
                FAIL() << "the workload's operation failed (seed " << seed << "): " << e.what();
            }
        }
    }
    clock_.Set(DistrictDayStart(AddDays(first_day, days)) + hours(8));
}

void ReportWorkloadTest::Operate(std::mt19937& rng) {
    enum Op { kReport, kInspect, kTriage, kAssign, kRectify, kVerify, kSql };
    std::discrete_distribution<int> pick({24, 5, 18, 6, 20, 23, 4});
    const TimePoint now = clock_.Now();
    const auto any = [&](const std::string& status) -> std::optional<issues::Issue> {
        const auto ids = IdsIn(status);
        if (ids.empty()) return std::nullopt;
        return Load(OneOf(rng, ids));
    };
    switch (pick(rng)) {
        case kReport: {
            const bool fixed = Uniform(rng, 1, 100) <= 12;
            ReportFinding(OneOf(rng, sites_), OneOf(rng, kCategories), Uniform(rng, 1, 3),
                          now - minutes(Uniform(rng, 0, 240)), fixed);
            ++done_[fixed ? "fixed on the spot" : "reported"];
            break;
        }
        case kInspect: {
            issues::NewInspection in;
            in.client_id = NewClientId();
            in.site_id = OneOf(rng, sites_);
            in.started_at = now - minutes(Uniform(rng, 10, 90));
            for (int n = Uniform(rng, 1, 3); n > 0; --n) {
                issues::NewFinding f;
                f.client_id = NewClientId();
                f.category = OneOf(rng, kCategories);
                f.severity = Uniform(rng, 1, 3);
                f.description = "检查发现";
                f.reported_at = in.started_at + minutes(5);
                f.fixed_on_spot = Uniform(rng, 1, 100) <= 30;
                if (f.fixed_on_spot) f.evidence = issues::Evidence{"已当场整改", {photo_}};
                done_[f.fixed_on_spot ? "fixed on the spot" : "reported"]++;
                in.findings.push_back(f);
            }
            issues_->Inspect(in, inspector_, std::nullopt, [](const issues::Inspection&) {
                return issues::StoredResponse{201, "", "{}"};
            });
            break;
        }
        case kTriage: {
            const auto i = any("reported");
            if (!i) break;
            issues::TriageDecision d;
            d.confirm = Uniform(rng, 1, 100) <= 80;
            if (!d.confirm) {
                d.reason = "重复或不属实";
                const auto closed = IdsIn("closed");
                if (!closed.empty() && Uniform(rng, 0, 1) == 1) d.duplicate_of = closed.front();
            }
            issues_->Triage(i->id, i->version, d, office_);
            ++done_[d.confirm ? "confirmed" : "rejected"];
            break;
        }
        case kAssign: {
            const auto i = any("confirmed");
            if (!i) break;
            issues::AssignmentInput in;
            in.lead_unit_id = OneOf(rng, lead_units_);
            if (Uniform(rng, 0, 1) == 1) in.due_at = now + hours(Uniform(rng, 2, 120));
            issues_->Assign(i->id, i->version, in, office_);
            ++done_["assigned by hand"];
            break;
        }
        case kRectify: {
            const auto i = any("assigned");
            if (!i) break;
            issues_->Rectify(i->id, i->version, {"已整改到位", {photo_}},
                             HandlerOf(*i->lead_unit_id));
            ++done_["rectified"];
            break;
        }
        case kVerify: {
            const auto i = any("submitted");
            if (!i) break;
            issues::VerificationInput in;
            in.accept = Uniform(rng, 1, 100) <= 70;
            in.comment = in.accept ? "核查通过" : "整改不到位，退回";
            if (!in.accept && Uniform(rng, 0, 1) == 1) in.due_at = now + hours(Uniform(rng, 3, 72));
            issues_->Verify(i->id, i->version, in, supervisor_);
            ++done_[in.accept ? "accepted" : "returned"];
            break;
        }
        case kSql:
            DirectSql(rng);
            ++done_["direct sql"];
            break;
    }
}

// Changes made behind the services' back, as an operator's correction would: several rows in
// one statement, keys that move, and statements that change nothing the reports count.
void ReportWorkloadTest::DirectSql(std::mt19937& rng) {
    const std::string now = FormatDistrictTime(clock_.Now());
    db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
        switch (Uniform(rng, 0, 4)) {
            case 0:  // re-categorise a slice of the open issues in one statement
                tx.exec_params(
                    "update issues set category = $1 where status <> 'closed' and id % 7 = $2",
                    OneOf(rng, kCategories), Uniform(rng, 0, 6));
                break;
            case 1:  // extend the deadline of every assigned issue of one unit
                tx.exec_params(
                    "with x as (update issues set due_at = due_at + make_interval(hours => $2) "
                    "  where status = 'assigned' and lead_unit_id = $1 returning id) "
                    "update issue_assignments a set due_at = a.due_at + make_interval(hours => $2) "
                    "from x where a.issue_id = x.id and a.ended_at is null",
                    OneOf(rng, lead_units_), Uniform(rng, 1, 60));
                break;
            case 2:  // a batch keyed in from the hotline
                tx.exec_params(
                    "insert into issues (client_id, site_id, subdistrict_id, site_kind, "
                    "  category, severity, description, source, status, reported_by, "
                    "  reported_at, received_at) "
                    "select gen_random_uuid(), s.id, s.subdistrict_id, s.kind, $3, 2, '热线补录', "
                    "  'hotline', 'reported', $4, $5::timestamptz - make_interval(mins => $6), "
                    "  $5::timestamptz "
                    "from sites s where s.id in ($1, $2)",
                    OneOf(rng, sites_), OneOf(rng, sites_), OneOf(rng, kCategories),
                    inspector_.user_id, now, Uniform(rng, 0, 600));
                break;
            case 3:  // nothing the reports count
                tx.exec(
                    "update issues set severity = 4 - severity where status in "
                    "('reported', 'confirmed', 'assigned')");
                break;
            default:  // a finding's time corrected by a day
                tx.exec_params(
                    "update issues set reported_at = reported_at - interval '1 day' "
                    "where id = (select id from issues where status <> 'closed' "
                    "  order by id offset $1 limit 1)",
                    Uniform(rng, 0, 20));
                break;
        }
    });
}

std::string ReportWorkloadTest::AggregateDiff() {
    return db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
        std::ostringstream out;
        for (const auto& row : tx.exec(R"(
                with kept as (
                    select * from report_daily
                    where (found, confirmed, assigned, closed_of_assigned, submitted, closed,
                           reworked, due, on_time, rectified, rectify_seconds)
                          <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
                select 'kept', k::text from (select * from kept
                                              except all select * from report_daily_recomputed) k
                union all
                select 'recomputed', r::text from (select * from report_daily_recomputed
                                                    except all select * from kept) r
                order by 2, 1 limit 40)")) {
            out << "\n  " << row[0].as<std::string>() << " " << row[1].as<std::string>();
        }
        return out.str();
    });
}

std::string ReportWorkloadTest::AggregateSnapshot() {
    return QueryValue(
        "select coalesce(string_agg(r::text, E'\\n' order by day, unit_id, subdistrict_id, "
        "  category, site_kind), '') from report_daily r "
        "where (found, confirmed, assigned, closed_of_assigned, submitted, closed, reworked, due, "
        "  on_time, rectified, rectify_seconds) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)");
}

std::string ReportWorkloadTest::SnapshotDiff(const std::string& expected,
                                             const std::string& actual) {
    // One line per report_daily row (its key is unique).
    const auto lines = [](const std::string& text) {
        std::set<std::string> out;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);) out.insert(line);
        return out;
    };
    const auto a = lines(expected), b = lines(actual);
    std::string out;
    int shown = 0;
    const auto only = [&](const std::set<std::string>& mine, const std::set<std::string>& theirs,
                          const char* sign) {
        for (const auto& line : mine) {
            if (theirs.contains(line)) continue;
            if (++shown <= 20) out += std::string("\n  ") + sign + " " + line;
        }
    };
    only(a, b, "-");
    only(b, a, "+");
    if (shown > 20) out += "\n  ... " + std::to_string(shown - 20) + " more";
    return out;
}

json ReportWorkloadTest::Get(const std::string& target) {
    http::Request request = MakeRequest("GET", target, leader_token_);
    const http::Response r = harness_->Handle(request);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    if (r.status != 200) return nullptr;
    return json::parse(r.body);
}

int ReportWorkloadTest::ExpectFiguresEqualDrills(const json& summary) {
    static const char* kCounts[] = {"found",     "confirmed", "assigned", "closed_of_assigned",
                                    "submitted", "closed",    "reworked", "due",
                                    "on_time",   "overdue",   "rectified"};
    int compared = 0;
    std::vector<std::pair<std::string, json>> rows;
    for (const auto& row : summary.at("rows")) {
        rows.emplace_back(row.at("key").get<std::string>(), row);
    }
    rows.emplace_back("totals", summary.at("totals"));
    for (const auto& [key, row] : rows) {
        for (const char* name : kCounts) {
            const std::string link = row.at("drill").at(name).get<std::string>();
            const json page = Get(link + "&limit=1");
            if (page.is_null()) return compared;
            EXPECT_EQ(page.at("total"), row.at(name)) << "by " << summary.at("group_by") << ", row "
                                                      << key << ": " << name << " (" << link << ")";
            ++compared;
        }
    }
    return compared;
}

}  // namespace lantian::itest
