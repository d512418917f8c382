#include "server/config.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace lantian::server {
namespace {

ServerOptions OptionsFor(std::string listen) {
    Config config;
    config.listen = std::move(listen);
    return config.ToServerOptions();
}

TEST(ConfigToServerOptions, SplitsHostAndPort) {
    const ServerOptions o = OptionsFor("0.0.0.0:9090");

    EXPECT_EQ(o.host, "0.0.0.0");
    EXPECT_EQ(o.port, 9090);
}

TEST(ConfigToServerOptions, AcceptsABracketedIpv6Host) {
    const ServerOptions o = OptionsFor("[::1]:8443");

    EXPECT_EQ(o.host, "::1");
    EXPECT_EQ(o.port, 8443);
}

TEST(ConfigToServerOptions, AcceptsTheHighestPortAndPortZero) {
    EXPECT_EQ(OptionsFor("localhost:65535").port, 65535);
    EXPECT_EQ(OptionsFor("localhost:0").port, 0);  // let the system choose (tests)
}

TEST(ConfigToServerOptions, CarriesTheThreadAndTimeoutSettings) {
    Config config;
    config.listen = "127.0.0.1:8080";
    config.io_threads = 3;
    config.workers = 16;
    config.max_connections = 500;
    config.max_connections_per_address = 20;
    config.header_timeout_ms = 1500;
    config.body_timeout_ms = 45'000;

    const ServerOptions o = config.ToServerOptions();

    EXPECT_EQ(o.io_threads, 3);
    EXPECT_EQ(o.worker_threads, 16);
    EXPECT_EQ(o.max_connections, 500u);
    EXPECT_EQ(o.max_connections_per_address, 20u);
    EXPECT_EQ(o.header_timeout, std::chrono::milliseconds(1500));
    EXPECT_EQ(o.body_timeout, std::chrono::milliseconds(45'000));
}

TEST(ConfigToConnectionSettings, BoundsEveryPooledConnectionByDefault) {
    const db::ConnectionSettings s = Config{}.ToConnectionSettings();

    EXPECT_GT(s.tcp_user_timeout_ms, 0);
    EXPECT_GT(s.keepalives_idle_s, 0);
    EXPECT_GT(s.keepalives_interval_s, 0);
    EXPECT_GT(s.keepalives_count, 0);
    // Unset: none for the operator commands (serve sets its own, Config::kServeStatementTimeoutMs).
    EXPECT_EQ(s.statement_timeout_ms, 0);
}

TEST(ConfigToConnectionSettings, CarriesAConfiguredStatementTimeout) {
    Config config;
    config.db_statement_timeout_ms = 2500;

    EXPECT_EQ(config.ToConnectionSettings().statement_timeout_ms, 2500);
}

TEST(WithConnectDefaults, AddsKeepalivesAndTheStatementTimeoutToAUri) {
    db::ConnectionSettings s;
    s.statement_timeout_ms = 1234;
    s.tcp_user_timeout_ms = 3000;
    s.keepalives_idle_s = 5;
    s.keepalives_interval_s = 2;
    s.keepalives_count = 3;

    const std::string url = db::WithConnectDefaults("postgresql://u@h/db", s);

    for (const char* want :
         {"keepalives=1", "keepalives_idle=5", "keepalives_interval=2", "keepalives_count=3",
          "tcp_user_timeout=3000", "statement_timeout%3D1234"}) {
        EXPECT_NE(url.find(want), std::string::npos) << url << " lacks " << want;
    }
}

TEST(WithConnectDefaults, KeepsWhatTheUrlAlreadySays) {
    db::ConnectionSettings s;
    s.keepalives_idle_s = 5;

    const std::string url = db::WithConnectDefaults("host=h keepalives_idle=60 dbname=x", s);

    EXPECT_NE(url.find("keepalives_idle=60"), std::string::npos);
    EXPECT_EQ(url.find("keepalives_idle=5"), std::string::npos);
    EXPECT_NE(url.find("keepalives=1"), std::string::npos) << url;
}

TEST(ConfigToServerOptions, RefusesAListenAddressWithoutPort) {
    EXPECT_THROW(OptionsFor("localhost"), std::invalid_argument);
    EXPECT_THROW(OptionsFor(""), std::invalid_argument);
    EXPECT_THROW(OptionsFor("localhost:"), std::invalid_argument);
}

TEST(ConfigToServerOptions, RefusesAListenAddressWithoutHost) {
    EXPECT_THROW(OptionsFor(":8080"), std::invalid_argument);
}

TEST(ConfigToServerOptions, RefusesAnInvalidPort) {
    for (const std::string listen : {"localhost:65536", "localhost:99999999999", "localhost:-1",
                                     "localhost:http", "localhost:80x", "localhost:8080 "}) {
        EXPECT_THROW(OptionsFor(listen), std::invalid_argument) << listen;
    }
}

TEST(ConfigToServerOptions, NamesTheOffendingValueInTheMessage) {
    try {
        OptionsFor("localhost:http");
        FAIL() << "accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("localhost:http"), std::string::npos) << e.what();
    }
}

TEST(RedactUrl, HidesThePasswordInAUri) {
    EXPECT_EQ(RedactUrl("postgresql://lantian:s3cret@db.internal:5432/lantian"),
              "postgresql://lantian:***@db.internal:5432/lantian");
    EXPECT_EQ(RedactUrl("postgres://app:p%40ss/word@localhost/lantian?sslmode=require"),
              "postgres://app:***@localhost/lantian?sslmode=require");
}

TEST(RedactUrl, HidesThePasswordInKeywordForm) {
    EXPECT_EQ(RedactUrl("host=db user=lantian password=s3cret dbname=lantian"),
              "host=db user=lantian password=*** dbname=lantian");
    EXPECT_EQ(RedactUrl("host=db password = s3cret"), "host=db password = ***");
}

TEST(RedactUrl, HidesAPasswordGivenAsAUriQueryParameter) {
    const std::string redacted = RedactUrl("postgresql://db/lantian?user=app&password=s3cret");

    EXPECT_EQ(redacted.find("s3cret"), std::string::npos) << redacted;
    EXPECT_NE(redacted.find("postgresql://db/lantian?user=app&password=***"), std::string::npos)
        << redacted;
}

TEST(RedactUrl, HidesAllOfAQuotedKeywordPasswordContainingSpaces) {
    // libpq keyword values may be single-quoted to hold spaces: 'correct horse'.
    const std::string redacted = RedactUrl("host=db password='correct horse' dbname=lantian");

    EXPECT_EQ(redacted.find("correct"), std::string::npos) << redacted;
    EXPECT_EQ(redacted.find("horse"), std::string::npos) << redacted;
    EXPECT_NE(redacted.find("dbname=lantian"), std::string::npos) << redacted;
}

TEST(RedactUrl, LeavesUrlsWithoutPasswordUnchanged) {
    for (const std::string url :
         {"postgresql://lantian@db.internal:5432/lantian", "postgresql://db.internal:5432/lantian",
          "postgresql:///lantian?host=/var/run/postgresql", "host=db user=lantian dbname=lantian",
          "postgresql://localhost/lantian?sslmode=require"}) {
        EXPECT_EQ(RedactUrl(url), url);
    }
}

}  // namespace
}  // namespace lantian::server
