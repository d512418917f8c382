#include "evidence/attachment_repository.hpp"

#include <pqxx/pqxx>

#include "common/time.hpp"
#include "db/statement.hpp"
#include "issues/photo_access.hpp"

namespace lantian::evidence {

namespace {

constexpr const char* kInsert = R"(
    insert into attachments (sha256, content_type, size_bytes, uploaded_by)
    values ($1, $2, $3, $4)
    on conflict (sha256) do nothing
    returning 1)";

constexpr const char* kFind = R"(
    select sha256, content_type, size_bytes, uploaded_by, uploaded_at
    from attachments where sha256 = $1)";

const std::string kMayView = "select " + issues::PhotoReadableSql("$1", 2);

// Every uploader of the bytes is recorded, the first and any later one.
constexpr const char* kRecordUpload = R"(
    insert into attachment_uploads (sha256, user_id) values ($1, $2)
    on conflict (sha256, user_id) do nothing)";

}  // namespace

bool AttachmentRepository::Insert(pqxx::transaction_base& tx, const Attachment& a) const {
    const bool created =
        !db::Exec(tx, kInsert, a.sha256, a.content_type, a.size_bytes, a.uploaded_by).empty();
    db::Exec(tx, kRecordUpload, a.sha256, a.uploaded_by);
    return created;
}

std::optional<Attachment> AttachmentRepository::Find(pqxx::transaction_base& tx,
                                                     const std::string& sha256) const {
    const auto r = db::Exec(tx, kFind, sha256);
    if (r.empty()) return std::nullopt;
    return Attachment{r[0][0].as<std::string>(), r[0][1].as<std::string>(), r[0][2].as<long long>(),
                      r[0][3].as<long long>(), r[0][4].as<TimePoint>()};
}

bool AttachmentRepository::MayView(pqxx::transaction_base& tx, const std::string& sha256,
                                   long long user_id, const Visibility& visibility) const {
    return db::Exec1(tx, kMayView, sha256, user_id, visibility.IssueReporter(),
                     visibility.IssueReporterTerritory(), visibility.IssueUnit())[0]
        .as<bool>();
}

}  // namespace lantian::evidence
