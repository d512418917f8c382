#include "dispatch/alert_repository.hpp"

#include <pqxx/pqxx>

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/statement.hpp"

namespace lantian::dispatch {

namespace {

constexpr const char* kAlerts = R"(
    select id, level, starts_at, ends_at, created_by
    from pollution_alerts
    where ($1::timestamptz is null or ends_at > $1)
      and ($2::timestamptz is null or starts_at < $2)
    order by starts_at desc, id desc
    limit 500)";
constexpr const char* kInsertAlert = R"(
    insert into pollution_alerts (level, starts_at, ends_at, created_by)
    values ($1, $2::timestamptz, $3::timestamptz, $4)
    returning id)";

}  // namespace

std::vector<PollutionAlert> AlertRepository::Alerts(pqxx::transaction_base& tx,
                                                    std::optional<TimePoint> from,
                                                    std::optional<TimePoint> to) const {
    std::vector<PollutionAlert> out;
    for (const auto& r : db::Exec(tx, kAlerts, from, to)) {
        out.push_back({r[0].as<long long>(), r[1].as<std::string>(), r[2].as<TimePoint>(),
                       r[3].as<TimePoint>(), db::Nullable<long long>(r[4])});
    }
    return out;
}

PollutionAlert AlertRepository::InsertAlert(pqxx::transaction_base& tx,
                                            const PollutionAlert& a) const {
    PollutionAlert out = a;
    out.id = db::Exec1(tx, kInsertAlert, a.level, a.starts_at, a.ends_at, a.created_by)[0]
                 .as<long long>();
    return out;
}

}  // namespace lantian::dispatch
