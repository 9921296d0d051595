#include "albo/service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <set>
#include <stdexcept>

#include "albo/pdf_text.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/pdf/document.hpp"
#include "core/text.hpp"
#include "identity/permissions.hpp"

namespace sp::albo {
namespace {

constexpr std::size_t kMaxSubject = 2000;
constexpr int kMaxDays = 365;
// Outages that can matter to a period (at most 365 days, extended by its outages).
constexpr auto kOutageHorizon = std::chrono::hours(24 * 800);
constexpr const char* kLang = "it";  // the relata and the notice are legal documents of an Italian body

Error invalid(const std::string& code, const std::string& field, const std::string& detail = {}) {
  Error e = Error::make(code, 400, detail);
  e.field = field;
  return e;
}

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

// Who acts, as stored in created_by / annulled_by / recorded_by: staff with `perm` on the body, or a
// trusted program.
Result<std::string> actor_id(const Actor& who, TenantId tenant, identity::Permission perm) {
  if (const auto* sys = std::get_if<SystemActor>(&who)) {
    if (sys->name.empty()) return Error::forbidden("system actor without a name");
    return "system:" + sys->name;
  }
  const identity::Principal* p = std::get<const identity::Principal*>(who);
  if (auto st = identity::authorize(p, perm, tenant); !st) return st.error();
  return "staff:" + p->subject;
}

void audit_albo(audit::AuditService& audit, db::Conn& tx, const Actor& who, TenantId tenant,
                const std::string& action, const std::string& id, boost::json::object details) {
  const auto a =
      identity::entry_by(who, tenant, action, "albo_publication", id, boost::json::serialize(details));
  if (auto r = audit.record(tx, a); !r) throw std::runtime_error("albo audit: " + r.error().code);
}

std::string number_text(const Publication& p) {
  return format_number(p.number) + "/" + std::to_string(p.year);
}

std::string findings_text(const std::vector<Finding>& fs) {
  boost::json::array a;
  for (const auto& f : fs)
    a.push_back(boost::json::object{{"kind", f.kind}, {"match", f.match}, {"where", f.where}});
  return boost::json::serialize(a);
}

}  // namespace

AlboService::AlboService(db::Database& db, time::Clock& clock, files::FileService& files,
                         protocollo::ProtocolService& protocol, const I18n& i18n, Options options)
    : db_(db),
      clock_(clock),
      files_(files),
      protocol_(protocol),
      i18n_(i18n),
      pdf_text_(options.pdf_text ? std::move(options.pdf_text)
                                 : PdfText([](std::string_view b) { return albo::pdf_text(b); })),
      heartbeat_gap_(options.heartbeat_gap),
      store_(db),
      audit_(db, clock) {}

std::string AlboService::text_of(const std::string& pdf) {
  // The same file comes twice when the operator confirms after the warning: read it once.
  const auto key = digest::sha256_hex(pdf);
  {
    std::lock_guard lock(text_mutex_);
    if (auto it = texts_.find(key); it != texts_.end()) return it->second;
  }
  std::string text = pdf_text_(pdf);
  std::lock_guard lock(text_mutex_);
  if (texts_.size() >= 32) texts_.clear();
  texts_.emplace(key, text);
  return text;
}

std::vector<ActType> AlboService::act_types(TenantId tenant) {
  auto own = store_.act_types(tenant);
  return own.empty() ? national_act_types() : own;
}

Result<Intake> AlboService::publish(const Actor& who, TenantId tenant, const Publishing& in) {
  auto actor = actor_id(who, tenant, identity::Permission::publish_albo);
  if (!actor) return actor.error();
  const auto& n = in.publication;
  const auto types = act_types(tenant);
  auto type =
      std::find_if(types.begin(), types.end(), [&](const ActType& t) { return t.code == n.act_type; });
  if (type == types.end()) return invalid("albo.act_type", "act_type", n.act_type);
  if (blank(n.subject) || n.subject.size() > kMaxSubject) return invalid("albo.subject", "subject");
  if (blank(n.office)) return invalid("albo.office", "office");
  if (blank(n.responsible)) return invalid("albo.responsible", "responsible");
  if (!n.act_date.empty() && !time::parse_iso_date(n.act_date)) return invalid("albo.act_date", "act_date");
  if (n.days < 0 || n.days > kMaxDays) return invalid("albo.days", "days");
  const auto today = time::rome_date(clock_.now());
  if (!n.start_day.empty()) {
    auto d = time::parse_iso_date(n.start_day);
    if (!d || *d < today) return invalid("albo.start_day", "start_day", n.start_day);
  }
  if (!n.forget_on.empty() && !time::parse_iso_date(n.forget_on))
    return invalid("albo.forget_on", "forget_on");
  int acts = 0;
  for (const auto& d : in.documents) acts += d.role == DocumentRole::act ? 1 : 0;
  if (acts != 1 || in.documents.size() > kMaxAttachments + 1) {
    auto field = in.documents.empty() ? std::string("document") : in.documents.front().field;
    return invalid("albo.documents", acts == 0 ? "document" : field);
  }
  if (!in.idempotency_key.empty() && in.idempotency_key.size() > 200)
    return invalid("albo.idempotency_key", "idempotency_key");

  // A replay needs no second look at the documents.
  if (!in.idempotency_key.empty()) {
    std::optional<Result<Intake>> replay;
    db_.read([&](db::Conn& c) {
      if (auto seen = AlboStore::idempotency(c, tenant, in.idempotency_key)) {
        if (seen->request_sha256 != in.request_sha256) {
          replay = Error::make("albo.idempotency_conflict", 422, in.idempotency_key);
        } else if (auto p = AlboStore::publication(c, tenant, seen->publication_id)) {
          replay = Intake{Published{p->id, p->year, p->number}, {}, true};
        }
      }
    });
    if (replay) return std::move(*replay);
  }

  // The personal-data warning: the subject and the PDFs' text layers.
  std::vector<Finding> findings = scan_personal_data(n.subject, "subject");
  for (const auto& d : in.documents) {
    auto more = scan_personal_data(text_of(d.bytes), d.file_name);
    findings.insert(findings.end(), more.begin(), more.end());
  }
  if (!findings.empty() && !type->personal_data && !n.personal_data_confirmed)
    return Intake{std::nullopt, std::move(findings), false};

  for (int attempt = 0;; ++attempt) {
    try {
      return db::transact(db_, [&](db::Conn& tx) -> Result<Intake> {
        if (!in.idempotency_key.empty()) {
          if (auto seen = AlboStore::idempotency(tx, tenant, in.idempotency_key)) {
            if (seen->request_sha256 != in.request_sha256)
              return Error::make("albo.idempotency_conflict", 422, in.idempotency_key);
            auto p = AlboStore::publication(tx, tenant, seen->publication_id);
            if (!p) throw std::runtime_error("albo: idempotency key without its publication");
            return Intake{Published{p->id, p->year, p->number}, {}, true};
          }
        }
        Publishing checked = in;
        auto r = publish_in(tx, who, tenant, checked, *actor, *type);
        if (!r) return r.error();
        if (!type->personal_data && !findings.empty()) r->findings = findings;
        if (!in.idempotency_key.empty())
          AlboStore::insert_idempotency(tx, tenant, in.idempotency_key, in.request_sha256, r->published->id,
                                        time::format_iso_utc_millis(clock_.now()));
        return r;
      });
    } catch (const db::DbError& err) {
      // Two requests with one key at once: the loser's transaction rolls back; the retry finds the winner.
      if (err.kind != db::DbError::Kind::unique_violation || attempt > 0 || in.idempotency_key.empty()) throw;
    }
  }
}

Result<Intake> AlboService::publish_in(db::Conn& tx, const Actor& who, TenantId tenant, const Publishing& in,
                                       const std::string& actor, const ActType& type) {
  const auto& n = in.publication;
  Publication p;
  p.id = ids::uuid_v7();
  p.tenant_id = tenant;
  p.act_type = type.code;
  p.issuer = std::string(text::trim(n.issuer));
  p.office = std::string(text::trim(n.office));
  p.responsible = std::string(text::trim(n.responsible));
  p.requester = std::string(text::trim(n.requester));
  p.subject = std::string(text::trim(n.subject));
  p.act_number = std::string(text::trim(n.act_number));
  if (!n.act_date.empty()) p.act_date = *time::parse_iso_date(n.act_date);
  p.integral = n.integral;
  p.resolution = type.resolution;
  p.days = n.days > 0 ? n.days : type.days;
  p.created_by = actor;
  p.channel = n.channel;

  files::Limits limits;
  limits.max_size = kMaxDocumentBytes;
  limits.allowed_types = {"application/pdf"};
  for (const auto& d : in.documents) {
    auto stored = files_.put(tx, tenant, d.file_name, d.bytes, limits);
    if (!stored) {
      Error e = stored.error();
      if (e.field.empty()) e.field = d.field;
      return e;
    }
    p.documents.push_back(
        {d.role, stored->file_name, stored->mime_type, stored->size, stored->sha256, stored->id});
  }
  std::stable_partition(p.documents.begin(), p.documents.end(),
                        [](const Document& d) { return d.role == DocumentRole::act; });

  // Lock first, then the time and the last number (as the protocol does): numbers follow commit order.
  AlboStore::lock_repertory(tx, tenant);
  const auto now = clock_.now();
  p.registered_at = std::chrono::floor<std::chrono::milliseconds>(now);
  p.year = static_cast<int>(time::rome_date(now).year());
  auto last = AlboStore::last_number(tx, tenant, p.year);
  if (last)
    p.number = *last + 1;
  else
    p.number = AlboStore::first_number(tx, tenant, p.year).value_or(1);

  const auto today = time::rome_date(now);
  p.start_day = n.start_day.empty() ? today : *time::parse_iso_date(n.start_day);
  p.start_at = time::rome_day_start(p.start_day);
  if (p.start_at < p.registered_at && p.start_day == today)
    p.start_at = p.registered_at;  // on the board from now
  p.base_end_at = time::rome_day_start(time::add_calendar_days(p.start_day, p.days));
  auto outages = AlboStore::outages_for(tx, tenant, p.start_at, p.start_at + kOutageHorizon);
  p.extension_days = extension_for(p.start_day, p.days, outages);
  p.end_at = time::rome_day_start(time::add_calendar_days(p.start_day, p.days + p.extension_days));
  p.forget_on =
      n.forget_on.empty() ? time::add_calendar_days(p.last_day(), 365) : *time::parse_iso_date(n.forget_on);
  if (p.forget_on <= p.last_day()) return invalid("albo.forget_on", "forget_on");
  if (n.personal_data_confirmed) {
    // What the operator confirmed is recorded with the publication (and in the audit entry).
    std::vector<Finding> all = scan_personal_data(p.subject, "subject");
    p.personal_data_flags = all.empty() ? std::string("confirmed") : findings_text(all);
    p.personal_data_confirmed_by = actor;
  }
  AlboStore::insert(tx, p);
  audit_albo(audit_, tx, who, tenant, "albo.publish", p.id,
             {{"number", number_text(p)},
              {"act_type", p.act_type},
              {"start", time::format_iso_date(p.start_day)},
              {"days", p.days},
              {"personal_data_confirmed", n.personal_data_confirmed}});
  return Intake{Published{p.id, p.year, p.number}, {}, false};
}

Status AlboService::set_act_types(const Actor& who, TenantId tenant, const std::vector<ActType>& types) {
  auto actor = actor_id(who, tenant, identity::Permission::customise_forms);
  if (!actor) return actor.error();
  std::set<std::string> known;
  for (const auto& n : national_act_types()) known.insert(n.code);
  for (const auto& c : store_.custom_act_types(tenant)) known.insert(c.code);  // this body's only
  std::set<std::string> seen;
  boost::json::array codes;
  for (const auto& t : types) {
    if (!known.contains(t.code)) return invalid("albo.act_type", "act_type", t.code);
    if (!seen.insert(t.code).second) return invalid("albo.act_types", "act_type", t.code);
    if (t.days < 1 || t.days > 365) return invalid("albo.days", "days_" + t.code);
    codes.emplace_back(t.code + ":" + std::to_string(t.days) + (t.personal_data ? ":dati" : "") +
                       (t.resolution ? ":delibera" : ""));
  }
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    AlboStore::replace_act_types(tx, tenant, types);
    audit_albo(audit_, tx, who, tenant, "albo.act_types", std::to_string(tenant), {{"types", codes}});
    return Ok{};
  });
}

Result<std::string> AlboService::add_custom_act_type(const Actor& who, TenantId tenant,
                                                     const NewActType& in) {
  auto actor = actor_id(who, tenant, identity::Permission::customise_forms);
  if (!actor) return actor.error();
  const auto bad_name = [](const std::string& n) {
    return blank(n) || n.size() > kMaxTypeName ||
           std::any_of(n.begin(), n.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
  };
  const std::string name_it = text::trim(in.name_it);
  const std::string name_en = text::trim(in.name_en).empty() ? name_it : text::trim(in.name_en);
  if (bad_name(name_it)) return invalid("albo.type_name", "name_it");
  if (bad_name(name_en)) return invalid("albo.type_name", "name_en");
  const auto code = custom_type_code(name_it);
  if (code.empty()) return invalid("albo.type_name", "name_it");
  if (in.days < 1 || in.days > 365) return invalid("albo.days", "new_days");
  const CustomActType type{code, name_it, name_en};
  auto own = store_.act_types(tenant);
  // A body still on the national vocabulary keeps it all when it adds its first type of its own.
  if (own.empty()) own = national_act_types();
  own.push_back(ActType{code, in.days, in.personal_data, in.resolution});
  auto st = db::transact(db_, [&](db::Conn& tx) -> Status {
    if (AlboStore::custom_act_type(tx, tenant, code)) return invalid("albo.type_exists", "name_it", name_it);
    AlboStore::insert_custom_act_type(tx, tenant, type, *actor, time::format_iso_utc_millis(clock_.now()));
    AlboStore::replace_act_types(tx, tenant, own);
    audit_albo(audit_, tx, who, tenant, "albo.act_type_added", code,
               {{"name_it", name_it}, {"name_en", name_en}, {"days", in.days}});
    return Ok{};
  });
  if (!st) return st.error();
  return code;
}

std::string AlboService::type_name(TenantId tenant, std::string_view lang, const std::string& code) const {
  if (!is_custom_type_code(code)) return i18n_.t(lang, "albo.type." + code);
  const auto key = std::to_string(tenant) + "/" + code;
  std::optional<CustomActType> found;
  {
    std::lock_guard lock(text_mutex_);
    if (auto it = custom_names_.find(key); it != custom_names_.end()) found = it->second;
  }
  if (!found) {
    db_.read([&](db::Conn& c) { found = AlboStore::custom_act_type(c, tenant, code); });
    if (!found) return code;  // not this body's type: shown as stored, never another body's name
    std::lock_guard lock(text_mutex_);
    custom_names_.emplace(key, *found);  // safe to keep: a custom type is never renamed
  }
  return lang == "en" ? found->name_en : found->name_it;
}

std::vector<CustomActType> AlboService::custom_act_types(TenantId tenant) {
  return store_.custom_act_types(tenant);
}

bool AlboService::numbering_open(TenantId tenant, int year) {
  bool open = false;
  db_.read([&](db::Conn& c) {
    open = !AlboStore::last_number(c, tenant, year) && !AlboStore::first_number(c, tenant, year);
  });
  return open;
}

Status AlboService::set_start_number(const Actor& who, TenantId tenant, int year, std::int64_t first) {
  auto actor = actor_id(who, tenant, identity::Permission::manage_albo);
  if (!actor) return actor.error();
  if (first < 1 || year < 2000 || year > 9999) return invalid("albo.start_number", "first_number");
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    AlboStore::lock_repertory(tx, tenant);
    if (AlboStore::last_number(tx, tenant, year) || AlboStore::first_number(tx, tenant, year))
      return Error::make("albo.start_number", 409, std::to_string(year));
    AlboStore::set_first_number(tx, tenant, year, first, *actor, time::format_iso_utc_millis(clock_.now()));
    audit_albo(audit_, tx, who, tenant, "albo.start_number", std::to_string(year),
               {{"year", year}, {"first_number", format_number(first)}});
    return Ok{};
  });
}

Status AlboService::annul(const Actor& who, TenantId tenant, const std::string& id,
                          const std::string& reason) {
  auto actor = actor_id(who, tenant, identity::Permission::manage_albo);
  if (!actor) return actor.error();
  if (blank(reason)) return invalid("albo.annulment_reason", "reason");
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    auto p = AlboStore::publication(tx, tenant, id);
    if (!p) return Error::not_found("albo publication " + id);
    const auto now = clock_.now();
    if (p->phase(now) == Phase::ended) return Error::make("albo.ended", 409, id);
    Annulment a{std::chrono::floor<std::chrono::milliseconds>(now), *actor, std::string(text::trim(reason))};
    if (AlboStore::annul(tx, tenant, id, a) != 1) return Error::make("albo.annulled", 409, id);
    audit_albo(audit_, tx, who, tenant, "albo.annul", id,
               {{"number", number_text(*p)}, {"reason", a.reason}});
    return Ok{};
  });
}

int AlboService::extend_open(db::Conn& tx, std::optional<TenantId> tenant) {
  int changed = 0;
  for (auto& p : AlboStore::open_publications(tx, tenant)) {
    auto outages = AlboStore::outages_for(tx, p.tenant_id, p.start_at, p.start_at + kOutageHorizon);
    const int ext = extension_for(p.start_day, p.days, outages);
    if (ext == p.extension_days) continue;
    const auto end = time::rome_day_start(time::add_calendar_days(p.start_day, p.days + ext));
    AlboStore::set_extension(tx, p.id, ext, end);
    audit_albo(
        audit_, tx, SystemActor{"albo"}, p.tenant_id, "albo.extend", p.id,
        {{"number", number_text(p)}, {"extension_days", ext}, {"end", time::format_iso_utc_millis(end)}});
    ++changed;
  }
  return changed;
}

Result<Outage> AlboService::record_outage(const Actor& who, TenantId tenant, const std::string& from_day,
                                          const std::string& to_day, const std::string& act) {
  auto actor = actor_id(who, tenant, identity::Permission::manage_albo);
  if (!actor) return actor.error();
  auto from = time::parse_iso_date(from_day);
  if (!from) return invalid("albo.outage", "from");
  auto to = time::parse_iso_date(to_day.empty() ? from_day : to_day);
  if (!to || *to < *from) return invalid("albo.outage", "to");
  if (blank(act)) return invalid("albo.outage_act", "act");
  Outage o;
  o.tenant_id = tenant;
  o.from_at = time::rome_day_start(*from);
  o.to_at = time::rome_day_start(time::add_calendar_days(*to, 1));
  o.source = OutageSource::manager;
  o.act = std::string(text::trim(act));
  o.recorded_by = *actor;
  o.recorded_at = std::chrono::floor<std::chrono::milliseconds>(clock_.now());
  return db::transact(db_, [&](db::Conn& tx) -> Result<Outage> {
    AlboStore::insert_outage(tx, o);
    audit_albo(audit_, tx, who, tenant, "albo.outage", from_day,
               {{"from", from_day}, {"to", time::format_iso_date(*to)}, {"act", o.act}});
    extend_open(tx, tenant);
    return o;
  });
}

Result<std::vector<Outage>> AlboService::outages(const Actor& who, TenantId tenant) {
  if (auto a = actor_id(who, tenant, identity::Permission::publish_albo); !a) return a.error();
  return store_.outages(tenant);
}

TickReport AlboService::tick() {
  TickReport report;
  const auto now = std::chrono::floor<std::chrono::milliseconds>(clock_.now());
  db_.write([&](db::Conn& tx) {
    auto last = AlboStore::heartbeat(tx);
    if (last && now - *last > heartbeat_gap_) {
      AlboStore::insert_outage(tx, Outage{0, 0, *last, now, OutageSource::heartbeat, "", "system:albo", now});
      report.outage_detected = true;
      report.extended = extend_open(tx, std::nullopt);
    }
    if (!last || now > *last) AlboStore::set_heartbeat(tx, now);
  });
  for (;;) {
    int done = 0;
    db_.write([&](db::Conn& tx) {
      for (const auto& p : AlboStore::due_to_end(tx, now, 50)) {
        AlboStore::mark_ended(tx, p.id, now);
        if (!p.annulled()) AlboStore::insert_relata(tx, Relata{p.id, p.tenant_id, now});
        audit_albo(audit_, tx, SystemActor{"albo"}, p.tenant_id, "albo.end", p.id,
                   {{"number", number_text(p)}, {"end", time::format_iso_utc_millis(p.end_at)}});
        ++done;
      }
    });
    report.ended += done;
    if (done < 50) break;
  }
  return report;
}

Result<std::vector<Publication>> AlboService::archive(const Actor& who, TenantId tenant,
                                                      const BoardQuery& q) {
  if (auto a = actor_id(who, tenant, identity::Permission::publish_albo); !a) return a.error();
  BoardQuery own = q;
  own.tenant = tenant;
  own.limit = std::clamp(q.limit, 1, 500);
  return store_.search(own, clock_.now(), true);
}

Result<StaffView> AlboService::view(const Actor& who, TenantId tenant, const std::string& id) {
  if (auto a = actor_id(who, tenant, identity::Permission::publish_albo); !a) return a.error();
  auto p = store_.publication(tenant, id);
  if (!p) return Error::not_found("albo publication " + id);
  StaffView v{std::move(*p), false, store_.relata(tenant, id)};
  if (v.publication.forgotten(clock_.now())) v.documents_hidden = true;
  return v;
}

Result<StaffView> AlboService::open_archive(const Actor& who, TenantId tenant, const std::string& id,
                                            const std::string& reason) {
  if (auto a = actor_id(who, tenant, identity::Permission::manage_albo); !a) return a.error();
  if (blank(reason)) return invalid("albo.open_reason", "reason");
  return db::transact(db_, [&](db::Conn& tx) -> Result<StaffView> {
    auto p = AlboStore::publication(tx, tenant, id);
    if (!p) return Error::not_found("albo publication " + id);
    audit_albo(audit_, tx, who, tenant, "albo.archive_open", id,
               {{"number", number_text(*p)}, {"reason", std::string(text::trim(reason))}});
    return StaffView{std::move(*p), false, AlboStore::relata(tx, tenant, id)};
  });
}

Result<std::string> AlboService::staff_document(const Actor& who, TenantId tenant, const std::string& id,
                                                std::size_t n, const std::string& reason) {
  auto v = reason.empty() ? view(who, tenant, id) : open_archive(who, tenant, id, reason);
  if (!v) return v.error();
  if (v->documents_hidden) return Error::make("albo.forgotten", 403, id);
  if (n >= v->publication.documents.size()) return Error::not_found("document");
  auto bytes = files_.read_content(tenant, v->publication.documents[n].file_id);
  if (!bytes) return bytes.error();
  if (!*bytes) return Error::not_found("document");
  return std::move(**bytes);
}

Result<std::vector<RelataRow>> AlboService::relate(const Actor& who, TenantId tenant, RelataStatus status) {
  if (auto a = actor_id(who, tenant, identity::Permission::publish_albo); !a) return a.error();
  return store_.relate(tenant, status);
}

std::string AlboService::render_relata(const Publication& p, const std::string& body_name,
                                       const std::string& confirmed_by,
                                       std::optional<time::TimePoint> confirmed_at,
                                       const std::string& protocol_text, const stamp::Block* stamp) const {
  auto t = [&](std::string_view k) { return i18n_.t(kLang, k); };
  auto f = [&](std::string_view k, const std::map<std::string, std::string>& v) {
    return i18n_.format(kLang, k, v);
  };
  pdf::Document doc({.lang = "it-IT",
                     .title = t("albo_pdf.relata_title") + " " + number_text(p),
                     .author = body_name,
                     .footer = body_name,
                     .page_label = t("pdf.page_of")});
  doc.letterhead(body_name);
  doc.heading(1, t("albo_pdf.relata_title"));
  std::vector<std::pair<std::string, std::string>> rows = {
      {t("albo_pdf.number"), number_text(p)},
      {t("albo_pdf.act_type"), type_name(p.tenant_id, kLang, p.act_type)},
      {t("albo_pdf.subject"), p.subject},
      {t("albo_pdf.issuer"), p.issuer.empty() ? body_name : p.issuer},
      {t("albo_pdf.act"),
       p.act_number + (p.act_date ? " — " + time::format_it_date(*p.act_date) : std::string())},
      {t("albo_pdf.office"), p.office},
      {t("albo_pdf.responsible"), p.responsible},
      {t("albo_pdf.start"), time::format_it_date(p.start_day)},
      {t("albo_pdf.end"), time::format_it_date(p.last_day())}};
  if (auto e = p.enforceable_on()) rows.push_back({t("albo_pdf.enforceable"), time::format_it_date(*e)});
  doc.key_values(rows);
  doc.paragraph(f("albo_pdf.attestation", {{"number", number_text(p)},
                                           {"from", time::format_it_date(p.start_day)},
                                           {"to", time::format_it_date(p.last_day())},
                                           {"days", std::to_string(p.days + p.extension_days)}}));
  if (p.extension_days > 0) {
    doc.paragraph(f("albo_pdf.extension", {{"days", std::to_string(p.extension_days)},
                                           {"base_end", time::format_it_date(p.base_last_day())},
                                           {"end", time::format_it_date(p.last_day())}}));
  }
  if (p.annulled()) doc.paragraph(f("albo_pdf.annulled", {{"reason", p.annulment->reason}}));
  doc.heading(2, t("albo_pdf.documents"));
  std::vector<std::vector<std::string>> docs;
  for (const auto& d : p.documents) docs.push_back({d.file_name, d.sha256});
  doc.table({{t("albo_pdf.file_name"), 2}, {t("albo_pdf.sha256"), 4}}, docs);
  if (confirmed_at) {
    doc.paragraph(
        f("albo_pdf.confirmed", {{"who", confirmed_by}, {"when", time::format_it_datetime(*confirmed_at)}}));
    if (!protocol_text.empty()) doc.paragraph(f("albo_pdf.protocol", {{"protocol", protocol_text}}));
  } else {
    doc.paragraph(t("albo_pdf.draft"));
  }
  if (stamp != nullptr) stamp::add_block(doc, *stamp);
  return doc.finish();
}

Result<Relata> AlboService::confirm_relata(const Actor& who, TenantId tenant, const std::string& id,
                                           const std::string& body_name) {
  auto actor = actor_id(who, tenant, identity::Permission::manage_albo);
  if (!actor) return actor.error();
  const protocollo::Aoo* aoo = nullptr;
  auto aoos = protocol_.aoos(tenant);
  for (const auto& a : aoos)
    if (a.active && aoo == nullptr) aoo = &a;
  if (aoo == nullptr) return Error::make("albo.no_aoo", 409, std::to_string(tenant));
  std::string who_name = *actor;
  if (const auto* const* p = std::get_if<const identity::Principal*>(&who)) who_name = (*p)->display_name;
  return db::transact(db_, [&](db::Conn& tx) -> Result<Relata> {
    auto r = AlboStore::relata(tx, tenant, id);
    if (!r) return Error::not_found("relata " + id);
    if (r->status != RelataStatus::waiting) return Error::make("albo.relata", 409, id);
    auto p = AlboStore::publication(tx, tenant, id);
    if (!p) return Error::not_found("albo publication " + id);
    const auto now = std::chrono::floor<std::chrono::milliseconds>(clock_.now());
    files::Limits limits;
    limits.allowed_types = {"application/pdf"};
    const std::string file_name =
        "relata_" + std::to_string(p->year) + "_" + format_number(p->number) + ".pdf";
    protocollo::NewEntry e;
    e.aoo_id = aoo->id;
    e.direction = protocollo::Direction::outgoing;
    e.subject = i18n_.t(kLang, "albo_pdf.relata_title") + " " + number_text(*p) + " — " + p->subject;
    e.correspondents = {{protocollo::CorrespondentKind::body,
                         p->requester.empty() ? (p->issuer.empty() ? body_name : p->issuer) : p->requester,
                         "", "", ""}};
    e.office = p->office;
    e.channel = protocollo::Channel::online;
    // The relata prints its own protocol number: rendered once the number is taken, under the AOO's lock
    // (a refusal here rolls everything back and the number is never used).
    std::optional<files::StoredFile> stored;
    auto primary = [&](const protocollo::Registered& reg) -> Result<protocollo::Document> {
      std::string pdf;
      if (stamps_ != nullptr) {
        // Stamped in this transaction: the stored file, its digest in the protocol and the stamp registry
        // are of the same bytes. A body without a usable stamp key confirms an unstamped relata (logged),
        // as the case letters do.
        auto issued = stamps_->issue(
            tx, stamp::IssueRequest{tenant, "albo-report", e.subject, reg.segnatura, kLang, *actor},
            [&](const stamp::Block& b) {
              return render_relata(*p, body_name, who_name, now, reg.segnatura, &b);
            });
        if (issued) {
          pdf = std::move(issued->pdf);
        } else {
          spdlog::warn("albo: relata {} confirmed without the digital stamp: {} {}", id, issued.error().code,
                       issued.error().detail);
        }
      }
      if (pdf.empty()) pdf = render_relata(*p, body_name, who_name, now, reg.segnatura);
      auto s = files_.put(tx, tenant, file_name, pdf, limits);
      if (!s) return s.error();
      stored = *s;
      return protocollo::Document{
          protocollo::DocumentRole::primary, s->file_name, s->mime_type, s->size, s->sha256, s->id, ""};
    };
    auto reg = protocol_.register_entry(tx, who, tenant, e, primary);
    if (!reg) return reg.error();
    r->status = RelataStatus::confirmed;
    r->confirmed_at = now;
    r->confirmed_by = *actor;
    r->file_id = stored->id;
    r->sha256 = stored->sha256;
    r->protocol_id = reg->id;
    r->protocol_text = reg->segnatura;
    if (AlboStore::confirm_relata(tx, *r) != 1) return Error::make("albo.relata", 409, id);
    audit_albo(audit_, tx, who, tenant, "albo.relata_confirm", id,
               {{"number", number_text(*p)}, {"sha256", r->sha256}, {"protocol", r->protocol_text}});
    return std::move(*r);
  });
}

Result<std::string> AlboService::relata_pdf(const Actor& who, TenantId tenant, const std::string& id,
                                            const std::string& body_name) {
  auto v = view(who, tenant, id);
  if (!v) return v.error();
  if (!v->relata) return Error::not_found("relata " + id);
  if (v->relata->status == RelataStatus::confirmed) {
    auto bytes = files_.read_content(tenant, v->relata->file_id);
    if (!bytes) return bytes.error();
    if (!*bytes) return Error::not_found("relata file");
    return std::move(**bytes);
  }
  return render_relata(v->publication, body_name, "", std::nullopt);
}

Result<std::string> AlboService::notice_pdf(const Actor& who, TenantId tenant, const std::string& id,
                                            const std::string& body_name) {
  auto v = view(who, tenant, id);
  if (!v) return v.error();
  const auto& p = v->publication;
  auto t = [&](std::string_view k) { return i18n_.t(kLang, k); };
  pdf::Document doc({.lang = "it-IT",
                     .title = t("albo_pdf.notice_title") + " " + number_text(p),
                     .author = body_name,
                     .footer = body_name,
                     .page_label = t("pdf.page_of")});
  doc.letterhead(body_name);
  doc.heading(1, t("albo_pdf.notice_title"));
  doc.paragraph(i18n_.format(kLang, "albo_pdf.notice_text",
                             {{"number", number_text(p)},
                              {"from", time::format_it_date(p.start_day)},
                              {"to", time::format_it_date(p.last_day())}}));
  doc.key_values({{t("albo_pdf.act_type"), type_name(p.tenant_id, kLang, p.act_type)},
                  {t("albo_pdf.subject"), p.subject},
                  {t("albo_pdf.office"), p.office},
                  {t("albo_pdf.responsible"), p.responsible}});
  return doc.finish();
}

std::vector<Publication> AlboService::board(const BoardQuery& q) {
  BoardQuery b = q;
  b.limit = std::clamp(q.limit, 1, 500);
  return store_.search(b, clock_.now(), false);
}

std::optional<Publication> AlboService::public_publication(TenantId tenant, int year, std::int64_t number) {
  auto p = store_.by_number(tenant, year, number);
  if (!p || p->phase(clock_.now()) == Phase::scheduled) return std::nullopt;
  return p;
}

Result<PublicDocument> AlboService::public_document(TenantId tenant, int year, std::int64_t number,
                                                    std::size_t n) {
  auto p = public_publication(tenant, year, number);
  if (!p || n >= p->documents.size()) return Error::not_found("albo document");
  if (p->phase(clock_.now()) != Phase::on_board) return Error::make("albo.period_ended", 410);
  auto bytes = files_.read_content(tenant, p->documents[n].file_id);
  if (!bytes) return bytes.error();
  if (!*bytes) return Error::not_found("albo document");
  Document d = p->documents[n];
  return PublicDocument{std::move(*p), std::move(d), std::move(**bytes)};
}

}  // namespace sp::albo
