#include "seed/demo_seed.hpp"

#include <pqxx/pqxx>
#include <span>
#include <string>

#include "common/embedded_file.hpp"

namespace lantian::seed {

std::span<const EmbeddedFile> EmbeddedSeedFiles();

namespace {

constexpr const char* kLock = "select pg_advisory_xact_lock(7359204416)";
constexpr const char* kCount = "select (select count(*) from units), (select count(*) from sites)";

}  // namespace

SeedCounts SeedDemoDistrict(pqxx::connection& conn) {
    pqxx::work tx(conn);
    // Two seeders at once would both see an empty registry; the second waits here instead.
    tx.exec(kLock);
    for (const auto& file : EmbeddedSeedFiles()) tx.exec(std::string(file.content));
    const auto row = tx.exec1(kCount);
    tx.commit();
    return {row[0].as<long long>(), row[1].as<long long>()};
}

}  // namespace lantian::seed
