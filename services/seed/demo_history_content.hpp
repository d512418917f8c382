#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "common/sha256.hpp"
#include "evidence/blob_store.hpp"

// What the demo history's people write and photograph: categories that fit a site's kind, the
// words of findings, rectifications and verifications, and small generated photos.
namespace lantian::seed::history {

/// The categories an inspector finds at a site of this kind (as tests/bench/ledger_gen.sql).
std::span<const std::string_view> CategoriesFor(std::string_view site_kind);

/// "…" as an inspector describes the problem at `site_name`.
std::string FindingText(std::string_view category, std::string_view site_name, int severity);
/// What a hotline caller (or the superior, or the press) reported, as the office types it in.
std::string ComplaintText(std::string_view source, std::string_view category,
                          std::string_view site_name);
/// What the responsible unit did.
std::string RectificationText(std::string_view category);
/// Why the supervision bureau sends it back.
std::string ReturnText(std::string_view category, int return_count);
/// Why the office rejects a finding as invalid (pick: any number).
std::string InvalidReason(std::uint64_t pick);

/// A small valid PNG (a sky, a ground and a coloured block), different for every `variant`.
std::string MakePhoto(std::uint64_t variant);
/// The lower-case hex SHA-256 of the bytes (the photo's id) is lantian::Sha256Hex.
using lantian::Sha256Hex;

/// The replay's photos, numbered from 0, with bytes fixed by the seed. A background thread
/// writes the bytes of the next few into the blob store ahead of need, so that the fsyncs
/// overlap the database work; the uploader's AttachmentService::Put then finds them stored
/// (the store is content-addressed) and only records the attachment. At most kAhead files are
/// left unused at the end, as an interrupted upload leaves them.
class Darkroom {
public:
    static constexpr long long kAhead = 6;

    Darkroom(evidence::BlobStore& store, std::uint64_t seed);
    ~Darkroom();
    Darkroom(const Darkroom&) = delete;
    Darkroom& operator=(const Darkroom&) = delete;

    /// The bytes of the next photo (and lets the thread run further ahead).
    std::string Next();

private:
    std::string Bytes(long long n) const;
    void Develop();

    evidence::BlobStore& store_;
    const std::uint64_t seed_;
    std::mutex mutex_;
    std::condition_variable wake_;
    long long taken_ = 0;    // photos handed out
    long long written_ = 0;  // photos the thread has written
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace lantian::seed::history
