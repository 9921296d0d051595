#include "business_checks/service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "business_checks/store.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "identity/applicant.hpp"
#include "identity/audit_entry.hpp"
#include "identity/counter_service.hpp"
#include "identity/permissions.hpp"

namespace sp::business_checks {
namespace {

namespace json = boost::json;

std::optional<std::string> person_code(const std::string& typed) {
  std::string s;
  for (char c : typed)
    if (!std::isspace(static_cast<unsigned char>(c)))
      s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s.empty()) return s;
  const bool ok = (s.size() == 16 || s.size() == 11) && std::all_of(s.begin(), s.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) != 0;
                  });
  if (!ok) return std::nullopt;
  return s;
}

}  // namespace

Status BusinessCheckService::allowed(const identity::Principal* who, std::int64_t tenant) const {
  if (identity::applies_at_counter(who)) return Ok{};  // the case itself is checked by CaseService::get
  return identity::authorize(who, identity::Permission::backoffice, tenant);
}

Result<Check> BusinessCheckService::check(const identity::Principal* who, std::int64_t tenant,
                                          const std::string& case_id, const std::string& tax_code,
                                          const std::string& representative) {
  if (auto st = allowed(who, tenant); !st) return st.error();
  const bool counter = !identity::authorize(who, identity::Permission::backoffice, tenant);
  auto code = business_register::normalise_tax_code(tax_code);
  if (!code) return Error::for_field("business_register.tax_code", "tax_code", 400, text::trim(tax_code));
  auto person = person_code(representative);
  if (!person)
    return Error::for_field("business_register.representative", "representative", 400,
                            text::trim(representative));
  if (auto c = cases_.get(who, tenant, case_id); !c) return c.error();  // the body's case, or not found

  Check k;
  k.id = ids::uuid_v7();
  k.tenant_id = tenant;
  k.case_id = case_id;
  k.tax_code = *code;
  k.representative = *person;
  k.checked_by = who->subject;
  k.checked_at = time::format_iso_utc(clock_.now());
  auto answer = client_.lookup(*code);
  std::optional<Error> failure;
  if (answer) {
    k.outcome = "found";
    k.company = *answer;
    k.company_name = answer->name;
    k.company_status = answer->status;
    k.is_representative = !k.representative.empty() && answer->representative(k.representative) != nullptr;
    k.answer = business_register::to_json(*answer);
  } else {
    failure = answer.error();
    k.outcome = answer.error().code == "business_register.not_found" ? "not_found" : "unavailable";
    k.error_detail =
        answer.error().code + (answer.error().detail.empty() ? "" : ": " + answer.error().detail);
  }
  db_.write([&](db::Conn& tx) {
    store::insert(tx, k);
    json::object d{{"case", k.case_id},
                   {"tax_code", k.tax_code},
                   {"representative", k.representative},
                   {"outcome", k.outcome},
                   {"is_representative", k.is_representative}};
    if (counter) {
      // The assisted channel: the operator, on behalf of the citizen served (audit channel "counter").
      auto e = identity::audit_entry_for(*who, tenant, "business_register.check");
      e.record_type = "business_register_check";
      e.record_id = k.id;
      e.details = json::serialize(d);
      audit_.record_or_throw(tx, e);
    } else {
      audit_.record_or_throw(tx, identity::entry_by(*who, tenant, "business_register.check",
                                                    "business_register_check", k.id, json::serialize(d)));
    }
  });
  // The answer on the case's own history (internal note, in the office's language).
  if (k.outcome != "unavailable") {
    std::string note;
    if (k.outcome == "not_found") {
      note = i18n_.format("it", "ui.bizreg_note_not_found", {{"tax_code", k.tax_code}});
    } else {
      const std::string rep_key = k.representative.empty() ? "ui.bizreg_note_rep_none"
                                  : k.is_representative    ? "ui.bizreg_note_rep_yes"
                                                           : "ui.bizreg_note_rep_no";
      note = i18n_.format("it", "ui.bizreg_note_found",
                          {{"name", k.company_name},
                           {"tax_code", k.tax_code},
                           {"status", i18n_.t("it", "ui.bizreg_status_" + k.company_status)},
                           {"rea", k.company->chamber + "-" + k.company->rea_number},
                           {"representative", i18n_.format("it", rep_key, {{"person", k.representative}})}});
    }
    if (counter)
      (void)cases_.add_counter_note(who, tenant, case_id, note);
    else
      (void)cases_.add_note(who, tenant, case_id, note);
  }
  if (failure) return *failure;
  return k;
}

Result<std::vector<Check>> BusinessCheckService::checks(const identity::Principal* who, std::int64_t tenant,
                                                        const std::string& case_id) {
  if (auto st = allowed(who, tenant); !st) return st.error();
  if (identity::applies_at_counter(who)) {
    if (auto c = cases_.get(who, tenant, case_id); !c) return c.error();  // the citizen's own case only
  }
  std::vector<Check> out;
  db_.read([&](db::Conn& c) { out = store::for_case(c, tenant, case_id); });
  return out;
}

}  // namespace sp::business_checks
