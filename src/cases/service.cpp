#include "messaging/service.hpp"

#include <date/date.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <stdexcept>

#include "adapters/messaging/outbox.hpp"
#include "cases/pdf.hpp"
#include "cases/service_detail.hpp"
#include "core/ids.hpp"
#include "core/money.hpp"
#include "forms/context.hpp"
#include "identity/applicant.hpp"
#include "identity/permissions.hpp"

namespace sp::cases {
using namespace service_detail;

CaseService::CaseService(db::Database& db, time::Clock& clock, protocollo::ProtocolService& protocol,
                         files::FileService& files, catalog::CatalogService& catalog,
                         tenants::TenantService& tenants, identity::ProfileService* profiles, Options options)
    : db_(db),
      clock_(clock),
      protocol_(protocol),
      files_(files),
      catalog_(catalog),
      tenants_(tenants),
      profiles_(profiles),
      options_(std::move(options)),
      store_(db),
      audit_(db, clock) {
  // A broken template stops the start, not a decision (data/decisions/README.md).
  auto loaded = DecisionTemplates::load_dir(options_.decisions_dir);
  if (!loaded) throw std::runtime_error("decision templates: " + loaded.error().detail);
  decisions_ = std::move(*loaded);
  i18n_.load(options_.locales_dir);
}

Recipient CaseService::recipient_of(const std::string& cf, tenants::TenantId tenant) {
  Recipient r;
  r.preferred = "none";
  if (profiles_ == nullptr || cf.empty()) return r;
  auto p = profiles_->show(cf);
  if (!p) return r;
  if (!p->email.empty() && !p->email_verified_at.empty()) r.email = p->email;
  if (!p->mobile.empty() && !p->mobile_verified_at.empty()) r.mobile = p->mobile;
  r.preferred = p->preferred_channel;
  if (options_.language_of) r.lang = options_.language_of(cf) == "en" ? "en" : "it";
  if (messaging_ != nullptr) {
    std::vector<std::string> types;
    for (const auto& t : messaging::message_types())
      if (t.name.rfind("case.", 0) == 0) types.emplace_back(t.name);
    r.routed = true;
    r.plans = messaging_->plans(cf, types);
    r.texts = messaging_->raw_texts(tenant, r.lang);
    const auto b = messaging_->body_contacts(tenant);
    r.body_values = {{"body_email", b.email.empty() ? "—" : b.email},
                     {"body_pec", b.pec.empty() ? "—" : b.pec},
                     {"body_phone", b.phone.empty() ? "—" : b.phone}};
  }
  return r;
}

namespace {

// The label of `value` among `options`; the value itself when none matches.
boost::json::value option_label(const std::vector<forms::Option>& options, const boost::json::value& value,
                                std::string_view lang) {
  if (!value.is_string()) return value;
  for (const auto& o : options) {
    if (o.value == value.as_string()) return boost::json::value(o.label.in(lang));
  }
  return value;
}

void label_fields(const forms::Definition& def, const std::vector<const forms::Field*>& fields,
                  boost::json::object& answers, std::string_view lang) {
  const forms::Context none;
  for (const auto* f : fields) {
    auto* v = answers.if_contains(f->name);
    if (v == nullptr) continue;
    if (f->type == forms::FieldType::choice) {
      *v = option_label(forms::options_of(def, *f, none), *v, lang);
    } else if (f->type == forms::FieldType::multi_choice && v->is_array()) {
      const auto options = forms::options_of(def, *f, none);
      for (auto& x : v->as_array()) x = option_label(options, x, lang);
    } else if (f->type == forms::FieldType::group && v->is_array()) {
      std::vector<const forms::Field*> children;
      for (const auto& child : f->fields) children.push_back(&child);
      for (auto& item : v->as_array()) {
        if (item.is_object()) label_fields(def, children, item.as_object(), lang);
      }
    }
  }
}

}  // namespace

boost::json::object CaseService::labelled_answers(const Case& c, std::string_view lang) {
  boost::json::object out = c.answers;
  if (definitions_ == nullptr) return out;
  auto eff = definitions_->effective(c.tenant_id, c.form_code);
  if (!eff || !eff->def) return out;
  // The hub version the case was filled with, with the body's lists in force now.
  std::shared_ptr<const forms::Definition> def = eff->def;
  if (eff->hub_version != c.form_version) {
    if (auto then = definitions_->at(c.tenant_id, c.form_code, c.form_version, eff->overlay_version))
      def = then;
  }
  label_fields(*def, def->fields(), out, lang);
  return out;
}

boost::json::object CaseService::labelled_answers_of(tenants::TenantId tenant, const std::string& case_id,
                                                     std::string_view lang) {
  if (definitions_ == nullptr) return {};
  std::optional<Case> c;
  db_.read([&](db::Conn& k) { c = CaseStore::find(k, tenant, case_id); });
  return c ? labelled_answers(*c, lang) : boost::json::object();
}

NoticeContext CaseService::notice_context(tenants::TenantId tenant, const Case& c, time::TimePoint at) {
  return {i18n_, clock_, body_name(tenants_, tenant),
          options_.public_url + "/area-personale/pratiche/" + body_slug(tenants_, tenant) + "/" + c.id, at};
}

// ---- Applying an action ----------------------------------------------------------------------------------

Status CaseService::apply(const identity::Principal* who, tenants::TenantId tenant,
                          const std::string& case_id, Action action, const std::string& reason,
                          const Change& change) {
  if (who == nullptr) return Error::make("auth.required", 401, std::string(to_string(action)));
  // Reads that must not happen inside the write: the registry office and the applicant's e-mail.
  std::optional<protocollo::AooId> aoo;
  if (change.needs_aoo) {
    aoo = case_aoo(protocol_, tenant);
    if (!aoo) return Error::make("cases.no_aoo", 503, std::to_string(tenant));
  }
  Recipient recipient;
  recipient.preferred = "none";
  if (change.notice && profiles_ != nullptr) {
    if (auto cf = store_.applicant_of(tenant, case_id)) recipient = recipient_of(*cf, tenant);
  }
  bool refused = false;  // a person asked for someone else's case: audited below
  Status out = db::transact(db_, [&](db::Conn& tx) -> Status {
    auto c = CaseStore::find(tx, tenant, case_id);
    if (!c) {
      // Staff of another body learn nothing more than "forbidden"; everyone else "not found".
      if (who->is_staff() && !identity::authorize(who, identity::Permission::backoffice, tenant) &&
          applicant_cf_of(who).empty())
        return Error::forbidden("case");
      return Error::not_found("case " + case_id);
    }
    auto acc = access_to(who, tenant, *c);
    if (!acc) {
      if (acc.error().http_status == 404) refused = true;
      return acc.error();
    }
    if ((change.by == Change::By::staff && !acc->staff) ||
        (change.by == Change::By::applicant && acc->staff)) {
      return Error::make("cases.applicant", 403, std::string(to_string(action)));
    }
    auto next = next_state(c->state, action);
    if (!next) {
      return Error::make("cases.transition", 409,
                         std::string(to_string(c->state)) + " → " + std::string(to_string(action)));
    }
    const auto now = clock_.now();
    const auto today = time::rome_date(now);
    const Case before = *c;
    if (change.mutate) {
      if (auto st = change.mutate(*c, today); !st) return st.error();
    }
    c->state = *next;
    const time::TimePoint at = stored_instant(now);
    if (!is_open(c->state) && !c->decided_at) c->decided_at = at;
    // The queue marks a case whose applicant has answered until the office acts on it (assigning
    // it to someone is not yet acting on the answer).
    if (!acc->staff && (action == Action::answer_additions || action == Action::answer_grounds)) {
      c->applicant_answered_at = at;
    } else if (acc->staff && action != Action::assign) {
      c->applicant_answered_at.reset();
    }
    if (CaseStore::update_case(tx, *c, keys_of(*c), before.version) != 1)
      return Error::make("cases.conflict", 409, case_id);
    c->version = before.version + 1;
    CaseStore::insert_transition(
        tx, tenant,
        {0, c->id, before.state, c->state, std::string(to_string(action)), acc->actor, at, reason});
    RecordContext ctx{tx, who, *acc, aoo.value_or(0), now, at, {}, &i18n_, stamps_};
    if (change.record) {
      if (auto st = change.record(ctx, *c); !st) return st.error();
    }
    if (auto st = audit_case(audit_, tx, tenant, *acc, *c, "case." + std::string(to_string(action)),
                             json_details({{"from", std::string(to_string(before.state))},
                                           {"to", std::string(to_string(c->state))}}));
        !st)
      return st.error();
    if (change.notice) {
      Notice n = change.notice(*c);
      for (auto& [k, v] : ctx.notice_values) n.values.insert_or_assign(k, v);
      n.documents = ctx.notice_documents;
      send_notice(tx, notice_context(tenant, *c, ctx.at), *c, recipient, n);
    }
    return Ok{};
  });
  if (refused) note_refused(who, tenant, case_id);
  if (out && change.notice && notifier_) notifier_();
  return out;
}

}  // namespace sp::cases
