#include "issues/inspection_repository.hpp"

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/statement.hpp"

namespace lantian::issues {

namespace {

constexpr const char* kInsert = R"(
    insert into inspections (client_id, site_id, inspector_id, started_at, received_at,
                             location, notes)
    values ($1::uuid, $2, $3, $4::timestamptz, $5::timestamptz,
            case when $6::float8 is null then null
                 else st_setsrid(st_makepoint($7, $6), 4326)::geography end,
            $8)
    returning id)";

}  // namespace

Inspection InspectionRepository::Insert(pqxx::transaction_base& tx, const NewInspection& in,
                                        long long inspector_id, TimePoint received_at) const {
    const std::optional<double> lat =
        in.location ? std::optional<double>(in.location->lat) : std::nullopt;
    const std::optional<double> lon =
        in.location ? std::optional<double>(in.location->lon) : std::nullopt;
    try {
        const auto row = db::Exec1(tx, kInsert, in.client_id, in.site_id, inspector_id,
                                   in.started_at, received_at, lat, lon, in.notes);
        return {row[0].as<long long>(), in.client_id, in.site_id, inspector_id,
                in.started_at,          received_at,  {}};
    } catch (const pqxx::unique_violation&) {
        throw Error(ErrorCode::kAlreadyExists, "duplicate_client_id",
                    "an inspection with client_id " + in.client_id + " was already recorded",
                    {{"client_id", "was already used"}});
    }
}

}  // namespace lantian::issues
