#include "evidence/attachment_service.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "db/transaction.hpp"
#include "evidence/image_type.hpp"
#include "issues/issue_service.hpp"

namespace lantian::evidence {

namespace {

bool IsSha256(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

StoredPhoto AttachmentService::Put(const std::string& sha256, std::string_view bytes,
                                   std::string_view declared_type, const Actor& actor) {
    if (!IsSha256(sha256)) {
        throw Error::InvalidArgument("invalid_hash",
                                     "the path must name the photo's SHA-256 in lower-case hex");
    }
    if (bytes.empty()) throw Error::Validation({{"body", "holds no photo"}});
    if (bytes.size() > kMaxPhotoBytes) {
        throw Error(ErrorCode::kPayloadTooLarge, "payload_too_large", "photos are at most 10 MiB");
    }
    const std::string_view type = SniffImageType(bytes);
    if (type.empty()) {
        throw Error(ErrorCode::kUnsupportedMediaType, "unsupported_media_type",
                    "the bytes are not a JPEG, PNG or WebP image");
    }
    if (!declared_type.empty() && declared_type != type &&
        declared_type != "application/octet-stream") {
        throw Error(ErrorCode::kUnsupportedMediaType, "unsupported_media_type",
                    "Content-Type says " + std::string(declared_type) + " but the bytes are " +
                        std::string(type));
    }
    if (Sha256Hex(bytes) != sha256) {
        throw Error(ErrorCode::kValidation, "hash_mismatch",
                    "the photo's SHA-256 differs from the one in the path (damaged upload?)",
                    {{"sha256", "does not match the bytes"}});
    }
    // Bytes first, durably; then the row. A crash between leaves an orphan file, never a row
    // pointing at nothing.
    store_.Put(sha256, bytes);
    Attachment a{
        sha256, std::string(type), static_cast<long long>(bytes.size()), actor.user_id, {}};
    return db::InTransaction(pool_, [&](pqxx::transaction_base& tx) {
        const bool created = repository_.Insert(tx, a);
        return StoredPhoto{*repository_.Find(tx, sha256), created};
    });
}

Photo AttachmentService::Get(const std::string& sha256, const Actor& actor) {
    if (!IsSha256(sha256)) throw Error::NotFound("photo");
    const auto found =
        db::InTransaction(pool_, [&](pqxx::transaction_base& tx) -> std::optional<Attachment> {
            if (!repository_.MayView(tx, sha256, actor.user_id, actor.visibility))
                return std::nullopt;
            return repository_.Find(tx, sha256);
        });
    if (!found) throw Error::NotFound("photo");
    auto bytes = store_.Get(sha256);
    if (!bytes) {
        throw Error(ErrorCode::kInternal, "blob_missing",
                    "photo " + sha256 + " is recorded but its bytes are missing");
    }
    return {found->content_type, std::move(*bytes)};
}

}  // namespace lantian::evidence
