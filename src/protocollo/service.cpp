#include "protocollo/service.hpp"

#include <date/date.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <sstream>
#include <stdexcept>

#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "files/mime.hpp"
#include "identity/permissions.hpp"
#include "protocollo/continuation.hpp"
#include "protocollo/interop_store.hpp"

namespace sp::protocollo {
namespace {

constexpr std::size_t kMaxSubject = 2000;
constexpr int kMaxPage = 500;

Error invalid(const std::string& code, const std::string& field, const std::string& detail) {
  Error e = Error::make(code, 400, detail);
  e.field = field;
  return e;
}

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

bool is_sha256_hex(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// The registering actor's id as stored in registered_by / annulled_by / history.who, or the refusal.
Result<std::string> actor_id(const Actor& who, tenants::TenantId tenant) {
  if (const auto* sys = std::get_if<SystemActor>(&who)) {
    if (sys->name.empty()) return Error::forbidden("system actor without a name");
    return "system:" + sys->name;
  }
  const identity::Principal* p = std::get<const identity::Principal*>(who);
  if (auto st = identity::authorize(p, identity::Permission::backoffice, tenant); !st) return st.error();
  return "staff:" + p->subject;
}

Status staff_of(const Actor& who, tenants::TenantId tenant) {
  auto actor = actor_id(who, tenant);
  return actor ? Status(Ok{}) : Status(actor.error());
}

// The audit record of a change to the registry, written in the same transaction as the change.
void audit_change(audit::AuditService& audit, db::Conn& tx, const Actor& who, tenants::TenantId tenant,
                  const std::string& action, const std::string& entry_id, const std::string& details) {
  const auto a = identity::entry_by(who, tenant, action, "protocol_entry", entry_id, details);
  if (auto r = audit.record(tx, a); !r) throw std::runtime_error("protocollo audit: " + r.error().code);
}

std::string json_details(std::initializer_list<std::pair<const char*, std::string>> kv) {
  boost::json::object o;
  for (const auto& [k, v] : kv) o[k] = v;
  return boost::json::serialize(o);
}

// Normalises a search bound to the stored spelling (milliseconds, Z) so text comparison orders correctly.
Result<std::string> normalise_instant(const std::string& s, const char* field) {
  if (s.empty()) return std::string();
  if (s.size() == 10) {  // a plain date: the start of that day in Rome
    auto d = time::parse_iso_date(s);
    if (!d) return invalid("protocollo.search", field, d.error().detail);
    return time::format_iso_utc_millis(time::rome_day_start(*d));
  }
  auto tp = time::parse_iso_utc(s);
  if (!tp) return invalid("protocollo.search", field, tp.error().detail);
  return time::format_iso_utc_millis(*tp);
}

}  // namespace

Status ProtocolService::validate(const NewEntry& e) {
  if (blank(e.subject)) return invalid("protocollo.subject", "subject", "empty");
  if (e.subject.size() > kMaxSubject) return invalid("protocollo.subject", "subject", "too long");
  if (e.correspondents.empty()) return invalid("protocollo.correspondents", "correspondents", "none");
  for (const auto& c : e.correspondents) {
    if (blank(c.name)) return invalid("protocollo.correspondents", "correspondents", "name empty");
    // Another administration's IPA codes (docs/protocollo-interop.md, "Outside the hub"): both or neither,
    // as the Indice PA writes them; its PEC address, when given, a mailbox address. The web form, the API
    // and the CLI all come here, so each gets the same localised refusal.
    if (!c.ipa_code.empty() || !c.aoo_code.empty()) {
      if (!is_ipa_code(c.ipa_code) || !is_ipa_code(c.aoo_code))
        return invalid("protocollo.external_codes", "correspondent_ipa", c.ipa_code + "/" + c.aoo_code);
      if (!c.pec.empty() && !is_pec_address(c.pec))
        return invalid("protocollo.external_pec", "correspondent_pec", c.pec);
    }
  }
  int primaries = 0;
  for (const auto& d : e.documents) {
    if (d.role == DocumentRole::primary) ++primaries;
    if (blank(d.file_name)) return invalid("protocollo.document", "documents", "file name empty");
    if (blank(d.mime_type)) return invalid("protocollo.document", "documents", "mime type empty");
    // The type reaches the segnatura and a download's Content-Type: only a real `type/subtype`.
    if (files::normalize_media_type(d.mime_type) != d.mime_type)
      return invalid("protocollo.mime_type", "documents", "not a lower-case type/subtype");
    if (!d.declared_mime_type.empty() && !files::normalize_media_type(d.declared_mime_type))
      return invalid("protocollo.mime_type", "documents", "declared type");
    if (d.size < 0) return invalid("protocollo.document", "documents", "negative size");
    if (!is_sha256_hex(d.sha256)) return invalid("protocollo.document", "documents", "sha256: " + d.sha256);
  }
  if (primaries > 1) return invalid("protocollo.documents", "documents", "more than one primary document");
  if (e.direction != Direction::internal && primaries == 0)
    return invalid("protocollo.documents", "documents", "no primary document");
  if (primaries == 0 && !e.documents.empty())
    return invalid("protocollo.documents", "documents", "attachments without a primary document");
  if (!e.sender_protocol_date.empty() && !time::parse_iso_date(e.sender_protocol_date))
    return invalid("protocollo.sender_protocol_date", "sender_protocol_date", e.sender_protocol_date);
  return Ok{};
}

Result<Aoo> ProtocolService::create_aoo(tenants::TenantId tenant, const std::string& admin_code,
                                        const std::string& code, const std::string& name,
                                        std::optional<time::TimePoint> active_since) {
  if (blank(code) || blank(admin_code) || blank(name)) return invalid("protocollo.aoo_code", "code", "empty");
  // Both codes end up in the segnatura, file names and headers (a register's download): IPA codes are
  // short runs of letters, digits and a few separators, and nothing else is accepted.
  if (!is_ipa_code(code)) return invalid("protocollo.aoo_code", "code", "AOO code");
  if (!is_ipa_code(admin_code)) return invalid("protocollo.aoo_code", "admin_code", "IPA code");
  if (name.find_first_of("\r\n") != std::string::npos) return invalid("protocollo.aoo_code", "name", "name");
  Aoo a{0, tenant, admin_code, code, name, true};
  try {
    db_.write([&](db::Conn& tx) {
      a.id =
          ProtocolStore::insert_aoo(tx, a, time::format_iso_utc_millis(active_since.value_or(clock_.now())));
    });
  } catch (const db::DbError& e) {
    if (e.kind == db::DbError::Kind::unique_violation) return Error::make("protocollo.aoo_exists", 409, code);
    throw;
  }
  return a;
}

Result<Registered> ProtocolService::register_entry(db::Conn& tx, const Actor& who, tenants::TenantId tenant,
                                                   const NewEntry& in) {
  return register_in(tx, who, tenant, in, nullptr);
}

Result<Registered> ProtocolService::register_entry(db::Conn& tx, const Actor& who, tenants::TenantId tenant,
                                                   NewEntry e, const PrimaryDocument& primary) {
  return register_in(tx, who, tenant, e, &primary);
}

Result<Registered> ProtocolService::register_in(db::Conn& tx, const Actor& who, tenants::TenantId tenant,
                                                const NewEntry& in, const PrimaryDocument* primary) {
  auto actor = actor_id(who, tenant);
  if (!actor) return actor.error();
  if (primary != nullptr) {
    // Everything but the primary document is checked before a number is taken.
    NewEntry probe = in;
    probe.documents.insert(probe.documents.begin(), Document{DocumentRole::primary, "documento.pdf",
                                                             "application/pdf", 1, std::string(64, '0'), ""});
    if (auto st = validate(probe); !st) return st.error();
  } else if (auto st = validate(in); !st) {
    return st.error();
  }
  auto aoo = ProtocolStore::aoo(tx, tenant, in.aoo_id);
  if (!aoo || !aoo->active) return Error::make("protocollo.aoo", 404, std::to_string(in.aoo_id));
  // An administration outside the hub is written to by PEC unless it publishes SOAP interfaces: its AOO's
  // PEC address is required (an office of the hub is reached internally and needs none).
  for (const auto& c : in.correspondents) {
    if (c.ipa_code.empty() || !c.pec.empty() || in.direction == Direction::incoming) continue;
    if (soap_reach_ && soap_reach_(c.ipa_code, c.aoo_code)) continue;
    if (InteropStore::hub_offices(tx, c.ipa_code, c.aoo_code).empty())
      return invalid("protocollo.external_pec", "correspondent_pec", c.ipa_code + "/" + c.aoo_code);
  }

  Entry e;
  e.id = ids::uuid_v7();
  e.tenant_id = tenant;
  e.aoo_id = aoo->id;
  e.aoo_code = aoo->code;
  e.admin_code = aoo->admin_code;
  e.direction = in.direction;
  e.subject = in.subject;
  e.correspondents = in.correspondents;
  e.documents = in.documents;
  std::stable_partition(e.documents.begin(), e.documents.end(),
                        [](const Document& d) { return d.role == DocumentRole::primary; });
  e.sender_protocol_number = in.sender_protocol_number;
  if (!in.sender_protocol_date.empty()) {
    auto d = time::parse_iso_date(in.sender_protocol_date);
    if (!d)
      return invalid("protocollo.sender_protocol_date", "sender_protocol_date", in.sender_protocol_date);
    e.sender_protocol_date = *d;
  }
  e.classification = in.classification;
  e.fascicolo = in.fascicolo;
  e.office = in.office;
  e.registered_by = *actor;
  e.channel = in.channel;

  // Lock first, then read the time and the last number: whoever held the lock before us has committed
  // (READ COMMITTED sees it), so numbers and times both increase in commit order.
  ProtocolStore::lock_aoo(tx, e.aoo_id);
  const auto now = clock_.now();
  e.year = static_cast<int>(time::rome_date(now).year());
  e.registered_at = std::chrono::floor<std::chrono::milliseconds>(now);  // as stored
  auto last = ProtocolStore::last_number(tx, e.aoo_id, e.year);
  // The year's first number is 1, or the one a registry moving here mid-year continues from.
  e.number = last ? last->number + 1 : continued_number(tx, e.aoo_id, e.year).value_or(1);
  // A clock stepped back (NTP) must not make a later number look older than an earlier one.
  if (last && last->registered_at > e.registered_at) e.registered_at = last->registered_at;
  if (primary != nullptr) {
    auto doc = (*primary)(Registered{e.id, e.year, e.number, e.registered_at, segnatura_text(e)});
    if (!doc) return doc.error();
    doc->role = DocumentRole::primary;
    e.documents.insert(e.documents.begin(), std::move(*doc));
    NewEntry check = in;
    check.documents = e.documents;
    if (auto st = validate(check); !st) return st.error();
  }
  ProtocolStore::insert_entry(tx, e);
  audit_change(audit_, tx, who, tenant, "protocollo.register", e.id,
               json_details({{"aoo", e.aoo_code},
                             {"year", std::to_string(e.year)},
                             {"number", format_number(e.number)},
                             {"direction", std::string(to_string(e.direction))}}));
  return Registered{e.id, e.year, e.number, e.registered_at, segnatura_text(e)};
}

Result<Registered> ProtocolService::register_entry(const Actor& who, tenants::TenantId tenant,
                                                   const NewEntry& e) {
  if (auto actor = actor_id(who, tenant); !actor) return actor.error();
  if (auto st = validate(e); !st) return st.error();
  return db::transact(db_, [&](db::Conn& tx) { return register_entry(tx, who, tenant, e); });
}

Result<Registered> ProtocolService::register_entry_once(const Actor& who, tenants::TenantId tenant,
                                                        const NewEntry& e, const std::string& idempotency_key,
                                                        const std::string& request_sha256, bool& replayed) {
  replayed = false;
  auto r = once(who, tenant, idempotency_key, request_sha256,
                [&](db::Conn& tx) { return register_entry(tx, who, tenant, e); });
  if (!r) return r.error();
  replayed = r->replayed;
  return r->registered;
}

Result<Intake> ProtocolService::once(const Actor& who, tenants::TenantId tenant, const std::string& key,
                                     const std::string& request_sha256,
                                     const std::function<Result<Registered>(db::Conn&)>& fresh) {
  if (key.empty() || key.size() > 200)
    return invalid("protocollo.idempotency_key", "idempotency_key", "1 to 200 characters");
  if (auto actor = actor_id(who, tenant); !actor) return actor.error();
  // Two attempts: a concurrent request with the same key makes our INSERT of the key fail (and our whole
  // transaction, entry and documents included, roll back); the second attempt then finds the winner's entry.
  for (int attempt = 0;; ++attempt) {
    try {
      return db::transact(db_, [&](db::Conn& tx) -> Result<Intake> {
        if (auto seen = ProtocolStore::idempotency(tx, tenant, key)) {
          if (seen->request_sha256 != request_sha256)
            return Error::make("protocollo.idempotency_conflict", 422, key);
          auto first = ProtocolStore::entry(tx, tenant, seen->entry_id);
          if (!first) throw std::runtime_error("idempotency key without its entry");
          return Intake{
              Registered{first->id, first->year, first->number, first->registered_at, segnatura_text(*first)},
              true};
        }
        auto r = fresh(tx);
        if (!r) return r.error();
        ProtocolStore::insert_idempotency(tx, tenant, key, request_sha256, r->id,
                                          time::format_iso_utc_millis(clock_.now()));
        return Intake{std::move(*r), false};
      });
    } catch (const db::DbError& err) {
      if (err.kind != db::DbError::Kind::unique_violation || attempt > 0) throw;
    }
  }
}

Result<NewEntry> ProtocolService::with_stored_documents(db::Conn& tx, tenants::TenantId tenant,
                                                        const Registration& r) {
  files::Limits limits;
  limits.max_size = kMaxDocumentBytes;
  limits.allowed_types = kDocumentTypes;
  limits.keep_active_content = true;  // a registry registers what arrives; downloads serve it inert
  NewEntry e = r.entry;
  for (const auto& in : r.documents) {
    Document doc{in.role, in.file_name, in.declared_type, in.size, in.sha256};
    if (in.bytes) {
      if (files_ == nullptr) throw std::logic_error("ProtocolService built without the file store");
      auto stored = files_->put(tx, tenant, in.file_name, *in.bytes, limits);
      if (!stored) {
        Error failed = stored.error();
        if (failed.field.empty()) failed.field = in.field;
        return failed;
      }
      auto type = files::resolve_media_type(in.declared_type, stored->mime_type);
      doc.file_name = stored->file_name;
      doc.mime_type = std::move(type.mime_type);
      doc.declared_mime_type = std::move(type.declared_mismatch);
      doc.size = stored->size;
      doc.sha256 = stored->sha256;
      doc.file_id = stored->id;
    }
    e.documents.push_back(std::move(doc));
  }
  return e;
}

Result<Intake> ProtocolService::register_with_documents(const Actor& who, tenants::TenantId tenant,
                                                        const Registration& r) {
  // The fields first, with stand-ins for what storing the bytes will tell (digest, type), so that a
  // missing subject is named before a 20 MB upload is written anywhere.
  NewEntry probe = r.entry;
  for (const auto& in : r.documents) {
    const bool bytes = in.bytes.has_value();
    probe.documents.push_back(
        {in.role, in.file_name,
         bytes && in.declared_type.empty() ? std::string("application/octet-stream") : in.declared_type,
         bytes ? 0 : in.size, bytes ? std::string(64, '0') : in.sha256});
  }
  if (auto st = validate(probe); !st) return st.error();
  auto fresh = [&](db::Conn& tx) -> Result<Registered> {
    auto e = with_stored_documents(tx, tenant, r);
    if (!e) return e.error();
    return register_entry(tx, who, tenant, *e);
  };
  if (!r.idempotency_key.empty()) return once(who, tenant, r.idempotency_key, r.request_sha256, fresh);
  auto done = db::transact(db_, fresh);
  if (!done) return done.error();
  return Intake{std::move(*done), false};
}

Result<Entry> ProtocolService::get(const Actor& who, tenants::TenantId tenant, const std::string& id) {
  if (auto st = staff_of(who, tenant); !st) return st.error();
  auto e = store_.entry(tenant, id);
  if (!e) return Error::not_found("protocol entry " + id);
  return std::move(*e);
}

Result<std::vector<Entry>> ProtocolService::search(const Actor& who, tenants::TenantId tenant,
                                                   const SearchQuery& q) {
  if (auto st = staff_of(who, tenant); !st) return st.error();
  SearchQuery n = q;
  auto from = normalise_instant(q.from, "from");
  if (!from) return from.error();
  auto to = normalise_instant(q.to, "to");
  if (!to) return to.error();
  n.from = *from;
  n.to = *to;
  return store_.search(tenant, n, std::clamp(q.limit, 1, kMaxPage));
}

Result<std::vector<HistoryItem>> ProtocolService::history(const Actor& who, tenants::TenantId tenant,
                                                          const std::string& id) {
  if (auto st = staff_of(who, tenant); !st) return st.error();
  if (!store_.entry(tenant, id)) return Error::not_found("protocol entry " + id);
  return store_.history(tenant, id);
}

Status ProtocolService::annul(const Actor& who, tenants::TenantId tenant, const std::string& id,
                              const std::string& reason, const std::string& authorisation) {
  auto actor = actor_id(who, tenant);
  if (!actor) return actor.error();
  // Annulment needs the authority of the registry's manager (office managers, administrators).
  if (const auto* const* p = std::get_if<const identity::Principal*>(&who)) {
    if (auto st = identity::authorize(*p, identity::Permission::annul_protocol, tenant); !st)
      return st.error();
  }
  if (blank(reason)) return invalid("protocollo.annulment_reason", "reason", "empty");
  if (blank(authorisation)) return invalid("protocollo.annulment_authorisation", "authorisation", "empty");
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    auto e = ProtocolStore::entry(tx, tenant, id);
    if (!e) return Error::not_found("protocol entry " + id);
    Annulment a{std::chrono::floor<std::chrono::milliseconds>(clock_.now()), *actor, reason, authorisation};
    // WHERE annulled_at IS NULL: of two concurrent annulments only one changes the row.
    if (ProtocolStore::annul(tx, tenant, id, a) != 1) return Error::make("protocollo.annulled", 409, id);
    ProtocolStore::insert_history(
        tx, id, {a.at, a.by, HistoryField::annulment_reason, "", reason, HistoryKind::annulment});
    ProtocolStore::insert_history(
        tx, id,
        {a.at, a.by, HistoryField::annulment_authorisation, "", authorisation, HistoryKind::annulment});
    if (on_annul_) {
      e->annulment = a;
      on_annul_(tx, tenant, *e, a);
    }
    audit_change(audit_, tx, who, tenant, "protocollo.annul", id,
                 json_details({{"year", std::to_string(e->year)},
                               {"number", format_number(e->number)},
                               {"reason", reason},
                               {"authorisation", authorisation}}));
    return Ok{};
  });
}

Status ProtocolService::update_classification(const Actor& who, tenants::TenantId tenant,
                                              const std::string& id, const ClassificationChange& change) {
  auto actor = actor_id(who, tenant);
  if (!actor) return actor.error();
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    auto e = ProtocolStore::entry(tx, tenant, id);
    if (!e) return Error::not_found("protocol entry " + id);
    if (e->annulled()) return Error::make("protocollo.annulled", 409, id);
    const time::TimePoint at = std::chrono::floor<std::chrono::milliseconds>(clock_.now());
    boost::json::object changed;
    auto apply = [&](HistoryField field, const std::optional<std::string>& value, const std::string& old) {
      if (!value || *value == old) return;
      ProtocolStore::set_field(tx, tenant, id, field, *value);
      ProtocolStore::insert_history(tx, id, {at, *actor, field, old, *value, HistoryKind::edit});
      changed[to_string(field)] = boost::json::object{{"old", old}, {"new", *value}};
    };
    apply(HistoryField::classification, change.classification, e->classification);
    apply(HistoryField::fascicolo, change.fascicolo, e->fascicolo);
    apply(HistoryField::office, change.office, e->office);
    if (!changed.empty()) {
      audit_change(audit_, tx, who, tenant, "protocollo.classify", id, boost::json::serialize(changed));
    }
    return Ok{};
  });
}

std::string ProtocolService::segnatura_text(const Entry& e) {
  return e.aoo_code + " - " + std::to_string(e.year) + " - " + format_number(e.number) + " - " +
         time::format_it_date(e.registered_at);
}

}  // namespace sp::protocollo
