// The local photo store (evidence/local_blob_store) when its directory fails: a store that
// cannot be written is 503 storage_unavailable with Retry-After and leaves nothing half-stored;
// nothing is created before a photo is stored; what a killed upload left is cleaned up.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.hpp"
#include "evidence/blob_store.hpp"

namespace lantian::evidence {
namespace {

namespace fs = std::filesystem;

const std::string kSha(64, 'a');

class LocalBlobStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("lantian-blob-test-" +
                std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(LocalBlobStoreTest, OpeningAStoreCreatesNothingUntilAPhotoIsStored) {
    LocalBlobStore store(dir_ / "blobs");
    EXPECT_FALSE(fs::exists(dir_ / "blobs"))
        << "a command that stores no photo leaves no directory";
    store.Put(kSha, "bytes");
    EXPECT_EQ(store.Get(kSha), "bytes");
    EXPECT_TRUE(fs::is_empty(dir_ / "blobs" / "tmp")) << "no temporary file left";
}

TEST_F(LocalBlobStoreTest, AStoreThatCannotBeWrittenIs503WithRetryAfterAndKeepsNothing) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "blobs")
        << "not a directory";  // as unusable as a read-only disk, for root too
    LocalBlobStore store(dir_ / "blobs");
    try {
        store.Put(kSha, "bytes");
        ADD_FAILURE() << "stored into a file";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
        EXPECT_EQ(e.slug(), "storage_unavailable");
        EXPECT_EQ(e.retry_after(), 30);
    }
    EXPECT_EQ(store.Get(kSha), std::nullopt);

    // The temporary area itself unusable: the same answer, and the photo is not half there.
    fs::remove(dir_ / "blobs");
    fs::create_directories(dir_ / "blobs" / kSha.substr(0, 2));
    std::ofstream(dir_ / "blobs" / "tmp") << "not a directory";
    EXPECT_THROW(store.Put(kSha, "bytes"), Error);
    EXPECT_FALSE(fs::exists(dir_ / "blobs" / kSha.substr(0, 2) / kSha.substr(2)));
}

TEST_F(LocalBlobStoreTest, TemporariesAKilledUploadLeftAreRemovedWhenOldEnough) {
    fs::create_directories(dir_ / "blobs" / "tmp");
    const auto old_temp = dir_ / "blobs" / "tmp" / (kSha + ".dead");
    const auto fresh_temp = dir_ / "blobs" / "tmp" / (kSha + ".inflight");
    std::ofstream(old_temp) << "half a photo";
    std::ofstream(fresh_temp) << "a photo being written";
    fs::last_write_time(old_temp, fs::file_time_type::clock::now() - std::chrono::hours(2));
    LocalBlobStore store(dir_ / "blobs");
    EXPECT_FALSE(fs::exists(old_temp));
    EXPECT_TRUE(fs::exists(fresh_temp)) << "an upload in flight (another replica's) is kept";
    EXPECT_EQ(store.RemoveStaleTemporaries(std::chrono::seconds(0)), 1);
}

}  // namespace
}  // namespace lantian::evidence
