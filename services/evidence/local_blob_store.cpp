#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "common/error.hpp"
#include "evidence/blob_store.hpp"

namespace lantian::evidence {

namespace {

[[noreturn]] void Fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void FsyncPath(const std::filesystem::path& path, int flags) {
    const int fd = ::open(path.c_str(), flags);
    if (fd < 0) Fail("could not open " + path.string());
    if (::fsync(fd) != 0) {
        ::close(fd);
        Fail("could not fsync " + path.string());
    }
    ::close(fd);
}

}  // namespace

LocalBlobStore::LocalBlobStore(std::filesystem::path root, std::chrono::seconds stale_temp_age)
    : root_(std::move(root)) {
    // Nothing is created until a photo is stored (commands that store none leave no directory);
    // what a killed upload left in tmp/ is removed once it is old enough not to be in flight.
    RemoveStaleTemporaries(stale_temp_age);
}

int LocalBlobStore::RemoveStaleTemporaries(std::chrono::seconds min_age) const {
    std::error_code ec;
    const auto dir = root_ / "tmp";
    if (!std::filesystem::is_directory(dir, ec)) return 0;
    const auto cutoff = std::filesystem::file_time_type::clock::now() - min_age;
    int removed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        std::error_code entry_ec;
        if (!entry.is_regular_file(entry_ec)) continue;
        const auto written = entry.last_write_time(entry_ec);
        if (entry_ec || written > cutoff) continue;
        if (std::filesystem::remove(entry.path(), entry_ec)) ++removed;
    }
    return removed;
}

std::filesystem::path LocalBlobStore::PathFor(const std::string& sha256) const {
    return root_ / sha256.substr(0, 2) / sha256.substr(2);
}

void LocalBlobStore::Put(const std::string& sha256, std::string_view bytes) {
    try {
        Write(sha256, bytes);
    } catch (const std::system_error& e) {
        // A read-only, full or missing blob directory is the operator's to fix, and a retry
        // later can succeed: 503 with Retry-After, never a 500. Nothing half-stored remains
        // (Write removes its temporary file), and no attachment row is written.
        const bool full = e.code() == std::errc::no_space_on_device || e.code().value() == EDQUOT;
        throw Error(ErrorCode::kUnavailable, "storage_unavailable",
                    full ? "the photo store is full; retry later"
                         : "the photo store cannot be written; retry later")
            .WithRetryAfter(30);
    }
}

void LocalBlobStore::Write(const std::string& sha256, std::string_view bytes) {
    const auto final_path = PathFor(sha256);
    if (std::filesystem::exists(final_path)) return;  // content-addressed: same bytes
    std::filesystem::create_directories(final_path.parent_path());
    std::filesystem::create_directories(root_ / "tmp");
    unsigned char random[8];
    randombytes_buf(random, sizeof random);
    char suffix[17];
    sodium_bin2hex(suffix, sizeof suffix, random, sizeof random);
    const auto temp = root_ / "tmp" / (sha256 + "." + suffix);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) Fail("could not create " + temp.string());
    size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            std::filesystem::remove(temp);
            Fail("could not write " + temp.string());
        }
        written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
        ::close(fd);
        std::filesystem::remove(temp);
        Fail("could not fsync " + temp.string());
    }
    ::close(fd);
    std::error_code ec;
    std::filesystem::rename(temp, final_path, ec);
    if (ec) {
        std::filesystem::remove(temp);
        throw std::system_error(ec, "could not rename " + temp.string());
    }
    FsyncPath(final_path.parent_path(), O_RDONLY | O_DIRECTORY);
}

std::optional<std::string> LocalBlobStore::Get(const std::string& sha256) const {
    std::ifstream in(PathFor(sha256), std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace lantian::evidence
