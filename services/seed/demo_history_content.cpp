#include "seed/demo_history_content.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace lantian::seed::history {

namespace {

using namespace std::string_literals;

struct KindCategories {
    std::string_view kind;
    std::array<std::string_view, 4> categories;
    std::size_t count;
};

// The same fit as tests/bench/ledger_gen.sql (gen_kind_categories).
constexpr std::array<KindCategories, 10> kKinds = {{
    {"restaurant",
     {"fume_direct_emission", "purifier_not_running", "shop_front_duty", "garbage_accumulation"},
     4},
    {"open_air_bbq", {"open_air_bbq", "fume_direct_emission"}, 2},
    {"construction_site",
     {"dust_uncovered", "no_dust_suppression", "muddy_vehicles", "muck_truck_uncovered"},
     4},
    {"bare_soil", {"dust_uncovered", "no_dust_suppression", "open_burning"}, 3},
    {"industrial_enterprise", {"emission_exceeded", "fugitive_emission", "open_burning"}, 3},
    {"shop_front", {"shop_front_duty", "garbage_accumulation", "other"}, 3},
    {"residential_compound", {"garbage_accumulation", "open_burning", "other"}, 3},
    {"back_alley", {"garbage_accumulation", "open_burning", "open_air_bbq"}, 3},
    {"mall_supermarket", {"shop_front_duty", "fume_direct_emission", "other"}, 3},
    {"farmers_market", {"garbage_accumulation", "shop_front_duty", "open_air_bbq"}, 3},
}};

struct Words {
    std::string_view category;
    std::string_view finding;
    std::string_view rectification;
    std::string_view still_wrong;
};

constexpr std::array<Words, 13> kWords = {{
    {"fume_direct_emission", "后厨油烟未经净化直接排放，排口正对居民楼",
     "已安装油烟净化设施并接入专用烟道，现场无油烟直排", "复核时仍有油烟外溢，净化设施风量不足"},
    {"purifier_not_running", "油烟净化器未开启运行，滤网油污堆积严重",
     "已清洗净化器滤网并恢复运行，建立清洗维护台账", "净化器运行不稳定，清洗台账缺失"},
    {"open_air_bbq", "店外占道露天烧烤，烟气扰民", "已取缔露天烧烤，烤炉收回室内并配套油烟净化设施",
     "夜间复查仍有占道烧烤"},
    {"dust_uncovered", "裸土及砂石物料未苫盖，风起扬尘", "已对裸土及物料全部覆盖防尘网",
     "防尘网破损，仍有局部裸露"},
    {"no_dust_suppression", "作业时未洒水降尘，雾炮未开启", "已开启雾炮并安排专人定时洒水",
     "复核时雾炮未运行，路面干燥起尘"},
    {"muddy_vehicles", "出场车辆未冲洗，带泥上路污染路面", "已修复车辆冲洗平台，安排专人值守冲洗",
     "出口路面仍有带泥痕迹"},
    {"muck_truck_uncovered", "渣土运输车辆未密闭，沿途抛洒", "已约谈运输单位，车辆全部加装密闭篷布",
     "抽查仍有车辆未密闭"},
    {"open_burning", "露天焚烧垃圾及枯枝落叶", "已扑灭明火并清运焚烧残留物",
     "现场仍有焚烧痕迹，残留物未清运"},
    {"emission_exceeded", "在线监测显示颗粒物排放浓度超标", "已检修除尘设施，复测排放浓度达标",
     "复测数据仍不稳定，需补充第三方检测报告"},
    {"fugitive_emission", "物料堆场无组织排放，车间门窗未密闭", "已密闭车间并对堆场加装围挡和喷淋",
     "车间仍有无组织排放"},
    {"shop_front_duty", "门前五包责任未落实，杂物乱堆、地面油污",
     "已清理门前杂物并签订门前五包责任书", "门前仍有杂物堆放"},
    {"garbage_accumulation", "生活垃圾堆积未及时清运", "已清运垃圾并增设收集桶",
     "垃圾清运不彻底，周边仍有散落"},
    {"other", "存在其他大气污染隐患", "已按要求整改到位", "整改不到位"},
}};

constexpr std::array<std::string_view, 4> kInvalid = {
    "经现场核实，未发现所述问题",
    "经核实不属于大气污染防治范畴，已告知反映人",
    "反映地址不详，无法核实",
    "问题已于核实前自行整改，无需交办",
};

const Words& WordsFor(std::string_view category) {
    for (const auto& w : kWords) {
        if (w.category == category) return w;
    }
    throw std::invalid_argument("no words for category " + std::string(category));
}

constexpr std::array<std::string_view, 3> kSeverityWords = {"", "情况较重，", "情况严重，"};

// PNG: CRC-32 of each chunk, Adler-32 of the zlib stream (stored, uncompressed blocks).
std::uint32_t Crc32(std::string_view bytes) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : bytes) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

void PutBe32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

void Chunk(std::string& out, std::string_view type, const std::string& data) {
    PutBe32(out, static_cast<std::uint32_t>(data.size()));
    const std::string body = std::string(type) + data;
    out += body;
    PutBe32(out, Crc32(body));
}

}  // namespace

std::span<const std::string_view> CategoriesFor(std::string_view site_kind) {
    for (const auto& k : kKinds) {
        if (k.kind == site_kind) return {k.categories.data(), k.count};
    }
    static constexpr std::array<std::string_view, 1> kOther = {"other"};
    return kOther;
}

std::string FindingText(std::string_view category, std::string_view site_name, int severity) {
    const auto& w = WordsFor(category);
    const int s = severity < 1 ? 1 : (severity > 3 ? 3 : severity);
    return std::string(site_name) + "：" + std::string(kSeverityWords[s - 1]) +
           std::string(w.finding) + "。";
}

std::string ComplaintText(std::string_view source, std::string_view category,
                          std::string_view site_name) {
    const auto& w = WordsFor(category);
    std::string head = "12369热线投诉：群众反映";
    if (source == "superior") head = "市大气办交办：";
    if (source == "media") head = "媒体曝光：";
    return head + std::string(site_name) + std::string(w.finding) + "。";
}

std::string RectificationText(std::string_view category) {
    return std::string(WordsFor(category).rectification) + "，整改照片见附件。";
}

std::string ReturnText(std::string_view category, int return_count) {
    std::string text = "现场复核：" + std::string(WordsFor(category).still_wrong);
    if (return_count >= 1) text += "（再次退回，请单位负责人督促落实）";
    return text + "，退回重新整改。";
}

std::string InvalidReason(std::uint64_t pick) {
    return std::string(kInvalid[pick % kInvalid.size()]);
}

std::string MakePhoto(std::uint64_t variant) {
    constexpr int kWidth = 32, kHeight = 24;
    auto channel = [&](int shift) { return static_cast<unsigned char>((variant >> shift) & 0xFF); };
    const unsigned char sky[3] = {static_cast<unsigned char>(140 + channel(0) % 60),
                                  static_cast<unsigned char>(170 + channel(8) % 50), 230};
    const unsigned char ground[3] = {static_cast<unsigned char>(90 + channel(16) % 60),
                                     static_cast<unsigned char>(85 + channel(24) % 50), 70};
    const unsigned char block[3] = {channel(32), channel(40), channel(48)};
    const int bx = static_cast<int>(channel(56) % 20), bw = 6 + static_cast<int>(channel(4) % 8);
    std::string raw;
    for (int y = 0; y < kHeight; ++y) {
        raw += '\0';  // filter: none
        for (int x = 0; x < kWidth; ++x) {
            const unsigned char* px = y < kHeight / 2 ? sky : ground;
            if (x >= bx && x < bx + bw && y >= 8 && y < 18) px = block;
            raw.append(reinterpret_cast<const char*>(px), 3);
        }
    }
    std::string zlib = "\x78\x01";
    zlib += '\x01';  // final block, stored
    const auto len = static_cast<std::uint16_t>(raw.size());
    zlib += static_cast<char>(len & 0xFF);
    zlib += static_cast<char>(len >> 8);
    zlib += static_cast<char>(~len & 0xFF);
    zlib += static_cast<char>((~len >> 8) & 0xFF);
    zlib += raw;
    std::uint32_t a = 1, b = 0;
    for (unsigned char c : raw) {
        a = (a + c) % 65521;
        b = (b + a) % 65521;
    }
    PutBe32(zlib, (b << 16) | a);

    std::string png = "\x89PNG\r\n\x1A\n"s;
    std::string ihdr;
    PutBe32(ihdr, kWidth);
    PutBe32(ihdr, kHeight);
    ihdr += "\x08\x02\x00\x00\x00"s;  // 8-bit RGB, deflate, adaptive filtering, no interlace
    Chunk(png, "IHDR", ihdr);
    Chunk(png, "IDAT", zlib);
    Chunk(png, "IEND", "");
    return png;
}

Darkroom::Darkroom(evidence::BlobStore& store, std::uint64_t seed)
    : store_(store), seed_(seed), thread_([this] { Develop(); }) {}

Darkroom::~Darkroom() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

std::string Darkroom::Bytes(long long n) const {
    std::uint64_t x = seed_ ^ (static_cast<std::uint64_t>(n) * 0x9E3779B97F4A7C15ull);
    x = (x ^ (x >> 31)) * 0xBF58476D1CE4E5B9ull;
    return MakePhoto(x ^ (x >> 29));
}

std::string Darkroom::Next() {
    long long n = 0;
    {
        std::lock_guard lock(mutex_);
        n = taken_++;
    }
    wake_.notify_all();
    return Bytes(n);
}

void Darkroom::Develop() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [&] { return stopping_ || written_ < taken_ + kAhead; });
        if (stopping_) return;
        // Behind the uploader: it writes that one itself.
        written_ = std::max(written_, taken_);
        const long long n = written_++;
        lock.unlock();
        const std::string bytes = Bytes(n);
        try {
            store_.Put(Sha256Hex(bytes), bytes);
        } catch (const std::exception&) {
            // The uploader's own Put writes it (and reports what went wrong).
        }
        lock.lock();
    }
}

}  // namespace lantian::seed::history
