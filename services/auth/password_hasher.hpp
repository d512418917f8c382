#pragma once

#include <chrono>
#include <cstddef>
#include <semaphore>
#include <string>
#include <string_view>

namespace lantian::auth {

struct HashCost {
    unsigned long long ops_limit;
    std::size_t mem_limit;  // bytes held while one hash runs
};

/// libsodium's "interactive" argon2id cost: 2 passes over 64 MiB.
HashCost DefaultHashCost();

/// argon2id hashing with a cap on how many hashes run at once: each holds `mem_limit`
/// bytes, so a burst of sign-ins cannot exhaust memory; callers beyond the cap wait a
/// bounded time and then get Error(kUnavailable).
class PasswordHasher {
public:
    PasswordHasher(HashCost cost, int max_concurrent);

    std::string Hash(std::string_view password);
    /// True when `password` matches `hash` (a crypto_pwhash_str string).
    bool Verify(std::string_view hash, std::string_view password);
    /// True when `hash` was made with another cost than the configured one.
    bool NeedsRehash(std::string_view hash) const;
    /// A hash of a random password, verified against for unknown users so that their
    /// answer takes as long as a wrong password's.
    const std::string& DummyHash() const { return dummy_hash_; }

private:
    class Slot;

    HashCost cost_;
    std::counting_semaphore<64> slots_;
    std::string dummy_hash_;
};

/// The password policy: 10 to 256 bytes, not only spaces, not the username and not one of the
/// most common passwords (both case-insensitive).
/// Returns an explanation when the password is refused, empty when it is acceptable.
std::string PasswordPolicyViolation(std::string_view password, std::string_view username);

}  // namespace lantian::auth
