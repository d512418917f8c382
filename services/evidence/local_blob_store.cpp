#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

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

LocalBlobStore::LocalBlobStore(std::filesystem::path root) : root_(std::move(root)) {
    std::filesystem::create_directories(root_ / "tmp");
}

std::filesystem::path LocalBlobStore::PathFor(const std::string& sha256) const {
    return root_ / sha256.substr(0, 2) / sha256.substr(2);
}

void LocalBlobStore::Put(const std::string& sha256, std::string_view bytes) {
    const auto final_path = PathFor(sha256);
    if (std::filesystem::exists(final_path)) return;  // content-addressed: same bytes
    std::filesystem::create_directories(final_path.parent_path());
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
    std::filesystem::rename(temp, final_path);
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
