#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>

#include "common/clock.hpp"
#include "issues/issue_repository.hpp"

namespace lantian::evidence {

struct Attachment {
    std::string sha256;
    std::string content_type;
    long long size_bytes = 0;
    long long uploaded_by = 0;
    TimePoint uploaded_at;
};

class AttachmentRepository {
public:
    /// True when the row is new; false when the photo was already recorded.
    bool Insert(pqxx::transaction_base& tx, const Attachment& attachment) const;
    std::optional<Attachment> Find(pqxx::transaction_base& tx, const std::string& sha256) const;
    /// The uploader, or anyone who may see an issue that shows the photo.
    bool MayView(pqxx::transaction_base& tx, const std::string& sha256, long long user_id,
                 const Visibility& visibility) const;
};

}  // namespace lantian::evidence
