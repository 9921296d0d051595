#include "protocollo/service.hpp"

#include <date/date.h>

#include <algorithm>
#include <pugixml.hpp>
#include <sstream>

#include "core/digest.hpp"
#include "core/ids.hpp"
#include "identity/permissions.hpp"

namespace sp::protocollo {
namespace {

constexpr std::size_t kMaxSubject = 2000;
constexpr int kMaxPage = 500;
constexpr const char* kNamespace = "http://www.agid.gov.it/protocollo/";
constexpr const char* kRegistryCode = "PROTOCOLLO";  // CodiceRegistro: the AOO's general register

Error invalid(const std::string& code, const std::string& field, const std::string& detail) {
  Error e = Error::make(code, 400, detail);
  e.field = field;
  return e;
}

std::string format_at(time::TimePoint tp) {
  return date::format("%FT%TZ", std::chrono::floor<std::chrono::milliseconds>(tp));
}

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

bool is_sha256_hex(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    auto n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
             (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    auto n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    auto n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) | (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string hex_to_bytes(const std::string& hex) {
  std::string out;
  auto val = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(val(hex[i]) * 16 + val(hex[i + 1]));
  return out;
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

Status staff_of(const identity::Principal* who, tenants::TenantId tenant) {
  return identity::authorize(who, identity::Permission::backoffice, tenant);
}

// Normalises a search bound to the stored spelling (milliseconds, Z) so text comparison orders correctly.
Result<std::string> normalise_instant(const std::string& s, const char* field) {
  if (s.empty()) return std::string();
  if (s.size() == 10) {  // a plain date: the start of that day in Rome
    auto d = time::parse_iso_date(s);
    if (!d) return invalid("protocollo.search", field, d.error().detail);
    return format_at(time::rome_day_start(*d));
  }
  auto tp = time::parse_iso_utc(s);
  if (!tp) return invalid("protocollo.search", field, tp.error().detail);
  return format_at(*tp);
}

void add_party(pugi::xml_node parent, const Correspondent& c) {
  const char* tag = c.kind == "body"       ? "Amministrazione"
                    : c.kind == "business" ? "PersonaGiuridica"
                                           : "Persona";
  auto n = parent.append_child(tag);
  n.append_child("Denominazione").text().set(c.name.c_str());
  if (!c.fiscal_code.empty()) n.append_child("CodiceFiscale").text().set(c.fiscal_code.c_str());
  if (!c.pec.empty()) {
    auto a = n.append_child("IndirizzoTelematico");
    a.append_attribute("tipo") = "pec";
    a.text().set(c.pec.c_str());
  }
  if (!c.email.empty()) {
    auto a = n.append_child("IndirizzoTelematico");
    a.append_attribute("tipo") = "smtp";
    a.text().set(c.email.c_str());
  }
}

void add_own_aoo(pugi::xml_node parent, const Entry& e, const std::string& aoo_name) {
  auto n = parent.append_child("Amministrazione");
  n.append_child("CodiceAmministrazione").text().set(e.admin_code.c_str());
  n.append_child("CodiceAOO").text().set(e.aoo_code.c_str());
  if (!aoo_name.empty()) n.append_child("Denominazione").text().set(aoo_name.c_str());
  if (!e.office.empty()) n.append_child("UnitaOrganizzativa").text().set(e.office.c_str());
}

void add_document(pugi::xml_node parent, const char* tag, const Document& d) {
  auto n = parent.append_child(tag);
  n.append_attribute("nomeFile") = d.file_name.c_str();
  n.append_attribute("mimeType") = d.mime_type.c_str();
  n.append_attribute("dimensione") = static_cast<long long>(d.size);
  auto imp = n.append_child("Impronta");
  imp.append_attribute("algoritmo") = "SHA-256";
  imp.append_attribute("codifica") = "base64";
  imp.text().set(base64(hex_to_bytes(d.sha256)).c_str());
}

std::string rome_iso_date(const std::string& registered_at) {
  auto tp = time::parse_iso_utc(registered_at);
  return tp ? time::format_iso_date(time::rome_date(*tp)) : std::string();
}

}  // namespace

Status ProtocolService::validate(const NewEntry& e) {
  if (blank(e.subject)) return invalid("protocollo.subject", "subject", "empty");
  if (e.subject.size() > kMaxSubject) return invalid("protocollo.subject", "subject", "too long");
  if (e.correspondents.empty()) return invalid("protocollo.correspondents", "correspondents", "none");
  for (const auto& c : e.correspondents) {
    if (c.kind != "person" && c.kind != "business" && c.kind != "body")
      return invalid("protocollo.correspondents", "correspondents", "kind: " + c.kind);
    if (blank(c.name)) return invalid("protocollo.correspondents", "correspondents", "name empty");
  }
  int primaries = 0;
  for (const auto& d : e.documents) {
    if (d.role == DocumentRole::primary) ++primaries;
    if (blank(d.file_name)) return invalid("protocollo.document", "documents", "file name empty");
    if (blank(d.mime_type)) return invalid("protocollo.document", "documents", "mime type empty");
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
                                        const std::string& code, const std::string& name) {
  if (blank(code) || blank(admin_code) || blank(name)) return invalid("protocollo.aoo_code", "code", "empty");
  Aoo a{0, tenant, admin_code, code, name, true};
  try {
    db_.write([&](db::Conn& tx) { a.id = ProtocolStore::insert_aoo(tx, a, format_at(clock_.now())); });
  } catch (const db::DbError& e) {
    if (e.kind == db::DbError::Kind::unique_violation) return Error::make("protocollo.aoo_exists", 409, code);
    throw;
  }
  return a;
}

Result<Registered> ProtocolService::register_entry(db::Conn& tx, const Actor& who, tenants::TenantId tenant,
                                                   const NewEntry& in) {
  auto actor = actor_id(who, tenant);
  if (!actor) return actor.error();
  if (auto st = validate(in); !st) return st.error();
  auto aoo = ProtocolStore::aoo(tx, tenant, in.aoo_id);
  if (!aoo || !aoo->active) return Error::make("protocollo.aoo", 404, std::to_string(in.aoo_id));

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
  e.sender_protocol_date = in.sender_protocol_date;
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
  e.registered_at = format_at(now);
  auto last = ProtocolStore::last_number(tx, e.aoo_id, e.year);
  e.number = last ? last->number + 1 : 1;
  // A clock stepped back (NTP) must not make a later number look older than an earlier one.
  if (last && last->registered_at > e.registered_at) e.registered_at = last->registered_at;
  ProtocolStore::insert_entry(tx, e);
  return Registered{e.id, e.year, e.number, e.registered_at, segnatura_text(e)};
}

Result<Registered> ProtocolService::register_entry(const Actor& who, tenants::TenantId tenant,
                                                   const NewEntry& e) {
  if (auto actor = actor_id(who, tenant); !actor) return actor.error();
  if (auto st = validate(e); !st) return st.error();
  std::optional<Result<Registered>> out;
  db_.write([&](db::Conn& tx) { out.emplace(register_entry(tx, who, tenant, e)); });
  return std::move(*out);
}

Result<Entry> ProtocolService::get(const identity::Principal* who, tenants::TenantId tenant,
                                   const std::string& id) {
  if (auto st = staff_of(who, tenant); !st) return st.error();
  auto e = store_.entry(tenant, id);
  if (!e) return Error::not_found("protocol entry " + id);
  return std::move(*e);
}

Result<std::vector<Entry>> ProtocolService::search(const identity::Principal* who, tenants::TenantId tenant,
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

Result<std::vector<HistoryItem>> ProtocolService::history(const identity::Principal* who,
                                                          tenants::TenantId tenant, const std::string& id) {
  if (auto st = staff_of(who, tenant); !st) return st.error();
  if (!store_.entry(tenant, id)) return Error::not_found("protocol entry " + id);
  return store_.history(tenant, id);
}

Status ProtocolService::annul(const identity::Principal* who, tenants::TenantId tenant, const std::string& id,
                              const std::string& reason, const std::string& authorisation) {
  auto actor = actor_id(who, tenant);
  if (!actor) return actor.error();
  if (blank(reason)) return invalid("protocollo.annulment_reason", "reason", "empty");
  if (blank(authorisation)) return invalid("protocollo.annulment_authorisation", "authorisation", "empty");
  std::optional<Status> out;
  db_.write([&](db::Conn& tx) {
    auto e = ProtocolStore::entry(tx, tenant, id);
    if (!e) {
      out.emplace(Error::not_found("protocol entry " + id));
      return;
    }
    Annulment a{format_at(clock_.now()), *actor, reason, authorisation};
    // WHERE annulled_at IS NULL: of two concurrent annulments only one changes the row.
    if (ProtocolStore::annul(tx, tenant, id, a) != 1) {
      out.emplace(Error::make("protocollo.annulled", 409, id));
      return;
    }
    ProtocolStore::insert_history(tx, id,
                                  {a.at, a.by, "annulment_reason", "", reason, HistoryKind::annulment});
    ProtocolStore::insert_history(
        tx, id, {a.at, a.by, "annulment_authorisation", "", authorisation, HistoryKind::annulment});
    out.emplace(Ok{});
  });
  return std::move(*out);
}

Status ProtocolService::update_classification(const identity::Principal* who, tenants::TenantId tenant,
                                              const std::string& id, const ClassificationChange& change) {
  auto actor = actor_id(who, tenant);
  if (!actor) return actor.error();
  std::optional<Status> out;
  db_.write([&](db::Conn& tx) {
    auto e = ProtocolStore::entry(tx, tenant, id);
    if (!e) {
      out.emplace(Error::not_found("protocol entry " + id));
      return;
    }
    if (e->annulled()) {
      out.emplace(Error::make("protocollo.annulled", 409, id));
      return;
    }
    const auto at = format_at(clock_.now());
    auto apply = [&](const char* field, const std::optional<std::string>& value, const std::string& old) {
      if (!value || *value == old) return;
      ProtocolStore::set_field(tx, tenant, id, field, *value);
      ProtocolStore::insert_history(tx, id, {at, *actor, field, old, *value, HistoryKind::edit});
    };
    apply("classification", change.classification, e->classification);
    apply("fascicolo", change.fascicolo, e->fascicolo);
    apply("office", change.office, e->office);
    out.emplace(Ok{});
  });
  return std::move(*out);
}

std::string ProtocolService::segnatura_text(const Entry& e) {
  std::string date;
  if (auto tp = time::parse_iso_utc(e.registered_at)) date = time::format_it_date(*tp);
  return e.aoo_code + " - " + std::to_string(e.year) + " - " + format_number(e.number) + " - " + date;
}

std::string ProtocolService::segnatura_xml(const Entry& e, const std::string& aoo_name) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child("SegnaturaInformatica");
  root.append_attribute("xmlns") = kNamespace;
  root.append_attribute("versione") = "3.0.0";
  root.append_attribute("xml:lang") = "it";

  auto head = root.append_child("Intestazione");
  auto id = head.append_child("Identificatore");
  id.append_child("CodiceAmministrazione").text().set(e.admin_code.c_str());
  id.append_child("CodiceAOO").text().set(e.aoo_code.c_str());
  id.append_child("CodiceRegistro").text().set(kRegistryCode);
  id.append_child("NumeroRegistrazione").text().set(format_number(e.number).c_str());
  id.append_child("DataRegistrazione").text().set(rome_iso_date(e.registered_at).c_str());
  head.append_child("Oggetto").text().set(e.subject.c_str());
  if (!e.classification.empty()) head.append_child("Classifica").text().set(e.classification.c_str());
  if (!e.fascicolo.empty()) head.append_child("Fascicolo").text().set(e.fascicolo.c_str());

  auto desc = root.append_child("Descrizione");
  if (e.direction == Direction::incoming) {
    for (const auto& c : e.correspondents) add_party(desc.append_child("Mittente"), c);
    add_own_aoo(desc.append_child("Destinatario"), e, aoo_name);
  } else {
    add_own_aoo(desc.append_child("Mittente"), e, aoo_name);
    for (const auto& c : e.correspondents) add_party(desc.append_child("Destinatario"), c);
  }
  for (const auto& d : e.documents)
    add_document(desc, d.role == DocumentRole::primary ? "DocumentoPrimario" : "Allegato", d);

  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace sp::protocollo
