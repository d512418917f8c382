#include "issues/audit_repository.hpp"

#include <pqxx/pqxx>

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/statement.hpp"

namespace lantian::issues {

namespace {

constexpr const char* kAppend = R"(
    insert into issue_events (issue_id, at, actor_id, actor_role, actor_unit_id, request_id,
                              action, before, after)
    values ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb))";

constexpr const char* kForIssue = R"(
    select seq, issue_id, at, actor_id, actor_role,
           actor_unit_id, request_id, action, coalesce(before::text, 'null') as before,
           after::text as after, hash, prev_hash
    from issue_events
    where issue_id = $1
    order by seq)";

// Streams the chain in order with what each hash should be.
constexpr const char* kWalk = R"(
    select seq, prev_hash, hash,
           encode(sha256(convert_to(issue_event_content(e), 'UTF8')), 'hex')
    from issue_events e
    order by seq)";

constexpr const char* kHead = "select last_seq, last_hash from audit_chain_head";

constexpr const char* kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

}  // namespace

void AuditRepository::Append(pqxx::transaction_base& tx, long long issue_id, const Actor& actor,
                             TimePoint at, const std::string& action,
                             const std::optional<std::string>& before_json,
                             const std::string& after_json) const {
    const std::optional<long long> actor_id =
        actor.user_id > 0 ? std::optional<long long>(actor.user_id) : std::nullopt;
    db::Exec(tx, kAppend, issue_id, at, actor_id, std::string(RoleName(actor.role)), actor.unit_id,
             actor.request_id, action, before_json, after_json);
}

std::vector<IssueEvent> AuditRepository::ForIssue(pqxx::transaction_base& tx,
                                                  long long issue_id) const {
    std::vector<IssueEvent> out;
    for (const auto& r : db::Exec(tx, kForIssue, issue_id)) {
        IssueEvent e;
        e.seq = r["seq"].as<long long>();
        e.issue_id = r["issue_id"].as<long long>();
        e.at = r["at"].as<TimePoint>();
        e.actor_id = db::Nullable<long long>(r["actor_id"]);
        e.actor_role = r["actor_role"].as<std::string>();
        e.actor_unit_id = db::Nullable<long long>(r["actor_unit_id"]);
        e.request_id = r["request_id"].as<std::string>();
        e.action = r["action"].as<std::string>();
        e.before_json = r["before"].as<std::string>();
        e.after_json = r["after"].as<std::string>();
        e.hash = r["hash"].as<std::string>();
        e.prev_hash = r["prev_hash"].as<std::string>();
        out.push_back(std::move(e));
    }
    return out;
}

AuditVerification AuditRepository::Verify(pqxx::connection& conn) const {
    // One snapshot for the walk and the head: writers appending meanwhile are not tampering.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);
    AuditVerification v;
    std::string previous = kGenesis;
    long long expected_seq = 1;
    for (const auto& r : tx.exec(kWalk)) {
        const long long seq = r[0].as<long long>();
        const std::string prev_hash = r[1].as<std::string>();
        const std::string hash = r[2].as<std::string>();
        const std::string recomputed = r[3].as<std::string>();
        ++v.events;
        if (seq != expected_seq) {
            v.first_bad_seq = expected_seq;
            v.problem = "event " + std::to_string(expected_seq) + " is missing";
            return v;
        }
        if (prev_hash != previous) {
            v.first_bad_seq = seq;
            v.problem = "event " + std::to_string(seq) + " does not link to the event before it";
            return v;
        }
        if (hash != recomputed) {
            v.first_bad_seq = seq;
            v.problem = "event " + std::to_string(seq) + " was altered after it was written";
            return v;
        }
        previous = hash;
        ++expected_seq;
    }
    const auto head = tx.exec1(kHead);
    if (head[0].as<long long>() != expected_seq - 1 || head[1].as<std::string>() != previous) {
        v.first_bad_seq = expected_seq;
        v.problem = "the chain ends at event " + std::to_string(expected_seq - 1) +
                    " but events up to " + std::to_string(head[0].as<long long>()) +
                    " were written (the last ones were removed)";
    }
    return v;
}

}  // namespace lantian::issues
