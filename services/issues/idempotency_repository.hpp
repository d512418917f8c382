#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>

namespace lantian::issues {

/// A creating request's first answer, kept to replay it byte for byte.
struct StoredResponse {
    int status = 0;
    std::string location;
    std::string body;
    bool replayed = false;
};

struct IdempotencyKey {
    long long user_id = 0;
    std::string key;
    std::string request_hash;  // SHA-256 of method, path and body
};

class IdempotencyRepository {
public:
    /// Claims the key for this transaction, or returns what was stored under it. A concurrent
    /// claimer of the same key waits here until the first one commits (or rolls back).
    /// Throws Error(kValidation, "idempotency_key_reused") when the key came with another body.
    std::optional<StoredResponse> Claim(pqxx::transaction_base& tx,
                                        const IdempotencyKey& key) const;
    void Complete(pqxx::transaction_base& tx, const IdempotencyKey& key,
                  const StoredResponse& response) const;
};

}  // namespace lantian::issues
