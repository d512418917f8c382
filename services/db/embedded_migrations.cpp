#include <charconv>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/embedded_file.hpp"
#include "db/migrator.hpp"

namespace lantian::db {

/// Generated from migrations/*.sql at build time.
std::span<const EmbeddedFile> EmbeddedMigrationFiles();

std::span<const Migration> EmbeddedMigrations() {
    static const std::vector<Migration> kMigrations = [] {
        std::vector<Migration> out;
        for (const auto& file : EmbeddedMigrationFiles()) {
            // NNNN_what_it_does.sql; the build sorts them by name.
            int version = 0;
            auto [ptr, ec] = std::from_chars(file.path.data(), file.path.data() + 4, version);
            if (ec != std::errc() || ptr != file.path.data() + 4 || file.path[4] != '_') {
                throw std::logic_error("migration file name must start with NNNN_: " +
                                       std::string(file.path));
            }
            out.push_back({version, std::string(file.path), file.content});
        }
        return out;
    }();
    return kMigrations;
}

}  // namespace lantian::db
