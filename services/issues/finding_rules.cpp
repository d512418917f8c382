#include "issues/finding_rules.hpp"

#include <chrono>
#include <regex>
#include <set>

namespace lantian::issues {

namespace {

// Phones' clocks drift: a finding stamped a little ahead of the server is still accepted.
constexpr auto kClockSkew = std::chrono::minutes(5);
constexpr size_t kMaxPhotos = 20;
constexpr size_t kMaxText = 4000;
constexpr size_t kMaxFindings = 50;

bool IsUuid(const std::string& s) {
    static const std::regex kUuid(
        "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    return std::regex_match(s, kUuid);
}

bool IsSha256(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

void CheckPhotos(const std::vector<std::string>& ids, const std::string& field,
                 FieldErrors& errors) {
    if (ids.size() > kMaxPhotos) errors.Add(field, "must list at most 20 photos");
    for (const auto& id : ids) {
        if (!IsSha256(id)) {
            errors.Add(field, "must hold SHA-256 ids of uploaded photos (64 lower-case hex)");
            return;
        }
    }
}

void CheckLocation(const std::optional<GeoPoint>& p, const std::string& field,
                   FieldErrors& errors) {
    if (!p) return;
    if (!(p->lat >= -90 && p->lat <= 90)) errors.Add(field + ".lat", "must be between -90 and 90");
    if (!(p->lon >= -180 && p->lon <= 180)) {
        errors.Add(field + ".lon", "must be between -180 and 180");
    }
}

}  // namespace

bool Blank(const std::string& s) {
    return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

void CheckFinding(const NewFinding& f, const std::string& at, TimePoint now, FieldErrors& errors) {
    if (!IsUuid(f.client_id)) errors.Add(at + "client_id", "must be a UUID made on the phone");
    if (CategoryLabel(f.category).empty()) errors.Add(at + "category", "is not a known category");
    if (f.severity < 1 || f.severity > 3) errors.Add(at + "severity", "must be 1, 2 or 3");
    if (Blank(f.description)) errors.Add(at + "description", "must not be blank");
    if (f.description.size() > kMaxText) errors.Add(at + "description", "is too long");
    CheckLocation(f.location, at + "location", errors);
    CheckPhotos(f.photo_ids, at + "photo_ids", errors);
    if (f.reported_at > now + kClockSkew) {
        errors.Add(at + "found_at", "lies in the future");
    }
    if (f.fixed_on_spot) {
        if (!f.evidence) {
            errors.Add(at + "evidence", "is required for a finding fixed on the spot");
        } else {
            if (Blank(f.evidence->description)) {
                errors.Add(at + "evidence.description", "must not be blank");
            }
            if (f.evidence->photo_ids.empty()) {
                errors.Add(at + "evidence.photo_ids", "must show the fixed problem");
            }
            CheckPhotos(f.evidence->photo_ids, at + "evidence.photo_ids", errors);
        }
    } else if (f.evidence) {
        errors.Add(at + "evidence", "is only for a finding fixed on the spot");
    }
}

void CheckInspection(const NewInspection& input, TimePoint now, FieldErrors& errors) {
    if (!IsUuid(input.client_id)) errors.Add("client_id", "must be a UUID made on the phone");
    if (input.started_at > now + kClockSkew) errors.Add("started_at", "lies in the future");
    CheckLocation(input.location, "location", errors);
    if (input.notes.size() > kMaxText) errors.Add("notes", "is too long");
    if (input.findings.size() > kMaxFindings) {
        errors.Add("findings", "must hold at most 50 findings");
    }
    std::set<std::string> client_ids{input.client_id};
    for (size_t n = 0; n < input.findings.size(); ++n) {
        const auto& f = input.findings[n];
        const std::string at = "findings[" + std::to_string(n) + "].";
        CheckFinding(f, at, now, errors);
        if (!client_ids.insert(f.client_id).second) {
            errors.Add(at + "client_id", "repeats another client_id of this inspection");
        }
    }
}

std::vector<std::string> PhotosOf(const NewFinding& f) {
    std::vector<std::string> photos = f.photo_ids;
    if (f.evidence) {
        photos.insert(photos.end(), f.evidence->photo_ids.begin(), f.evidence->photo_ids.end());
    }
    return photos;
}

void CheckTriage(bool confirm, const std::string& reason, bool names_duplicate) {
    if (!confirm && Blank(reason)) {
        throw Error::Validation({{"reason", "is required to reject a finding"}});
    }
    if (confirm && names_duplicate) {
        throw Error::Validation({{"duplicate_of", "is only for a rejection"}});
    }
}

void CheckUnits(long long lead_unit_id, const std::vector<long long>& co_unit_ids) {
    const std::set<long long> co(co_unit_ids.begin(), co_unit_ids.end());
    if (co.size() != co_unit_ids.size() || co.contains(lead_unit_id)) {
        throw Error::Validation(
            {{"co_unit_ids", "must be distinct and differ from the lead unit"}});
    }
}

void CheckRectification(const std::string& description, const std::vector<std::string>& photos) {
    FieldErrors errors;
    if (Blank(description)) errors.Add("description", "must say what was done");
    if (description.size() > kMaxText) errors.Add("description", "is too long");
    if (photos.empty()) errors.Add("photo_ids", "must show the rectified site");
    CheckPhotos(photos, "photo_ids", errors);
    errors.ThrowIfAny();
}

void CheckVerification(bool accept, const std::string& comment,
                       const std::vector<std::string>& photos) {
    FieldErrors errors;
    if (!accept && Blank(comment)) errors.Add("comment", "must say what is still wrong");
    CheckPhotos(photos, "photo_ids", errors);
    errors.ThrowIfAny();
}

}  // namespace lantian::issues
