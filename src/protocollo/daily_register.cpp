#include "protocollo/daily_register.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <exception>
#include <set>
#include <unordered_map>

#include "audit/model.hpp"
#include "audit/service.hpp"
#include "core/digest.hpp"
#include "identity/permissions.hpp"
#include "protocollo/daily_register_pdf.hpp"
#include "protocollo/daily_register_store.hpp"

namespace sp::protocollo {
namespace {

constexpr int kMaxList = 1000;
// Identifies the JSON layout, so that a reader years from now knows what it is looking at.
constexpr const char* kJsonFormat = "sportello/registro-giornaliero-protocollo/1";

Result<time::Date> parse_day(const std::string& s) {
  auto d = time::parse_iso_date(s);
  if (!d) {
    auto e = Error::make("protocollo_registro.day", 400, s);
    e.field = "day";
    return e;
  }
  return *d;
}

// The last day that may have a register at `now`: yesterday in Rome, once kSettle has passed after
// midnight.
time::Date last_producible(time::TimePoint now) {
  return time::add_calendar_days(time::rome_date(now - DailyRegisterService::kSettle), -1);
}

time::Date rome_day_of(const std::string& iso, time::Date fallback) {
  auto tp = time::parse_iso_utc(iso);
  return tp ? time::rome_date(*tp) : fallback;
}

// The first day with a register: the AOO's creation or its first entry, whichever is earlier (entries
// may be imported from before the AOO was set up here).
time::Date first_day(const RegisterAoo& a, time::Date fallback) {
  auto d = rome_day_of(a.created_at, fallback);
  if (a.first_registered_at) d = std::min(d, rome_day_of(*a.first_registered_at, d));
  return d;
}

// Puts the entries back as they were at the end of the day (`to`): the later changes, newest first,
// each restore their old value; an annulment made later did not exist yet.
void roll_back(std::vector<Entry>& entries, const std::vector<RegisterChange>& later, time::TimePoint to) {
  std::unordered_map<std::string, Entry*> by_id;
  for (auto& e : entries) {
    by_id[e.id] = &e;
    if (e.annulment && e.annulment->at >= to) e.annulment.reset();
  }
  for (const auto& c : later) {
    auto it = by_id.find(c.entry_id);
    if (it == by_id.end()) continue;
    Entry& e = *it->second;
    if (c.field == HistoryField::classification) e.classification = c.old_value;
    if (c.field == HistoryField::fascicolo) e.fascicolo = c.old_value;
    if (c.field == HistoryField::office) e.office = c.old_value;
  }
}

// Deterministic: boost::json keeps insertion order and every value comes from the data, never from the
// clock, so the same day of the same data serialises to the same bytes.
std::string render_json(const RegisterContent& c, const DailyRegisterInfo& info) {
  namespace json = boost::json;
  const auto opt = [](const std::optional<std::int64_t>& v) {
    return v ? json::value(*v) : json::value(nullptr);
  };
  json::array entries;
  for (const auto& e : c.entries) {
    json::array correspondents;
    for (const auto& p : e.correspondents) {
      correspondents.push_back(json::object{{"kind", to_string(p.kind)},
                                            {"name", p.name},
                                            {"fiscal_code", p.fiscal_code},
                                            {"pec", p.pec},
                                            {"email", p.email}});
    }
    json::array documents;
    for (const auto& d : e.documents) {
      documents.push_back(json::object{{"role", to_string(d.role)},
                                       {"file_name", d.file_name},
                                       {"mime_type", d.mime_type},
                                       {"size", d.size},
                                       {"sha256", d.sha256}});
    }
    json::value annulment = nullptr;
    if (e.annulment) {
      annulment = json::object{{"at", time::format_iso_utc_millis(e.annulment->at)},
                               {"by", e.annulment->by},
                               {"reason", e.annulment->reason},
                               {"authorisation", e.annulment->authorisation}};
    }
    entries.push_back(
        json::object{{"id", e.id},
                     {"year", e.year},
                     {"number", e.number},
                     {"number_text", format_number(e.number)},
                     {"registered_at", time::format_iso_utc_millis(e.registered_at)},
                     {"direction", to_string(e.direction)},
                     {"channel", to_string(e.channel)},
                     {"subject", e.subject},
                     {"correspondents", std::move(correspondents)},
                     {"sender_protocol_number", e.sender_protocol_number},
                     {"sender_protocol_date",
                      e.sender_protocol_date ? time::format_iso_date(*e.sender_protocol_date) : ""},
                     {"classification", e.classification},
                     {"fascicolo", e.fascicolo},
                     {"office", e.office},
                     {"registered_by", e.registered_by},
                     {"documents", std::move(documents)},
                     {"annulment", std::move(annulment)}});
  }
  json::array changes;
  for (const auto& h : c.changes) {
    changes.push_back(json::object{{"at", time::format_iso_utc_millis(h.at)},
                                   {"entry_id", h.entry_id},
                                   {"year", h.year},
                                   {"number", h.number},
                                   {"kind", h.kind == HistoryKind::annulment ? "annulment" : "edit"},
                                   {"field", to_string(h.field)},
                                   {"old", h.old_value},
                                   {"new", h.new_value},
                                   {"who", h.who}});
  }
  const auto& aoo = c.aoo.aoo;
  json::object root{
      {"format", kJsonFormat},
      {"admin_code", aoo.admin_code},
      {"aoo_code", aoo.code},
      {"aoo_name", aoo.name},
      {"day", info.day},
      {"time_zone", "Europe/Rome"},
      {"from", time::format_iso_utc_millis(c.from)},
      {"to", time::format_iso_utc_millis(c.to)},
      {"entry_count", info.entry_count},
      {"first_number", opt(info.first_number)},
      {"last_number", opt(info.last_number)},
      {"changes_count", info.changes_count},
      {"audit_head", json::object{{"seq", info.audit_head_seq}, {"hash", info.audit_head_hash}}},
      {"entries", std::move(entries)},
      {"changes", std::move(changes)}};
  // Only a provisional register says so: the legal ones keep their bytes (and digests) as they were.
  if (info.provisional) {
    root["provisional"] = true;
    root["produced_at"] = info.produced_at;
  }
  return json::serialize(root);
}

Result<std::vector<DailyRegisterInfo>> checked_list(DailyRegisterStore& store, tenants::TenantId tenant,
                                                    const DailyRegisterQuery& q) {
  for (const auto* d : {&q.from_day, &q.to_day}) {
    if (d->empty()) continue;
    if (auto p = parse_day(*d); !p) return p.error();
  }
  return store.list(tenant, q, std::clamp(q.limit, 1, kMaxList));
}

Error register_not_found(const std::string& what) {
  return Error::not_found("daily register " + what);
}

// Reads the day, renders it, stores it unless someone else did first, and returns the stored row.
// `inserted` says whether this call created it.
// The day's content, as at the end of the day, and the register's metadata and JSON built from it (the
// audit head is the one recorded in `info` when given, the current one otherwise).
struct Built {
  RegisterContent content;
  DailyRegisterInfo info;
  std::string json;
};

std::optional<Built> build(DailyRegisterStore& store, tenants::TenantId tenant, AooId aoo, time::Date day,
                           const std::optional<audit::Head>& recorded_head) {
  const time::TimePoint from = time::rome_day_start(day);
  const time::TimePoint to = time::rome_day_start(time::add_calendar_days(day, 1));
  auto content = store.content(tenant, aoo, from, to);
  if (!content) return std::nullopt;
  roll_back(content->entries, content->later, to);
  if (recorded_head) content->audit_head = *recorded_head;
  Built b{std::move(*content), {}, {}};
  auto& i = b.info;
  i.tenant_id = tenant;
  i.aoo_id = aoo;
  i.aoo_code = b.content.aoo.aoo.code;
  i.day = time::format_iso_date(day);
  i.entry_count = static_cast<std::int64_t>(b.content.entries.size());
  if (!b.content.entries.empty()) {
    i.first_number = b.content.entries.front().number;  // ordered by number
    i.last_number = b.content.entries.back().number;
  }
  i.changes_count = static_cast<std::int64_t>(b.content.changes.size());
  i.audit_head_seq = b.content.audit_head.seq;
  i.audit_head_hash = b.content.audit_head.hash;
  b.json = render_json(b.content, i);
  return b;
}

Result<DailyRegister> build_and_store(DailyRegisterStore& store, tenants::TenantId tenant, AooId aoo,
                                      time::Date day, time::TimePoint now, bool& inserted, const I18n& texts,
                                      const PdfOptions& pdf_options, stamp::StampService* stamps) {
  const std::string day_text = time::format_iso_date(day);
  auto built = build(store, tenant, aoo, day, std::nullopt);
  if (!built) return Error::make("protocollo.aoo", 404, std::to_string(aoo));
  const auto& content = built->content;
  DailyRegister r{std::move(built->info), std::move(built->json), {}};
  auto& i = r.info;
  i.produced_at = time::format_iso_utc_millis(now);
  i.json_sha256 = digest::sha256_hex(r.json);
  r.pdf.clear();
  if (stamps != nullptr) {
    // A legal record kept in Italian; the register has no protocol number of its own.
    stamp::IssueRequest req{
        tenant,
        "daily-register",
        texts.format("it", "registro_pdf.title", {{"aoo", i.aoo_code}, {"day", time::it_date_text(i.day)}}),
        "",
        "it",
        "system"};
    auto issued = stamps->issue(req, [&](const stamp::Block& b) {
      PdfOptions with = pdf_options;
      with.stamp = &b;
      return render_daily_register_pdf(content, i, texts, with);
    });
    if (issued) {
      r.pdf = std::move(issued->pdf);
    } else {
      spdlog::warn("daily register {} of AOO {} without the digital stamp: {} {}", day_text, aoo,
                   issued.error().code, issued.error().detail);
    }
  }
  if (r.pdf.empty()) r.pdf = render_daily_register_pdf(content, i, texts, pdf_options);
  i.pdf_sha256 = digest::sha256_hex(r.pdf);
  i.pdf_size = static_cast<std::int64_t>(r.pdf.size());

  // Another node may have stored the same day meanwhile: then its row is the register, ours is dropped.
  inserted = store.insert(r);
  auto stored = store.get_day(tenant, aoo, day_text);
  if (!stored) return Error::internal("daily register vanished: " + day_text);
  return std::move(*stored);
}

}  // namespace

Result<DailyRegister> DailyRegisterService::produce(tenants::TenantId tenant, AooId aoo,
                                                    const std::string& day) {
  auto d = parse_day(day);
  if (!d) return d.error();
  return produce(tenant, aoo, *d);
}

Result<DailyRegister> DailyRegisterService::produce(tenants::TenantId tenant, AooId aoo, time::Date day) {
  if (!day.ok()) return Error::make("protocollo_registro.day", 400);
  const auto now = clock_.now();
  const std::string day_text = time::format_iso_date(day);
  if (day > last_producible(now)) return Error::make("protocollo_registro.day_open", 409, day_text);
  DailyRegisterStore store(db_);
  if (auto existing = store.get_day(tenant, aoo, day_text)) return std::move(*existing);
  auto a = store.aoo(tenant, aoo);
  if (!a) return Error::make("protocollo.aoo", 404, std::to_string(aoo));
  if (day < first_day(*a, day)) return Error::make("protocollo_registro.before_start", 400, day_text);
  bool inserted = false;
  return build_and_store(store, tenant, aoo, day, now, inserted, texts_, PdfOptions{true, actor_name_},
                         stamps_);
}

Result<DailyRegister> DailyRegisterService::today_so_far(const identity::Principal* who,
                                                         tenants::TenantId tenant, AooId aoo) {
  if (auto st = identity::authorize(who, identity::Permission::annul_protocol, tenant); !st)
    return st.error();
  const auto now = clock_.now();
  DailyRegisterStore store(db_);
  if (!store.aoo(tenant, aoo)) return Error::make("protocollo.aoo", 404, std::to_string(aoo));
  auto built = build(store, tenant, aoo, time::rome_date(now), std::nullopt);
  if (!built) return Error::make("protocollo.aoo", 404, std::to_string(aoo));
  DailyRegister r{std::move(built->info), {}, {}};
  auto& i = r.info;
  i.provisional = true;
  i.produced_at = time::format_iso_utc_millis(now);
  r.json = render_json(built->content, i);
  i.json_sha256 = digest::sha256_hex(r.json);
  r.pdf = render_daily_register_pdf(built->content, i, texts_, PdfOptions{true, actor_name_});
  i.pdf_sha256 = digest::sha256_hex(r.pdf);
  i.pdf_size = static_cast<std::int64_t>(r.pdf.size());
  return r;
}

CatchUpReport DailyRegisterService::catch_up() {
  return catch_up(last_producible(clock_.now()));
}

CatchUpReport DailyRegisterService::catch_up(time::Date until) {
  CatchUpReport report;
  const auto now = clock_.now();
  const time::Date last = std::min(until, last_producible(now));
  DailyRegisterStore store(db_);
  // One query for all AOOs; an AOO whose count of registers matches its count of days is complete (one
  // register per day, UNIQUE (aoo_id, day), none before its first day), so nothing more is read for it.
  for (const auto& s : store.catch_up_state(time::format_iso_date(last))) {
    const auto& aoo = s.aoo.aoo;
    const time::Date first = first_day(s.aoo, last);
    if (first > last) continue;
    const auto days = (std::chrono::sys_days{last} - std::chrono::sys_days{first}).count() + 1;
    if (s.registers_until >= days) continue;
    std::string current;
    try {
      auto have_list = store.days(aoo.tenant_id, aoo.id);
      const std::set<std::string> have(have_list.begin(), have_list.end());
      for (time::Date d = first; d <= last; d = time::add_calendar_days(d, 1)) {
        current = time::format_iso_date(d);
        if (have.count(current) != 0) continue;
        bool inserted = false;
        auto r = build_and_store(store, aoo.tenant_id, aoo.id, d, now, inserted, texts_,
                                 PdfOptions{true, actor_name_}, stamps_);
        if (!r) {
          report.errors.push_back("AOO " + std::to_string(aoo.id) + " " + current + ": " + r.error().code);
          break;
        }
        if (inserted) ++report.produced;
      }
    } catch (const std::exception& e) {
      // One AOO's failure (database gone away, rendering) must not stop the others; the next run retries.
      report.errors.push_back("AOO " + std::to_string(aoo.id) + " " + current + ": " + e.what());
    }
  }
  return report;
}

Result<std::vector<DailyRegisterInfo>> DailyRegisterService::list(const identity::Principal* who,
                                                                  tenants::TenantId tenant,
                                                                  const DailyRegisterQuery& q) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  return list_for(tenant, q);
}

Result<DailyRegister> DailyRegisterService::get(const identity::Principal* who, tenants::TenantId tenant,
                                                DailyRegisterId id) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  return get_for(tenant, id);
}

Result<DailyRegister> DailyRegisterService::get_day(const identity::Principal* who, tenants::TenantId tenant,
                                                    AooId aoo, const std::string& day) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  return get_day_for(tenant, aoo, day);
}

Result<std::vector<DailyRegisterInfo>> DailyRegisterService::list_for(tenants::TenantId tenant,
                                                                      const DailyRegisterQuery& q) {
  DailyRegisterStore store(db_);
  return checked_list(store, tenant, q);
}

Result<DailyRegister> DailyRegisterService::get_for(tenants::TenantId tenant, DailyRegisterId id) {
  DailyRegisterStore store(db_);
  auto r = store.get(tenant, id);
  if (!r) return register_not_found(std::to_string(id));
  return std::move(*r);
}

Result<DailyRegister> DailyRegisterService::get_day_for(tenants::TenantId tenant, AooId aoo,
                                                        const std::string& day) {
  auto d = parse_day(day);
  if (!d) return d.error();
  DailyRegisterStore store(db_);
  auto r = store.get_day(tenant, aoo, time::format_iso_date(*d));
  if (!r) return register_not_found(std::to_string(aoo) + " " + day);
  return std::move(*r);
}

Result<DailyRegisterCheck> DailyRegisterService::verify(tenants::TenantId tenant, DailyRegisterId id) {
  auto r = get_for(tenant, id);
  if (!r) return r.error();
  DailyRegisterCheck check;
  check.json_sha256 = digest::sha256_hex(r->json);
  check.pdf_sha256 = digest::sha256_hex(r->pdf);
  check.json_ok = check.json_sha256 == r->info.json_sha256;
  check.pdf_ok = check.pdf_sha256 == r->info.pdf_sha256;
  const auto seq = r->info.audit_head_seq;
  if (seq == 0) {
    check.audit_ok = r->info.audit_head_hash == audit::kGenesisHash;
  } else {
    auto at_head = audit::AuditService(db_, clock_).entry_at(tenant, seq);
    check.audit_ok = at_head && at_head->hash == r->info.audit_head_hash;
  }
  // Rebuild the JSON from the registry as it is now, with the recorded audit head: the same bytes unless
  // an entry or a history row of that day was altered (or added with a clock set back) afterwards.
  if (auto day = time::parse_iso_date(r->info.day)) {
    DailyRegisterStore store(db_);
    auto built = build(store, tenant, r->info.aoo_id, *day, audit::Head{seq, r->info.audit_head_hash});
    check.content_ok = built && built->json == r->json;
  }
  return check;
}

std::string DailyRegisterService::file_name(const DailyRegisterInfo& info, const std::string& extension) {
  std::string code;
  for (char ch : info.aoo_code) {
    const bool safe = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                      ch == '_' || ch == '-';
    code += safe ? ch : '_';
  }
  return "registro_giornaliero_" + code + "_" + info.day + "." + extension;
}

}  // namespace sp::protocollo
