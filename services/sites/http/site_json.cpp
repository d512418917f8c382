#include "sites/http/site_json.hpp"

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "http/json_body.hpp"
#include "http/json_fields.hpp"
#include "http/json_values.hpp"

namespace lantian::sites {

using nlohmann::json;

namespace {

constexpr size_t kMaxAttributesBytes = 8 * 1024;

#define LANTIAN_SITE_FIELDS                                                              \
    "kind", "name", "address", "location", "crs", "subdistrict_id", "responsible_party", \
        "attributes", "status"

std::optional<GeoPoint> ReadLocation(http::JsonFields& f) {
    const json* loc = f.Object("location");
    if (!loc) return std::nullopt;
    http::RejectUnknownFields(*loc, {"lat", "lon"}, "location.");
    http::JsonFields lf(*loc, f.errors(), "location.");
    const auto lat = lf.Number("lat", true);
    const auto lon = lf.Number("lon", true);
    if (!lat || !lon) return std::nullopt;
    return GeoPoint{*lat, *lon};
}

Crs ReadCrs(http::JsonFields& f) {
    const auto crs = f.String("crs");
    if (!crs || *crs == "wgs84") return Crs::kWgs84;
    if (*crs == "gcj02") return Crs::kGcj02;
    f.errors().Add("crs", "must be wgs84 or gcj02");
    return Crs::kWgs84;
}

std::optional<ResponsibleParty> ReadParty(http::JsonFields& f) {
    const json* p = f.Object("responsible_party");
    if (!p) return std::nullopt;
    http::RejectUnknownFields(*p, {"name", "contact_name", "phone"}, "responsible_party.");
    http::JsonFields pf(*p, f.errors(), "responsible_party.");
    return ResponsibleParty{pf.String("name").value_or(""), pf.String("contact_name").value_or(""),
                            pf.String("phone").value_or("")};
}

std::optional<std::string> ReadAttributes(http::JsonFields& f) {
    const json* a = f.Object("attributes");
    if (!a) return std::nullopt;
    std::string text = a->dump();
    if (text.size() > kMaxAttributesBytes) {
        f.errors().Add("attributes", "must be at most 8 KiB of JSON");
        return std::nullopt;
    }
    return text;
}

}  // namespace

json SiteToJson(const Site& s) {
    json out = {
        {"id", s.id},
        {"kind", s.kind},
        {"kind_label", SiteKindLabel(s.kind)},
        {"name", s.name},
        {"address", s.address},
        {"location", {{"lat", s.location.lat}, {"lon", s.location.lon}}},
        {"subdistrict_id", s.subdistrict_id},
        {"responsible_party",
         {{"name", s.responsible_party.name},
          {"contact_name", s.responsible_party.contact_name},
          {"phone", s.responsible_party.phone}}},
        {"attributes", json::parse(s.attributes_json)},
        {"status", s.status},
        {"status_label", SiteStatusLabel(s.status)},
        {"version", s.version},
        {"created_at", FormatDistrictTime(s.created_at)},
        {"updated_at", FormatDistrictTime(s.updated_at)},
    };
    if (s.distance_m) out["distance_m"] = std::round(*s.distance_m * 10) / 10;
    if (s.open_issue_count) {
        out["open_issue_count"] = *s.open_issue_count;
        out["last_inspection_at"] = http::OptionalTime(s.last_inspection_at);
    }
    return out;
}

NewSite NewSiteFromJson(const json& body, FieldErrors& errors) {
    http::RejectUnknownFields(body, {LANTIAN_SITE_FIELDS});
    http::JsonFields f(body, errors);
    NewSite site;
    site.kind = f.String("kind", true).value_or("");
    site.name = f.String("name", true).value_or("");
    site.address = f.String("address", true).value_or("");
    if (!f.Has("location")) errors.Add("location", "is required");
    site.location = ReadLocation(f).value_or(GeoPoint{});
    site.crs = ReadCrs(f);
    site.subdistrict_id = f.Id("subdistrict_id");
    site.responsible_party = ReadParty(f).value_or(ResponsibleParty{});
    site.attributes_json = ReadAttributes(f).value_or("{}");
    site.status = f.String("status").value_or("active");
    return site;
}

SitePatch SitePatchFromJson(const json& body, FieldErrors& errors) {
    http::RejectUnknownFields(body, {LANTIAN_SITE_FIELDS});
    http::JsonFields f(body, errors);
    for (const char* key : {"kind", "name", "address", "location", "responsible_party",
                            "attributes", "status", "subdistrict_id"}) {
        if (f.IsNull(key)) errors.Add(key, "cannot be null");
    }
    SitePatch patch;
    patch.kind = f.String("kind");
    patch.name = f.String("name");
    patch.address = f.String("address");
    patch.location = ReadLocation(f);
    patch.crs = ReadCrs(f);
    patch.subdistrict_id = f.Id("subdistrict_id");
    patch.responsible_party = ReadParty(f);
    patch.attributes_json = ReadAttributes(f);
    patch.status = f.String("status");
    return patch;
}

}  // namespace lantian::sites
