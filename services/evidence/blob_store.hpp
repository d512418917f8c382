#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lantian::evidence {

/// Where photo bytes live, by their SHA-256. A local directory by default; an object store
/// (S3, OSS, MinIO) slots in behind the same interface when the service runs on several hosts.
class BlobStore {
public:
    virtual ~BlobStore() = default;
    /// Stores the bytes durably before returning (a 2xx follows).
    virtual void Put(const std::string& sha256, std::string_view bytes) = 0;
    virtual std::optional<std::string> Get(const std::string& sha256) const = 0;
};

/// Files under a root: `ab/cdef...` by hash, written to a temporary name, fsynced, renamed
/// into place, and the directory fsynced, so a crash leaves either the whole photo or none.
class LocalBlobStore final : public BlobStore {
public:
    explicit LocalBlobStore(std::filesystem::path root);
    void Put(const std::string& sha256, std::string_view bytes) override;
    std::optional<std::string> Get(const std::string& sha256) const override;

private:
    std::filesystem::path PathFor(const std::string& sha256) const;
    std::filesystem::path root_;
};

}  // namespace lantian::evidence
