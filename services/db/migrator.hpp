#pragma once

#include <pqxx/connection>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lantian::db {

/// One forward-only schema change, `migrations/NNNN_what.sql`, embedded in the binary.
struct Migration {
    int version;
    std::string name;  // file name
    std::string_view sql;
};

/// The migrations in the repository, in order (generated at build time).
std::span<const Migration> EmbeddedMigrations();

struct SchemaStatus {
    int applied = 0;
    int pending = 0;
    /// Applied files whose text changed since: the migrator refuses to go on.
    std::vector<std::string> edited;
    bool current() const { return pending == 0 && edited.empty(); }
};

/// What the database has applied compared with `migrations`. Read-only.
SchemaStatus InspectSchema(pqxx::connection& conn, std::span<const Migration> migrations);

/// Applies what is pending, each file in its own transaction recorded with its checksum.
/// Holds an advisory lock so two migrators cannot both apply; refuses (throws) when an
/// applied file was edited afterwards. Returns the names applied.
std::vector<std::string> Migrate(pqxx::connection& conn, std::span<const Migration> migrations);

/// SHA-256 hex of a migration's text.
std::string Checksum(std::string_view sql);

}  // namespace lantian::db
