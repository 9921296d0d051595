#include "conservazione/service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <map>
#include <set>

#include "albo/preservation.hpp"
#include "cases/preservation.hpp"
#include "conservazione/sincro.hpp"
#include "conservazione/store.hpp"
#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "core/holidays.hpp"
#include "core/ids.hpp"
#include "identity/audit_entry.hpp"
#include "identity/permissions.hpp"
#include "payments/preservation.hpp"

namespace sp::conservazione {
namespace {

constexpr const char* kKeyPrefix = "sportello-";

// The raw digest of a stored lower-case hex SHA-256 ("" if it is not hex: the index then cannot match).
std::string hex_to_raw(const std::string& hex) {
  return crypto::hex_decode(hex).value_or(std::string());
}

std::string raw_digest_of(const std::string& bytes) {
  return digest::sha256_raw(bytes);
}

// The first file's name in an index (a one-file package's file), "" when there is none.
std::string index_file_name(const std::string& index_xml) {
  const auto file = index_xml.find("<sincro:File");
  if (file == std::string::npos) return {};
  const auto start = index_xml.find("<sincro:ID>", file);
  const auto end = index_xml.find("</sincro:ID>", start);
  if (start == std::string::npos || end == std::string::npos) return {};
  return index_xml.substr(start + 11, end - start - 11);
}

std::int64_t to_i64(const std::string& s) {
  std::int64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() ? v : -1;
}

// A class's records not yet in a package of that class, oldest first, at most `limit`: read through the
// owning module's read functions (cases, albo, payments: their records are append-only), page by page
// in their own order, skipping what `packaged` already holds.
std::vector<Preservable> unpackaged(db::Conn& c, tenants::TenantId tenant, const std::string& klass,
                                    int limit, const std::set<std::string>& packaged) {
  constexpr int kPage = 500;
  std::vector<Preservable> out;
  const auto full = [&] { return static_cast<int>(out.size()) >= limit; };
  if (klass == kDecisions) {
    std::string at;
    std::string row;
    for (bool more = true; more && !full();) {
      const auto page = cases::decision_documents(c, tenant, at, row, kPage);
      more = static_cast<int>(page.size()) == kPage;
      for (const auto& d : page) {
        at = d.at;
        row = d.id;
        if (!packaged.count(d.file_id) && !full())
          out.push_back({d.file_id, d.file_name, d.sha256, d.at, d.case_id});
      }
    }
  } else if (klass == kRelate) {
    std::string at;
    std::string publication;
    for (bool more = true; more && !full();) {
      const auto page = albo::confirmed_relate(c, tenant, at, publication, kPage);
      more = static_cast<int>(page.size()) == kPage;
      for (const auto& r : page) {
        at = r.confirmed_at;
        publication = r.publication_id;
        if (packaged.count(r.file_id) || full()) continue;
        const auto year = std::to_string(r.year);
        const auto number = std::to_string(r.number);
        out.push_back({r.file_id, "relata-" + year + "-" + number + ".pdf", r.sha256, r.confirmed_at,
                       year + "/" + number});
      }
    }
  } else if (klass == kPaymentReceipts) {
    std::int64_t after = 0;
    for (bool more = true; more && !full();) {
      const auto page = payments::counted_receipts(c, tenant, after, kPage);
      more = static_cast<int>(page.size()) == kPage;
      for (const auto& r : page) {
        after = r.id;
        const auto id = std::to_string(r.id);
        if (packaged.count(id) || full()) continue;
        // The name is the file's in the package: only safe characters of the PSP's receipt id.
        std::string rid;
        for (char ch : r.receipt_id)
          if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') rid += ch;
        out.push_back({id, "ricevuta-" + id + "-" + rid + ".xml",
                       digest::sha256_hex(payments::counted_receipt_payload(c, tenant, r.id)), r.received_at,
                       r.iuv});
      }
    }
  }
  return out;
}

}  // namespace

ConservazioneService::ConservazioneService(db::Database& db, const time::Clock& clock,
                                           protocollo::DailyRegisterService& registers,
                                           protocollo::ProtocolService& protocol,
                                           tenants::TenantService& tenants, files::FileService& files,
                                           audit::AuditService& audit, conservazione_wire::Client client)
    : db_(db),
      clock_(clock),
      registers_(registers),
      protocol_(protocol),
      tenants_(tenants),
      files_(files),
      audit_(audit),
      client_(std::move(client)) {}

std::chrono::seconds ConservazioneService::backoff(int attempts) {
  std::chrono::seconds wait{300};
  for (int i = 1; i < attempts && wait < std::chrono::hours(6); ++i) wait *= 2;
  return std::min<std::chrono::seconds>(wait, std::chrono::hours(6));
}

int ConservazioneService::plan() {
  std::set<tenants::TenantId> with_documents;
  std::map<std::string, std::set<tenants::TenantId>> other;  // decisions, relate, receipts: who chose them
  db_.read([&](db::Conn& c) {
    for (auto t : store::tenants_with_class(c, kProtocolDocuments)) with_documents.insert(t);
    for (const char* k : {kDecisions, kRelate, kPaymentReceipts})
      for (auto t : store::tenants_with_class(c, k)) other[k].insert(t);
  });
  int made = 0;
  for (const auto& body : tenants_.snapshot()->bodies) {
    made += plan_registers(*body, with_documents.count(body->id) > 0);
    for (const auto& [klass, bodies] : other)
      if (bodies.count(body->id)) made += plan_records(*body, klass);
  }
  return made;
}

// One package per decision, confirmed relata or counted receipt, made from the module's own append-only
// record (all of them, the oldest first, at most a batch per run: a class chosen late catches up over a few
// runs). Due, like a register, by the next working day after the day after it was made.
int ConservazioneService::plan_records(const tenants::Body& body, const std::string& klass) {
  constexpr int kBatch = 200;
  std::vector<Preservable> todo;
  db_.read([&](db::Conn& c) {
    todo = unpackaged(c, body.id, klass, kBatch, store::packaged_objects(c, body.id, klass));
  });
  int made = 0;
  for (const auto& r : todo) {
    auto at = time::parse_iso_utc(r.day);
    const auto day = at ? time::rome_date(*at) : time::rome_date(clock_.now());
    const auto day_text = time::format_iso_date(day);
    const auto due = time::format_iso_date(time::next_working_day(time::add_calendar_days(day, 1)));
    std::string what;
    if (klass == kDecisions)
      what = "Provvedimento finale della pratica " + r.reference;
    else if (klass == kRelate)
      what = "Relata di pubblicazione all'albo n. " + r.reference;
    else
      what = "Ricevuta di pagamento pagoPA, IUV " + r.reference;
    made += make_package(body, klass, r.object_id, r.file_name,
                         body.fiscal_code + "/" + klass + "/" + day_text + "/" + r.object_id,
                         what + ": " + r.file_name, due, {IndexFile{r.file_name, hex_to_raw(r.sha256)}});
  }
  return made;
}

int ConservazioneService::make_package(const tenants::Body& body, const std::string& klass,
                                       const std::string& object_id, const std::string& title,
                                       const std::string& volume, const std::string& description,
                                       const std::string& due_day, const std::vector<IndexFile>& files) {
  const std::string made_at = time::format_iso_utc(clock_.now());
  int made = 0;
  Package p;
  p.id = ids::uuid_v7();
  p.tenant_id = body.id;
  p.klass = klass;
  p.object_id = object_id;
  p.title = title;
  p.idempotency_key = kKeyPrefix + p.id;
  p.due_day = due_day;
  p.next_attempt_at = made_at;
  p.created_at = made_at;
  db_.write([&](db::Conn& tx) {
    const auto head = audit::AuditService::head(tx, body.id);
    p.audit_head_seq = head.seq;
    p.audit_head_hash = head.hash;
    // The hub's own chain rides along in every body's package (docs/conservazione.md).
    const auto hub = audit::AuditService::head(tx, audit::kHubTenant);
    p.hub_head_seq = hub.seq;
    p.hub_head_hash = hub.hash;
    IndexInput in;
    in.package_id = p.id;
    in.volume_id = volume;
    in.description = description;
    in.body_name = body.name;
    in.body_fiscal_code = body.fiscal_code;
    in.klass = klass;
    in.made_at = made_at;
    in.audit_head_seq = head.seq;
    in.audit_head_hash = head.hash;
    in.hub_head_seq = hub.seq;
    in.hub_head_hash = hub.hash;
    in.files = files;
    p.index_xml = build_index(in);
    p.index_sha256 = digest::sha256_hex(p.index_xml);
    if (store::insert_package(tx, p)) ++made;
  });
  return made;
}

int ConservazioneService::plan_registers(const tenants::Body& body, bool with_documents) {
  protocollo::DailyRegisterQuery q;
  q.limit = 1000;
  auto list = registers_.list_for(body.id, q);
  if (!list || list->empty()) return 0;
  std::set<std::string> done_registers;
  std::set<std::string> done_documents;
  db_.read([&](db::Conn& c) {
    done_registers = store::packaged_objects(c, body.id, kDailyRegister);
    if (with_documents) done_documents = store::packaged_objects(c, body.id, kProtocolDocuments);
  });
  int made = 0;
  auto make = [&](const std::string& klass, const std::string& object_id, const std::string& title,
                  const std::string& volume, const std::string& description, const std::string& due_day,
                  const std::vector<IndexFile>& files) {
    made += make_package(body, klass, object_id, title, volume, description, due_day, files);
  };
  for (const auto& info : *list) {
    auto day = time::parse_iso_date(info.day);
    if (!day) continue;
    const std::string due = time::format_iso_date(time::next_working_day(time::add_calendar_days(*day, 1)));
    const std::string reg_id = std::to_string(info.id);
    if (!done_registers.count(reg_id)) {
      make(
          kDailyRegister, reg_id, info.aoo_code + " " + info.day,
          body.fiscal_code + "/" + kDailyRegister + "/" + info.aoo_code + "/" + info.day,
          "Registro giornaliero di protocollo, AOO " + info.aoo_code + ", giorno " + info.day, due,
          {IndexFile{protocollo::DailyRegisterService::file_name(info, "json"), hex_to_raw(info.json_sha256)},
           IndexFile{protocollo::DailyRegisterService::file_name(info, "pdf"), hex_to_raw(info.pdf_sha256)}});
    }
    // A day's documents are packaged with its register, once: a class chosen later applies from the next
    // register on (no backfill of earlier days; reading every register again each run would cost too much).
    if (done_registers.count(reg_id) || !with_documents || info.entry_count == 0) continue;
    // The documents of the day's entries: the register's JSON names the entries.
    auto reg = registers_.get_for(body.id, info.id);
    if (!reg) continue;
    boost::system::error_code ec;
    auto doc = boost::json::parse(reg->json, ec);
    if (ec || !doc.is_object() || !doc.as_object().contains("entries")) continue;
    for (const auto& e : doc.at("entries").as_array()) {
      const std::string entry_id(e.at("id").as_string());
      auto entry = protocol_.get(identity::SystemActor{"conservazione"}, body.id, entry_id);
      if (!entry) continue;
      for (const auto& d : entry->documents) {
        if (d.file_id.empty() || done_documents.count(d.file_id)) continue;
        make(kProtocolDocuments, d.file_id,
             std::to_string(entry->year) + "/" + protocollo::format_number(entry->number) + " " + d.file_name,
             body.fiscal_code + "/" + kProtocolDocuments + "/" + std::to_string(entry->year) + "/" +
                 protocollo::format_number(entry->number),
             "Documento del protocollo n. " + protocollo::format_number(entry->number) + "/" +
                 std::to_string(entry->year) + ": " + d.file_name,
             due, {IndexFile{d.file_name, hex_to_raw(d.sha256)}});
        done_documents.insert(d.file_id);
      }
    }
  }
  return made;
}

Result<conservazione_wire::Submission> ConservazioneService::submission(const Package& p) {
  conservazione_wire::Submission s;
  s.idempotency_key = p.idempotency_key;
  s.index_xml = p.index_xml;
  if (p.klass == kDailyRegister) {
    auto reg = registers_.get_for(p.tenant_id, std::stoll(p.object_id));
    if (!reg) return reg.error();
    s.files.push_back(
        {protocollo::DailyRegisterService::file_name(reg->info, "json"), "application/json", reg->json});
    s.files.push_back(
        {protocollo::DailyRegisterService::file_name(reg->info, "pdf"), "application/pdf", reg->pdf});
  } else if (p.klass == kPaymentReceipts) {
    std::string payload;
    db_.read([&](db::Conn& c) {
      if (const auto id = to_i64(p.object_id); id > 0)
        payload = payments::counted_receipt_payload(c, p.tenant_id, id);
    });
    if (payload.empty()) return Error::make("conservazione.not_found", 404, "receipt " + p.object_id);
    s.files.push_back({index_file_name(p.index_xml), "application/xml", payload});
  } else {
    auto meta = files_.get(p.tenant_id, p.object_id);
    auto bytes = files_.read_content(p.tenant_id, p.object_id);
    if (!meta || !bytes || !*bytes) return Error::make("conservazione.not_found", 404, "file " + p.object_id);
    // The name the index gives (the protocol's document name), from the index itself.
    std::string name = index_file_name(p.index_xml);
    if (name.empty()) name = meta->file_name;
    s.files.push_back({name, meta->mime_type, **bytes});
  }
  // The bytes must still be what the index says (never send a changed file as the original).
  for (const auto& f : s.files) {
    const std::string b64 = crypto::base64_encode(raw_digest_of(f.bytes));
    if (p.index_xml.find(">" + b64 + "<") == std::string::npos)
      return Error::make("conservazione.digest", 500, f.name);
  }
  return s;
}

RunReport ConservazioneService::send_due(int limit) {
  RunReport report;
  std::vector<Package> due;
  const std::string now_text = time::format_iso_utc(clock_.now());
  db_.read([&](db::Conn& c) { due = store::due(c, now_text, limit); });
  for (const auto& p : due) {
    Receipt r;
    r.package_id = p.id;
    r.attempt = p.attempts + 1;
    State next = State::failed;
    auto sub = submission(p);
    if (!sub) {
      r.outcome = "failed";
      r.detail = sub.error().code + ": " + sub.error().detail;
    } else {
      auto answer = client_.submit(*sub);
      if (!answer) {
        r.outcome = "failed";
        r.detail = answer.error().code + ": " + answer.error().detail;
      } else if (answer->outcome == conservazione_wire::Outcome::accepted) {
        r.outcome = "accepted";
        r.receipt_id = answer->receipt_id;
        r.body = answer->body;
        next = State::accepted;
      } else {
        r.outcome = "rejected";
        r.detail = answer->detail;
        r.body = answer->body;
        next = State::rejected;
      }
    }
    const auto at = clock_.now();
    r.received_at = time::format_iso_utc(at);
    const std::string next_at = time::format_iso_utc(at + backoff(r.attempt));
    db_.write([&](db::Conn& tx) {
      store::record_attempt(tx, p, r, next, next == State::accepted ? r.received_at : next_at);
      if (next == State::accepted) {
        audit::Entry e;
        e.tenant_id = p.tenant_id;
        e.actor_id = "system:conservazione";
        e.action = "conservazione.accepted";
        e.record_type = "conservazione_package";
        e.record_id = p.id;
        e.details = boost::json::serialize(boost::json::object{
            {"receipt_id", r.receipt_id}, {"class", p.klass}, {"audit_head_seq", p.audit_head_seq}});
        audit_.record_or_throw(tx, e);
      }
    });
    if (next == State::accepted)
      ++report.accepted;
    else if (next == State::rejected)
      ++report.rejected;
    else
      ++report.failed;
    if (next != State::accepted)
      spdlog::warn("conservazione: package {} of body {} {} (attempt {}): {}", p.id, p.tenant_id, r.outcome,
                   r.attempt, r.detail);
  }
  return report;
}

RunReport ConservazioneService::run() {
  const int planned = plan();
  auto report = send_due();
  report.planned = planned;
  return report;
}

Result<std::vector<Package>> ConservazioneService::list(const identity::Principal* who,
                                                        tenants::TenantId tenant, int limit) {
  if (auto st = identity::authorize(who, identity::Permission::annul_protocol, tenant); !st)
    return st.error();
  std::vector<Package> out;
  db_.read([&](db::Conn& c) { out = store::packages(c, tenant, std::clamp(limit, 1, 1000)); });
  return out;
}

Result<std::int64_t> ConservazioneService::overdue(const identity::Principal* who, tenants::TenantId tenant) {
  if (auto st = identity::authorize(who, identity::Permission::annul_protocol, tenant); !st)
    return st.error();
  std::int64_t n = 0;
  db_.read([&](db::Conn& c) { n = store::overdue_count(c, tenant, today()); });
  return n;
}

std::string ConservazioneService::today() const {
  return time::format_iso_date(time::rome_date(clock_.now()));
}

std::string ConservazioneService::overdue_metrics(db::Database& db, const std::string& today) {
  std::string out = "# TYPE sportello_conservazione_overdue gauge\n";
  std::vector<std::pair<std::string, std::int64_t>> rows;
  db.read([&](db::Conn& c) { rows = store::overdue_by_class(c, today); });
  // Every class has its line, 0 when nothing is late, so an alert rule sees the series disappear never.
  std::vector<std::string> classes{kDailyRegister};
  for (const auto& k : optional_classes()) classes.push_back(k);
  for (const auto& k : classes) {
    std::int64_t n = 0;
    for (const auto& [klass, count] : rows)
      if (klass == k) n = count;
    out += "sportello_conservazione_overdue{class=\"" + k + "\"} " + std::to_string(n) + "\n";
  }
  return out;
}

std::vector<Package> ConservazioneService::list_for(tenants::TenantId tenant, int limit) {
  std::vector<Package> out;
  db_.read([&](db::Conn& c) { out = store::packages(c, tenant, std::clamp(limit, 1, 1000)); });
  return out;
}

Result<Package> ConservazioneService::get(const identity::Principal* who, tenants::TenantId tenant,
                                          const std::string& id) {
  if (auto st = identity::authorize(who, identity::Permission::annul_protocol, tenant); !st)
    return st.error();
  std::optional<Package> p;
  db_.read([&](db::Conn& c) { p = store::package(c, tenant, id); });
  if (!p) return Error::make("conservazione.not_found", 404, id);
  return std::move(*p);
}

Result<std::vector<Receipt>> ConservazioneService::receipts(const identity::Principal* who,
                                                            tenants::TenantId tenant, const std::string& id) {
  auto p = get(who, tenant, id);
  if (!p) return p.error();
  std::vector<Receipt> out;
  db_.read([&](db::Conn& c) { out = store::receipts(c, tenant, id); });
  return out;
}

Status ConservazioneService::retry(const identity::Principal* who, tenants::TenantId tenant,
                                   const std::string& id) {
  auto p = get(who, tenant, id);
  if (!p) return p.error();
  if (p->state == State::accepted) return Error::make("conservazione.accepted", 409, id);
  db_.write([&](db::Conn& tx) {
    store::retry_now(tx, tenant, id, time::format_iso_utc(clock_.now()));
    audit_.record_or_throw(
        tx, identity::entry_by(*who, tenant, "conservazione.retry", "conservazione_package", id, "{}"));
  });
  return Ok{};
}

Result<Settings> ConservazioneService::settings(const identity::Principal* who, tenants::TenantId tenant) {
  if (auto st = identity::authorize(who, identity::Permission::manage_staff, tenant); !st) return st.error();
  std::optional<Settings> s;
  db_.read([&](db::Conn& c) { s = store::settings(c, tenant); });
  return s.value_or(Settings{});
}

Status ConservazioneService::save_settings(const identity::Principal* who, tenants::TenantId tenant,
                                           const std::vector<std::string>& classes) {
  if (auto st = identity::authorize(who, identity::Permission::manage_staff, tenant); !st) return st.error();
  Settings s;
  for (const auto& c : classes) {
    if (c == kDailyRegister) continue;  // always preserved
    if (!known_class(c)) return Error::make("conservazione.class", 400, c);
    if (std::find(s.classes.begin(), s.classes.end(), c) == s.classes.end()) s.classes.push_back(c);
  }
  s.updated_by = who->subject;
  s.updated_at = time::format_iso_utc(clock_.now());
  std::string joined;
  for (const auto& k : s.classes) joined += (joined.empty() ? "" : ",") + k;
  db_.write([&](db::Conn& tx) {
    store::save_settings(tx, tenant, s);
    audit_.record_or_throw(
        tx, identity::entry_by(*who, tenant, "conservazione.settings", "conservazione_settings",
                               std::to_string(tenant),
                               boost::json::serialize(boost::json::object{{"classes", joined}})));
  });
  return Ok{};
}

std::map<std::string, std::string> ConservazioneService::aoo_names(tenants::TenantId tenant) {
  std::map<std::string, std::string> out;
  for (const auto& a : protocol_.aoos(tenant)) out[a.code] = a.name;
  return out;
}

std::vector<PreservedHead> ConservazioneService::preserved_heads(db::Database& db) {
  std::vector<PreservedHead> out;
  db.read([&](db::Conn& c) { out = store::preserved_heads(c); });
  return out;
}

}  // namespace sp::conservazione
