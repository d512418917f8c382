#pragma once

#include <string>
#include <string_view>

#include "common/actor.hpp"
#include "db/pool.hpp"
#include "evidence/attachment_repository.hpp"
#include "evidence/blob_store.hpp"

namespace lantian::evidence {

inline constexpr std::size_t kMaxPhotoBytes = 10 * 1024 * 1024;

struct StoredPhoto {
    Attachment attachment;
    bool created = false;
};

struct Photo {
    std::string content_type;
    std::string bytes;
};

/// Evidence photos: content-addressed, verified, typed from their bytes, stored durably
/// before they are acknowledged, shown only to those who may see an issue that uses them.
class AttachmentService {
public:
    AttachmentService(db::Pool& pool, BlobStore& store, const AttachmentRepository& repository)
        : pool_(pool), store_(store), repository_(repository) {}

    StoredPhoto Put(const std::string& sha256, std::string_view bytes,
                    std::string_view declared_type, const Actor& actor);
    Photo Get(const std::string& sha256, const Actor& actor);

private:
    db::Pool& pool_;
    BlobStore& store_;
    const AttachmentRepository& repository_;
};

}  // namespace lantian::evidence
