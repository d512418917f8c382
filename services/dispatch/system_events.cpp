#include "dispatch/system_events.hpp"

#include <pqxx/pqxx>

#include "db/statement.hpp"

namespace lantian::dispatch {

namespace {

constexpr const char* kAppend = R"(
    insert into issue_events (issue_id, at, actor_role, request_id, action, before, after)
    select i.id, $1::timestamptz, 'system', $2, $3, c.e -> 'before', issue_snapshot(i)
    from jsonb_array_elements($4::jsonb) c(e)
    join issues i on i.id = (c.e ->> 'id')::bigint
    order by i.id)";

}  // namespace

void AppendSystemEvents(pqxx::transaction_base& tx, TimePoint at, const std::string& request_id,
                        const std::string& action, const std::string& changes) {
    if (changes == "[]") return;
    db::Exec(tx, kAppend, at, request_id, action, changes);
}

}  // namespace lantian::dispatch
