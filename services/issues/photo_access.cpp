#include "issues/photo_access.hpp"

namespace lantian::issues {

std::string PhotoReadableSql(const std::string& sha, int first) {
    const auto p = [&](int k) { return "$" + std::to_string(first + k); };
    return "(exists (select 1 from attachment_uploads up where up.sha256 = " + sha +
           " and up.user_id = " + p(0) +
           ")"
           " or exists (select 1 from issues i"
           " where (i.photo_ids @> array[" +
           sha + "::text] or i.rectification_photo_ids @> array[" + sha +
           "::text] or i.verification_photo_ids @> array[" + sha +
           "::text])"
           " and (" +
           p(1) + "::bigint is null or i.reported_by = " + p(1) + " or i.subdistrict_id = " + p(2) +
           ") and (" + p(3) + "::bigint is null or i.lead_unit_id = " + p(3) + " or " + p(3) +
           " = any (i.co_unit_ids))))";
}

}  // namespace lantian::issues
