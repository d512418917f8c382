#include "issues/idempotency_repository.hpp"

#include <pqxx/pqxx>

#include "common/error.hpp"
#include "db/statement.hpp"

namespace lantian::issues {

namespace {

constexpr const char* kClaim = R"(
    insert into idempotency_keys (user_id, key, request_hash, status, response_body)
    values ($1, $2, $3, 0, '')
    on conflict (user_id, key) do nothing
    returning 1)";

constexpr const char* kStored = R"(
    select request_hash, status, coalesce(location, ''), response_body
    from idempotency_keys where user_id = $1 and key = $2)";

constexpr const char* kComplete = R"(
    update idempotency_keys set status = $3, location = nullif($4, ''), response_body = $5
    where user_id = $1 and key = $2)";

}  // namespace

std::optional<StoredResponse> IdempotencyRepository::Claim(pqxx::transaction_base& tx,
                                                           const IdempotencyKey& key) const {
    if (!db::Exec(tx, kClaim, key.user_id, key.key, key.request_hash).empty()) {
        return std::nullopt;
    }
    const auto row = db::Exec1(tx, kStored, key.user_id, key.key);
    if (row[0].as<std::string>() != key.request_hash) {
        throw Error(ErrorCode::kValidation, "idempotency_key_reused",
                    "Idempotency-Key was already used with a different request",
                    {{"Idempotency-Key", "was used before with another body"}});
    }
    return StoredResponse{row[1].as<int>(), row[2].as<std::string>(), row[3].as<std::string>(),
                          true};
}

void IdempotencyRepository::Complete(pqxx::transaction_base& tx, const IdempotencyKey& key,
                                     const StoredResponse& response) const {
    db::Exec(tx, kComplete, key.user_id, key.key, response.status, response.location,
             response.body);
}

}  // namespace lantian::issues
