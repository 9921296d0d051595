#include "hub/onboarding.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/ids.hpp"
#include "core/partita_iva.hpp"
#include "core/text.hpp"
#include "db/joined.hpp"
#include "identity/permissions.hpp"
#include "identity/session_service.hpp"
#include "payments/iban.hpp"
#include "protocollo/continuation.hpp"

namespace sp::hub {
namespace {

namespace json = boost::json;
using identity::Permission;

Error field_error(const std::string& code, const std::string& field, const std::string& detail = {}) {
  auto e = Error::make(code, 400, detail);
  e.field = field;
  return e;
}

bool all_digits(const std::string& s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool valid_host(const std::string& h) {
  if (h.empty() || h.size() > 253 || h.front() == '.' || h.back() == '.' || h.find('.') == std::string::npos)
    return false;
  return std::all_of(h.begin(), h.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

// A logo already among the static files: a relative path of safe segments ending in an image type.
bool valid_logo(const std::string& p) {
  if (p.empty()) return true;
  if (p.size() > 200 || p.front() == '/' || p.find("..") != std::string::npos) return false;
  if (!std::all_of(p.begin(), p.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '/' || c == '-' || c == '_' ||
               c == '.';
      }))
    return false;
  for (const char* ext : {".svg", ".png", ".jpg", ".jpeg", ".webp"}) {
    const std::string e(ext);
    if (p.size() > e.size() && p.compare(p.size() - e.size(), e.size(), e) == 0) return true;
  }
  return false;
}

bool valid_ipa(const std::string& s) {
  return s.size() >= 2 && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
         });
}

bool valid_email(const std::string& e) {
  auto at = e.find('@');
  return at != std::string::npos && at > 0 && at + 1 < e.size() && e.find('@', at + 1) == std::string::npos &&
         e.find('.', at) != std::string::npos && e.size() <= 254 &&
         std::none_of(e.begin(), e.end(),
                      [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

std::optional<std::int64_t> number_of(const std::string& s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(s);
}

std::string str(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (!v) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  return {};
}

// What is typed is kept as typed, apart from surrounding spaces; codes are compared in their usual case.
NewBody normalised(NewBody b) {
  for (auto* f : {&b.kind,
                  &b.name,
                  &b.slug,
                  &b.istat_code,
                  &b.belfiore_code,
                  &b.ipa_code,
                  &b.fiscal_code,
                  &b.pec,
                  &b.population,
                  &b.province,
                  &b.region,
                  &b.host_name,
                  &b.logo_path,
                  &b.color_primary,
                  &b.aoo_code,
                  &b.aoo_name,
                  &b.protocol_next_number,
                  &b.iban,
                  &b.postal_iban,
                  &b.segregation_code,
                  &b.admin_email,
                  &b.admin_name,
                  &b.package})
    *f = text::trim(*f);
  b.slug = text::to_lower_ascii(b.slug);
  b.ipa_code = text::to_lower_ascii(b.ipa_code);
  b.host_name = text::to_lower_ascii(b.host_name);
  b.admin_email = text::to_lower_ascii(b.admin_email);
  for (auto& c : b.belfiore_code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (b.color_primary.empty()) b.color_primary = "#0066CC";
  if (b.aoo_code.empty()) b.aoo_code = b.ipa_code;
  return b;
}

tenants::Body body_of(const NewBody& b, std::int64_t hub_id) {
  tenants::Body t;
  t.hub_id = hub_id;
  t.kind = tenants::parse_body_kind(b.kind).value_or(tenants::BodyKind::comune);
  t.slug = b.slug;
  t.name = b.name;
  t.istat_code = b.istat_code;
  t.belfiore_code = b.belfiore_code;
  t.fiscal_code = b.fiscal_code;
  t.pec = b.pec;
  t.logo_path = b.logo_path;
  t.color_primary = b.color_primary;
  t.population = number_of(b.population, 9).value_or(0);
  t.province = b.province;
  t.region = b.region;
  t.host_name = b.host_name;
  return t;
}

// A hub administrator acting for a program (CLI, API) where identity's services want a principal.
identity::Principal program_principal(const identity::SystemActor& sys) {
  identity::Principal p;
  p.kind = identity::PrincipalKind::staff;
  p.subject = sys.name;
  p.display_name = sys.name;
  p.tenant_id = 0;
  p.roles = {identity::Role::hub_admin};
  return p;
}

}  // namespace

std::string OnboardingService::now_iso() const {
  return time::format_iso_utc_millis(clock_.now());
}

NewBody OnboardingService::from_json(const json::object& o) {
  NewBody b;
  b.kind = str(o, "kind");
  b.name = str(o, "name");
  b.slug = str(o, "slug");
  b.istat_code = str(o, "istat_code");
  b.belfiore_code = str(o, "belfiore_code");
  b.ipa_code = str(o, "ipa_code");
  b.fiscal_code = str(o, "fiscal_code");
  b.pec = str(o, "pec");
  b.population = str(o, "population");
  b.province = str(o, "province");
  b.region = str(o, "region");
  b.host_name = str(o, "host_name");
  b.logo_path = str(o, "logo_path");
  b.logo_file_id = str(o, "logo_file");
  b.color_primary = str(o, "color_primary");
  auto sub = [&](const char* key) -> json::object {
    auto* v = o.if_contains(key);
    return v && v->is_object() ? v->as_object() : json::object{};
  };
  const auto aoo = sub("aoo");
  b.aoo_code = str(aoo, "code");
  b.aoo_name = str(aoo, "name");
  b.protocol_next_number = str(aoo, "next_number");
  const auto pay = sub("payments");
  b.iban = str(pay, "iban");
  b.postal_iban = str(pay, "postal_iban");
  b.segregation_code = str(pay, "segregation_code");
  const auto admin = sub("admin");
  b.admin_email = str(admin, "email");
  b.admin_name = str(admin, "name");
  b.package = str(o, "package");
  return b;
}

json::object OnboardingService::to_json(const NewBody& b) {
  return json::object{
      {"kind", b.kind},
      {"name", b.name},
      {"slug", b.slug},
      {"istat_code", b.istat_code},
      {"belfiore_code", b.belfiore_code},
      {"ipa_code", b.ipa_code},
      {"fiscal_code", b.fiscal_code},
      {"pec", b.pec},
      {"population", b.population},
      {"province", b.province},
      {"region", b.region},
      {"host_name", b.host_name},
      {"logo_path", b.logo_path},
      {"logo_file", b.logo_file_id},
      {"color_primary", b.color_primary},
      {"aoo", {{"code", b.aoo_code}, {"name", b.aoo_name}, {"next_number", b.protocol_next_number}}},
      {"payments",
       {{"iban", b.iban}, {"postal_iban", b.postal_iban}, {"segregation_code", b.segregation_code}}},
      {"admin", {{"email", b.admin_email}, {"name", b.admin_name}}},
      {"package", b.package},
  };
}

Status OnboardingService::validate(const NewBody& in, int step) {
  const NewBody b = normalised(in);
  auto required = [](const std::string& v, const char* field) -> Status {
    if (v.empty()) return field_error("hub.field_required", field);
    return Ok{};
  };
  if (step == 0 || step == 1) {
    auto kind = tenants::parse_body_kind(b.kind);
    if (!kind) return field_error("hub.kind", "kind", b.kind);
    if (auto st = required(b.name, "name"); !st) return st;
    if (b.name.size() > 200) return field_error("tenants.name", "name");
    if (auto st = required(b.slug, "slug"); !st) return st;
    const bool comune = *kind == tenants::BodyKind::comune;
    if (comune || !b.istat_code.empty()) {
      if (auto st = required(b.istat_code, "istat_code"); !st) return st;
      const std::size_t digits = *kind == tenants::BodyKind::provincia ? 3 : 6;
      if (!all_digits(b.istat_code, digits)) return field_error("hub.istat_code", "istat_code", b.istat_code);
    }
    if (comune || !b.belfiore_code.empty()) {
      if (auto st = required(b.belfiore_code, "belfiore_code"); !st) return st;
      const auto& c = b.belfiore_code;
      if (c.size() != 4 || c[0] < 'A' || c[0] > 'Z' || !all_digits(c.substr(1), 3))
        return field_error("hub.belfiore_code", "belfiore_code", c);
    }
    // With ISTAT's list loaded (`sportello comuni import`), a comune's codes must be one of its comuni's.
    if (comune) {
      if (auto as_of = store_.comuni_as_of()) {
        auto known = store_.comune(b.istat_code);
        if (!known) return field_error("hub.istat_unknown", "istat_code", b.istat_code + " (" + *as_of + ")");
        if (known->belfiore_code != b.belfiore_code)
          return field_error("hub.belfiore_mismatch", "belfiore_code",
                             known->name + ": " + known->belfiore_code);
      }
    }
    if (auto st = required(b.ipa_code, "ipa_code"); !st) return st;
    if (!valid_ipa(b.ipa_code)) return field_error("hub.ipa_code", "ipa_code", b.ipa_code);
    if (auto st = required(b.fiscal_code, "fiscal_code"); !st) return st;
    if (!piva::validate(b.fiscal_code)) return field_error("hub.fiscal_code", "fiscal_code", b.fiscal_code);
    if (!b.pec.empty() && !valid_email(text::to_lower_ascii(b.pec)))
      return field_error("hub.email", "pec", b.pec);
    if (!b.population.empty() && !number_of(b.population, 9))
      return field_error("hub.population", "population", b.population);
    if (!b.host_name.empty() && !valid_host(b.host_name))
      return field_error("hub.host_name", "host_name", b.host_name);
    if (!valid_logo(b.logo_path)) return field_error("hub.logo_path", "logo_path", b.logo_path);
    tenants::Body probe = body_of(b, 1);
    if (auto st = tenants::TenantService::validate(probe); !st) {
      auto e = st.error();
      if (e.field.empty())
        e.field = e.code == "tenants.slug" ? "slug" : e.code == "tenants.color" ? "color_primary" : "name";
      return e;
    }
    if (tenants_.by_slug(b.slug)) return field_error("hub.slug_taken", "slug", b.slug);
    // One body per fiscal code: it is also the body's pagoPA creditor code.
    for (const auto& other : tenants_.snapshot()->bodies)
      if (other->fiscal_code == b.fiscal_code)
        return field_error("hub.fiscal_code_taken", "fiscal_code", b.fiscal_code);
    if (!b.host_name.empty() && tenants_.by_host(b.host_name))
      return field_error("hub.host_taken", "host_name", b.host_name);
  }
  if (step == 0 || step == 2) {
    if (auto st = required(b.aoo_code, "aoo_code"); !st) return st;
    if (!valid_ipa(text::to_lower_ascii(b.aoo_code)))
      return field_error("hub.ipa_code", "aoo_code", b.aoo_code);
    if (auto st = required(b.aoo_name, "aoo_name"); !st) return st;
    if (b.aoo_name.size() > 200 || b.aoo_name.find_first_of("\r\n") != std::string::npos)
      return field_error("hub.field_required", "aoo_name");
    if (!b.protocol_next_number.empty()) {
      auto n = number_of(b.protocol_next_number, 7);
      if (!n || *n < 1)
        return field_error("hub.protocol_number", "protocol_next_number", b.protocol_next_number);
    }
  }
  if (step == 0 || step == 3) {
    if (auto st = required(b.iban, "iban"); !st) return st;
    if (auto r = payments::validate_iban(b.iban); !r) return field_error(r.error().code, "iban", b.iban);
    if (!b.postal_iban.empty())
      if (auto r = payments::validate_postal_iban(b.postal_iban); !r)
        return field_error(r.error().code, "postal_iban", b.postal_iban);
    if (auto st = required(b.segregation_code, "segregation_code"); !st) return st;
    // Two digits; 97 (SUAP), 98 (ANPR certificates) and 99 (CIE) are reserved nationally (SPEC §4).
    if (!all_digits(b.segregation_code, 2) || b.segregation_code == "97" || b.segregation_code == "98" ||
        b.segregation_code == "99")
      return field_error("hub.segregation_code", "segregation_code", b.segregation_code);
  }
  if (step == 0 || step == 4) {
    if (auto st = required(b.admin_email, "admin_email"); !st) return st;
    if (!valid_email(b.admin_email)) return field_error("hub.email", "admin_email", b.admin_email);
    if (auto st = required(b.admin_name, "admin_name"); !st) return st;
    if (staff_.account_by_email(b.admin_email))
      return field_error("hub.email_taken", "admin_email", b.admin_email);
  }
  if (step == 0 || step == 5) {
    if (auto st = required(b.package, "package"); !st) return st;
    auto p = packages_.package(b.package);
    if (!p) return field_error("hub.package_unknown", "package", b.package);
  }
  return Ok{};
}

Result<Draft> OnboardingService::create_draft(const identity::Principal* who) {
  if (auto st = identity::authorize(who, Permission::manage_hub, 0); !st) return st.error();
  Draft d;
  d.id = ids::random_token(16);
  d.created_by = who->subject;
  d.created_at = d.updated_at = now_iso();
  d.step = 1;
  d.progress = "{}";
  db_.write([&](db::Conn& tx) {
    store_.insert_draft(tx, d, json::serialize(to_json(d.body)));
    audit_.record_or_throw(tx, identity::entry_by(*who, 0, "onboarding.draft_created", "onboarding", d.id));
  });
  return d;
}

Result<Draft> OnboardingService::draft(const identity::Principal* who, const std::string& id) {
  if (auto st = identity::authorize(who, Permission::manage_hub, 0); !st) return st.error();
  auto row = store_.draft(id);
  if (!row) return Error::not_found("draft");
  Draft d = row->first;
  boost::system::error_code ec;
  auto v = json::parse(row->second, ec);
  if (!ec && v.is_object()) d.body = from_json(v.as_object());
  return d;
}

Result<std::vector<Draft>> OnboardingService::drafts(const identity::Principal* who) {
  if (auto st = identity::authorize(who, Permission::manage_hub, 0); !st) return st.error();
  std::vector<Draft> out;
  for (auto& [d, data] : store_.open_drafts()) {
    Draft x = d;
    boost::system::error_code ec;
    auto v = json::parse(data, ec);
    if (!ec && v.is_object()) x.body = from_json(v.as_object());
    out.push_back(std::move(x));
  }
  return out;
}

Result<Draft> OnboardingService::save_step(const identity::Principal* who, const std::string& id, int step,
                                           const NewBody& b) {
  auto d = draft(who, id);
  if (!d) return d.error();
  if (!d->completed_at.empty()) return Error::make("hub.draft_done", 409, id);
  if (step < 1 || step > kSteps) return Error::not_found("step");
  d->body = b;
  auto st = validate(b, step);
  if (st && step >= d->step) d->step = std::min(step + 1, kSteps);
  d->updated_at = now_iso();
  db_.write([&](db::Conn& tx) { store_.update_draft(tx, *d, json::serialize(to_json(d->body))); });
  if (!st) return st.error();
  return d;
}

Result<Onboarded> OnboardingService::finish(const identity::Principal* who, const std::string& id) {
  auto d = draft(who, id);
  if (!d) return d.error();
  if (!d->completed_at.empty()) return Error::make("hub.draft_done", 409, id);
  return make_tracked(who, *d);
}

Result<Onboarded> OnboardingService::make_tracked(const identity::Actor& who, Draft& d) {
  boost::system::error_code ec;
  auto pv = json::parse(d.progress.empty() ? "{}" : d.progress, ec);
  json::object progress = !ec && pv.is_object() ? pv.as_object() : json::object{};
  auto save = [&](const json::object& p, tenants::TenantId tenant) {
    d.progress = json::serialize(p);
    d.tenant_id = tenant;
    d.updated_at = now_iso();
    db_.write([&](db::Conn& tx) { store_.update_draft(tx, d, json::serialize(to_json(d.body))); });
  };
  try {
    auto made = make(Parts{db_, tenants_, protocol_, payments_, staff_, packages_, audit_}, who, d.body,
                     progress, save);
    if (!made) return made.error();
    d.completed_at = now_iso();
    save(progress, made->tenant_id);
    return made;
  } catch (const std::exception&) {
    // What was made is in the draft (saved after each part): finishing it continues from there.
    return Error::make("hub.stopped", 503, d.id);
  }
}

Result<Onboarded> OnboardingService::add(const identity::Actor& who, const NewBody& b,
                                         std::string* draft_id) {
  if (const auto* staff = std::get_if<const identity::Principal*>(&who)) {
    if (auto st = identity::authorize(*staff, Permission::manage_hub, 0); !st) return st.error();
  } else if (std::get<identity::SystemActor>(who).name.empty()) {
    return Error::forbidden("system actor without a name");
  }
  // A body refused by the checks leaves nothing behind, not even a draft.
  if (auto st = validate(normalised(b)); !st) return st.error();
  Draft d;
  d.id = ids::random_token(16);
  if (const auto* staff = std::get_if<const identity::Principal*>(&who))
    d.created_by = (*staff)->subject;
  else
    d.created_by = "system:" + std::get<identity::SystemActor>(who).name;
  d.created_at = d.updated_at = now_iso();
  d.step = kSteps;
  d.body = b;
  d.progress = "{}";
  db_.write([&](db::Conn& tx) { store_.insert_draft(tx, d, json::serialize(to_json(d.body))); });
  if (draft_id != nullptr) *draft_id = d.id;
  return make_tracked(who, d);
}

Result<std::vector<Onboarded>> OnboardingService::add_all(const identity::Actor& who,
                                                          const std::vector<NewBody>& bodies,
                                                          std::vector<BulkError>& errors,
                                                          std::vector<Onboarded>& made) {
  std::set<std::string> slugs, hosts, emails, fiscal_codes, ipa_codes;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    const auto b = normalised(bodies[i]);
    if (auto st = validate(b); !st) {
      errors.push_back({i, st.error(), {}});
      continue;
    }
    if (!slugs.insert(b.slug).second)
      errors.push_back({i, field_error("hub.slug_taken", "slug", b.slug), {}});
    else if (!b.host_name.empty() && !hosts.insert(b.host_name).second)
      errors.push_back({i, field_error("hub.host_taken", "host_name", b.host_name), {}});
    else if (!emails.insert(b.admin_email).second)
      errors.push_back({i, field_error("hub.email_taken", "admin_email", b.admin_email), {}});
    else if (!fiscal_codes.insert(b.fiscal_code).second)
      errors.push_back({i, field_error("hub.fiscal_code_taken", "fiscal_code", b.fiscal_code), {}});
    else if (!ipa_codes.insert(b.ipa_code).second)
      errors.push_back({i, field_error("hub.ipa_code_taken", "ipa_code", b.ipa_code), {}});
  }
  if (!errors.empty()) return errors.front().error;

  // All or nothing: every body made inside one write transaction, by services built on it (db::Joined),
  // so a failure in any body — the last one's included — rolls back every body of the request: no body,
  // account, AOO, creditor, package, ledger row, audit entry or draft is left. Each made body is recorded
  // as a completed onboarding draft in the same transaction.
  const std::string actor_name = std::get_if<const identity::Principal*>(&who)
                                     ? (*std::get_if<const identity::Principal*>(&who))->subject
                                     : "system:" + std::get<identity::SystemActor>(who).name;
  std::size_t at = 0;
  std::optional<Error> refusal;
  std::vector<Onboarded> out;
  struct Refused {};
  try {
    db_.write([&](db::Conn& tx) {
      out.clear();
      db::Joined joined(tx);
      audit::KeyBinding keyed(joined, audit_.key());  // the services' own audit services write keyed
      tenants::TenantService tenants(joined);
      tenants.reload();
      protocollo::ProtocolService protocol(joined, clock_);
      payments::PaymentsService payments(joined, clock_);
      identity::SessionService sessions(joined, clock_);
      identity::StaffService staff(joined, sessions, clock_, staff_.policy());
      audit::AuditService audit(joined, clock_, audit_.key());
      staff.set_audit(&audit);
      Capabilities can;
      can.online = packages_.capabilities().online;
      can.creditor = [&payments](tenants::TenantId t) { return static_cast<bool>(payments.creditor(t)); };
      PackagesService packages(joined, clock_, tenants, packages_.catalog(), audit, std::move(can));
      const Parts parts{joined, tenants, protocol, payments, staff, packages, audit, false};
      for (at = 0; at < bodies.size(); ++at) {
        json::object progress;
        auto r = make(parts, who, bodies[at], progress, [](const json::object&, tenants::TenantId) {});
        if (!r) {
          refusal = r.error();
          throw Refused{};
        }
        Draft d;
        d.id = ids::random_token(16);
        d.created_by = actor_name;
        d.created_at = d.updated_at = d.completed_at = now_iso();
        d.step = kSteps;
        d.body = bodies[at];
        d.progress = json::serialize(progress);
        d.tenant_id = r->tenant_id;
        store_.insert_draft(tx, d, json::serialize(to_json(d.body)));
        out.push_back(*r);
      }
    });
  } catch (const Refused&) {
    errors.push_back({at, *refusal, {}});
    return *refusal;
  } catch (const std::exception&) {
    // A system error (the database) while making body `at`: nothing of the request was kept.
    auto e = Error::make("hub.not_made", 503, std::to_string(at + 1));
    errors.push_back({at, e, {}});
    return e;
  }
  tenants_.reload();  // the new portals are served at once; cached catalog pages follow the version
  for (const auto& b : bodies) (void)staff_.request_password_reset(normalised(b).admin_email);
  made = out;
  return made;
}

Result<Onboarded> OnboardingService::make(
    const Parts& x, const identity::Actor& who, const NewBody& in, json::object& progress,
    const std::function<void(const json::object&, tenants::TenantId)>& save) {
  const auto* staff = std::get_if<const identity::Principal*>(&who);
  if (staff) {
    if (auto st = identity::authorize(*staff, Permission::manage_hub, 0); !st) return st.error();
  } else if (std::get<identity::SystemActor>(who).name.empty()) {
    return Error::forbidden("system actor without a name");
  }
  const NewBody b = normalised(in);
  tenants::TenantId tenant = progress.contains("body") ? progress.at("body").as_int64() : 0;
  if (tenant == 0) {
    if (auto st = validate(b); !st) return st.error();
  }
  const identity::Principal program =
      program_principal(staff ? identity::SystemActor{} : std::get<identity::SystemActor>(who));
  const identity::Principal* acting = staff ? *staff : &program;

  if (tenant == 0) {
    auto snap = x.tenants.snapshot();
    const std::int64_t hub_id = snap->hubs.empty() ? 0 : snap->hubs.front().id;
    auto id = x.tenants.create_body(body_of(b, hub_id));
    if (!id) return id.error();
    tenant = *id;
    progress["body"] = tenant;
    x.db.write([&](db::Conn& tx) {
      json::object o{{"slug", b.slug}, {"name", b.name}, {"ipa_code", b.ipa_code}};
      x.audit.record_or_throw(tx, identity::entry_by(who, tenant, "onboarding.body_created", "body",
                                                     std::to_string(tenant), json::serialize(o)));
    });
    save(progress, tenant);
  }
  if (!progress.contains("aoo")) {
    // The body's IPA code is its AOO's CodiceAmministrazione (segnatura, daily register, OIDC client).
    auto aoo = x.protocol.create_aoo(tenant, b.ipa_code, text::to_lower_ascii(b.aoo_code), b.aoo_name);
    if (!aoo) return aoo.error();
    if (auto n = number_of(b.protocol_next_number, 7); n && *n > 1) {
      const int year = static_cast<int>(time::rome_date(clock_.now()).year());
      if (auto st = protocollo::continue_numbering(x.db, tenant, aoo->id, year, *n); !st) return st.error();
    }
    progress["aoo"] = aoo->id;
    save(progress, tenant);
  }
  if (!progress.contains("creditor") && !b.iban.empty()) {
    payments::Creditor c;
    c.tenant_id = tenant;
    c.fiscal_code = b.fiscal_code;
    c.company_name = b.name;
    c.office_name = b.name;
    c.segregation_codes = {b.segregation_code};
    c.iban = payments::normalize_iban(b.iban);
    c.postal_iban = b.postal_iban.empty() ? std::string() : payments::normalize_iban(b.postal_iban);
    auto snap = x.tenants.snapshot();
    const std::string broker = !snap->hubs.empty() && !snap->hubs.front().fiscal_code.empty()
                                   ? snap->hubs.front().fiscal_code
                                   : b.fiscal_code;
    c.broker_id = broker;
    c.station_id = broker + "_01";
    if (auto st = x.payments.set_creditor(identity::SystemActor{"onboarding"}, c); !st) return st.error();
    progress["creditor"] = true;
    save(progress, tenant);
  }
  if (!progress.contains("admin")) {
    identity::NewStaff s;
    s.tenant_id = tenant;
    s.email = b.admin_email;
    s.display_name = b.admin_name;
    // Nobody knows this password: the administrator chooses theirs from the invitation.
    s.password = ids::random_token(24) + "aA1!";
    s.roles = {identity::Role::body_admin};
    auto account = x.staff.create(acting, s);
    if (!account) return account.error();
    progress["admin"] = account->id;
    save(progress, tenant);
    // The invitation: a link to choose a password (sent by the caller once a bulk transaction commits).
    if (x.invite) (void)staff_.request_password_reset(b.admin_email);
  }
  if (!progress.contains("package")) {
    const identity::Actor assigner =
        staff ? identity::Actor{*staff} : identity::Actor{identity::SystemActor{program.subject}};
    if (auto st = x.packages.assign(assigner, tenant, b.package); !st) return st.error();
    progress["package"] = b.package;
    save(progress, tenant);
  }
  return Onboarded{tenant, b.slug, std::string(progress.at("admin").as_string())};
}

}  // namespace sp::hub
