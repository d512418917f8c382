#include "auth/password_hasher.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace lantian::auth {

namespace {

constexpr auto kSlotWait = std::chrono::seconds(5);

// The ten most common passwords of at least ten characters (the shorter famous ones, such as
// "123456" or "password", already fail the length rule), compared in lower case.
constexpr std::string_view kCommonPasswords[] = {
    "1234567890", "qwertyuiop",  "1q2w3e4r5t", "0987654321",  "1qaz2wsx3edc",
    "0123456789", "password123", "qwerty1234", "iloveyou123", "1111111111",
};

}  // namespace

class PasswordHasher::Slot {
public:
    explicit Slot(std::counting_semaphore<64>& slots) : slots_(slots) {
        if (!slots_.try_acquire_for(kSlotWait)) {
            throw Error(ErrorCode::kUnavailable, "busy", "too many sign-ins at once; retry");
        }
    }
    ~Slot() { slots_.release(); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

private:
    std::counting_semaphore<64>& slots_;
};

HashCost DefaultHashCost() {
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordHasher::PasswordHasher(HashCost cost, int max_concurrent)
    : cost_(cost), slots_(std::clamp(max_concurrent, 1, 64)) {
    unsigned char random[32];
    randombytes_buf(random, sizeof random);
    dummy_hash_ = Hash(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
}

std::string PasswordHasher::Hash(std::string_view password) {
    Slot slot(slots_);
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), cost_.ops_limit,
                          cost_.mem_limit) != 0) {
        throw Error(ErrorCode::kResourceExhausted, "out_of_memory",
                    "could not hash the password: out of memory");
    }
    return out;
}

bool PasswordHasher::Verify(std::string_view hash, std::string_view password) {
    const std::string terminated(hash);  // libsodium wants a NUL-terminated string
    Slot slot(slots_);
    return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::NeedsRehash(std::string_view hash) const {
    const std::string terminated(hash);
    return crypto_pwhash_str_needs_rehash(terminated.c_str(), cost_.ops_limit, cost_.mem_limit) !=
           0;
}

std::string PasswordPolicyViolation(std::string_view password, std::string_view username) {
    // Counted in bytes: a Chinese character is three, which only makes the bar lower for
    // Chinese passphrases, not weaker than ten ASCII characters.
    if (password.size() < 10) return "must be at least 10 characters";
    if (password.size() > 256) return "must be at most 256 bytes";
    if (password.find_first_not_of(' ') == std::string_view::npos) return "must not be blank";
    std::string lowered(password);
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    std::string user(username);
    std::transform(user.begin(), user.end(), user.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    if (lowered == user) return "must differ from the username";
    for (const std::string_view common : kCommonPasswords) {
        if (lowered == common) return "is one of the most common passwords; choose another";
    }
    return {};
}

}  // namespace lantian::auth
