#include "units/unit_repository.hpp"

#include <pqxx/pqxx>
#include <pqxx/result>

#include "common/error.hpp"
#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/statement.hpp"

namespace lantian::units {

namespace {

constexpr const char* kColumns = R"(
    id, code, name, kind, parent_id, boundary is not null, version, created_at, updated_at)";

const std::string kList = std::string("select") + kColumns + R"(
    from units
    where ($1::text is null or kind = $1) and id > $2
    order by id
    limit $3)";

const std::string kFind = std::string("select") + kColumns + " from units where id = $1";

const std::string kInsert = R"(
    insert into units (code, name, kind, parent_id) values ($1, $2, $3, $4)
    returning)" + std::string(kColumns);

const std::string kUpdate = R"(
    update units set
        code = coalesce($3, code),
        name = coalesce($4, name),
        kind = coalesce($5, kind),
        parent_id = case when $6 then $7 else parent_id end,
        version = version + 1,
        updated_at = now()
    where id = $1 and version = $2
    returning)" + std::string(kColumns);

constexpr const char* kHoldsSites = "select exists (select 1 from sites where subdistrict_id = $1)";

constexpr const char* kIsAncestorOrSelf = R"(
    with recursive chain (id, parent_id, depth) as (
        select id, parent_id, 0 from units where id = $2
        union all
        select u.id, u.parent_id, c.depth + 1
        from units u join chain c on u.id = c.parent_id
        where c.depth < 64)
    select exists (select 1 from chain where id = $1))";

Unit FromRow(const pqxx::row& row) {
    Unit u;
    u.id = row[0].as<long long>();
    u.code = row[1].as<std::string>();
    u.name = row[2].as<std::string>();
    u.kind = row[3].as<std::string>();
    u.parent_id = db::Nullable<long long>(row[4]);
    u.has_boundary = row[5].as<bool>();
    u.version = row[6].as<int>();
    u.created_at = row[7].as<TimePoint>();
    u.updated_at = row[8].as<TimePoint>();
    return u;
}

[[noreturn]] void TranslateUnique(const pqxx::unique_violation&) {
    throw Error(ErrorCode::kAlreadyExists, "already_exists", "a unit with this code exists",
                {{"code", "is already used by another unit"}});
}

}  // namespace

std::vector<Unit> UnitRepository::List(pqxx::transaction_base& tx, const UnitQuery& q) const {
    std::vector<Unit> out;
    for (const auto& row : db::Exec(tx, kList, q.kind, q.after_id, q.limit)) {
        out.push_back(FromRow(row));
    }
    return out;
}

std::optional<Unit> UnitRepository::Find(pqxx::transaction_base& tx, long long id) const {
    const auto result = db::Exec(tx, kFind, id);
    if (result.empty()) return std::nullopt;
    return FromRow(result[0]);
}

Unit UnitRepository::Insert(pqxx::transaction_base& tx, const NewUnit& u) const {
    try {
        return FromRow(db::Exec1(tx, kInsert, u.code, u.name, u.kind, u.parent_id));
    } catch (const pqxx::unique_violation& e) {
        TranslateUnique(e);
    }
}

bool UnitRepository::HoldsSites(pqxx::transaction_base& tx, long long id) const {
    return db::Exec1(tx, kHoldsSites, id)[0].as<bool>();
}

bool UnitRepository::IsAncestorOrSelf(pqxx::transaction_base& tx, long long ancestor,
                                      long long id) const {
    return db::Exec1(tx, kIsAncestorOrSelf, ancestor, id)[0].as<bool>();
}

std::optional<Unit> UnitRepository::Update(pqxx::transaction_base& tx, long long id,
                                           int expected_version, const UnitPatch& p) const {
    try {
        const std::optional<long long> parent =
            p.parent_id.has_value() ? *p.parent_id : std::optional<long long>();
        const auto result = db::Exec(tx, kUpdate, id, expected_version, p.code, p.name, p.kind,
                                     p.parent_id.has_value(), parent);
        if (result.empty()) return std::nullopt;
        return FromRow(result[0]);
    } catch (const pqxx::unique_violation& e) {
        TranslateUnique(e);
    }
}

}  // namespace lantian::units
