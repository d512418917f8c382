#pragma once

#include <chrono>
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
///
/// Directories are made on the first Put, not before. A failed write (read-only, full, not a
/// directory) throws Error(kUnavailable, "storage_unavailable") with Retry-After and leaves no
/// temporary file behind; temporaries a killed process left are removed when a store is opened
/// (those older than `stale_temp_age`, so a replica's upload in flight is never touched).
class LocalBlobStore final : public BlobStore {
public:
    explicit LocalBlobStore(std::filesystem::path root,
                            std::chrono::seconds stale_temp_age = std::chrono::hours(1));
    void Put(const std::string& sha256, std::string_view bytes) override;
    std::optional<std::string> Get(const std::string& sha256) const override;
    /// Removes the files in tmp/ last written at least `min_age` ago; how many.
    int RemoveStaleTemporaries(std::chrono::seconds min_age) const;

private:
    void Write(const std::string& sha256, std::string_view bytes);
    std::filesystem::path PathFor(const std::string& sha256) const;
    std::filesystem::path root_;
};

}  // namespace lantian::evidence
