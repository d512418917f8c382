#include "units/unit_service.hpp"

#include "common/error.hpp"
#include "db/transaction.hpp"

namespace lantian::units {

namespace {

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxCodeBytes = 64;

void CheckCode(const std::string& code, FieldErrors& errors) {
    if (code.empty() || code.size() > kMaxCodeBytes) {
        errors.Add("code", "must be 1 to 64 characters");
        return;
    }
    for (const char c : code) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) {
            errors.Add("code", "may hold only ASCII letters, digits, '-', '_' and '.'");
            return;
        }
    }
}

void CheckName(const std::string& name, FieldErrors& errors) {
    if (name.find_first_not_of(" \t\r\n") == std::string::npos) {
        errors.Add("name", "must not be blank");
    } else if (name.size() > kMaxNameBytes) {
        errors.Add("name", "must be at most 200 bytes");
    }
}

void CheckKind(const std::string& kind, FieldErrors& errors) {
    if (UnitKindLabel(kind).empty()) {
        errors.Add("kind", "must be one of subdistrict, park, department, office");
    }
}

void CheckParent(pqxx::transaction_base& tx, const UnitRepository& repository,
                 std::optional<long long> parent_id, std::optional<long long> self,
                 FieldErrors& errors) {
    if (!parent_id) return;
    if (!repository.Find(tx, *parent_id)) {
        errors.Add("parent_id", "names no unit");
    } else if (self && repository.IsAncestorOrSelf(tx, *self, *parent_id)) {
        errors.Add("parent_id", "would make the unit its own ancestor");
    }
}

}  // namespace

std::vector<Unit> UnitService::List(const UnitQuery& query) {
    return db::Read(pool_, [&](pqxx::transaction_base& tx) { return repository_.List(tx, query); });
}

Unit UnitService::Get(long long id) {
    auto unit =
        db::Read(pool_, [&](pqxx::transaction_base& tx) { return repository_.Find(tx, id); });
    if (!unit) throw Error::NotFound("unit");
    return *unit;
}

Unit UnitService::Create(const NewUnit& unit) {
    FieldErrors errors;
    CheckCode(unit.code, errors);
    CheckName(unit.name, errors);
    CheckKind(unit.kind, errors);
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        FieldErrors all = errors;
        CheckParent(tx, repository_, unit.parent_id, std::nullopt, all);
        all.ThrowIfAny();
        return repository_.Insert(tx, unit);
    });
}

Unit UnitService::Patch(long long id, int expected_version, const UnitPatch& patch) {
    FieldErrors errors;
    if (patch.code) CheckCode(*patch.code, errors);
    if (patch.name) CheckName(*patch.name, errors);
    if (patch.kind) CheckKind(*patch.kind, errors);
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        const auto current = repository_.Find(tx, id);
        if (!current) throw Error::NotFound("unit");
        FieldErrors all = errors;
        if (patch.parent_id) CheckParent(tx, repository_, *patch.parent_id, id, all);
        if (patch.kind && IsTerritorial(current->kind) && !IsTerritorial(*patch.kind) &&
            (current->has_boundary || repository_.HoldsSites(tx, id))) {
            all.Add("kind", "a unit with a territory or sites must stay a subdistrict or park");
        }
        all.ThrowIfAny();
        if (current->version != expected_version) {
            throw Error(ErrorCode::kAborted, "precondition_failed",
                        "unit " + std::to_string(id) + " has changed (now version " +
                            std::to_string(current->version) + ")");
        }
        auto updated = repository_.Update(tx, id, expected_version, patch);
        if (!updated) {
            throw Error(ErrorCode::kAborted, "precondition_failed", "unit has changed meanwhile");
        }
        return *updated;
    });
}

}  // namespace lantian::units
