#include "protocollo/daily_register_pdf.hpp"

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/i18n.hpp"
#include "core/pdf/document.hpp"
#include "core/time.hpp"

namespace sp::protocollo {
namespace {

// ---- Labels: web/locales/*/protocollo_registro_pdf.json, always in Italian (a legal record)
// ----------------

// The register's texts in its one language, with placeholders filled.
class Texts {
 public:
  explicit Texts(const I18n& i18n) : i18n_(i18n) {}
  [[nodiscard]] std::string t(std::string_view key) const { return i18n_.t(kLang, key); }
  [[nodiscard]] std::string f(std::string_view key, const std::map<std::string, std::string>& values) const {
    return i18n_.format(kLang, key, values);
  }

 private:
  static constexpr std::string_view kLang = "it";
  const I18n& i18n_;
};

std::string direction_label(const Texts& tx, Direction d) {
  return tx.t("registro_pdf.direction." + std::string(to_string(d)));
}

std::string channel_label(const Texts& tx, Channel c) {
  return tx.t("registro_pdf.channel." + std::string(to_string(c)));
}

std::string field_label(const Texts& tx, HistoryField field) {
  return tx.t("registro_pdf.field." + std::string(to_string(field)));
}

// "20:15:03" in Rome.
std::string rome_time(time::TimePoint tp) {
  return date::format("%H:%M:%S", time::to_rome_local(tp));
}

// "23/11/2026 20:15:03" in Rome.
std::string rome_datetime_seconds(time::TimePoint tp) {
  return date::format("%d/%m/%Y %H:%M:%S", time::to_rome_local(tp));
}

// The same for a stored text, or the text as stored when it is not a valid instant.
std::string rome_datetime_seconds(const std::string& iso) {
  auto tp = time::parse_iso_utc(iso);
  return tp ? rome_datetime_seconds(*tp) : iso;
}

std::string it_date(const std::string& iso_day) {
  auto d = time::parse_iso_date(iso_day);
  return d ? time::format_it_date(*d) : iso_day;
}

std::string entry_cells_correspondents(const Entry& e) {
  std::string out;
  for (const auto& c : e.correspondents) {
    if (!out.empty()) out += "\n";
    out += c.name;
    if (!c.fiscal_code.empty()) out += " (" + c.fiscal_code + ")";
  }
  return out;
}

std::string entry_cells_subject(const Texts& tx, const Entry& e) {
  std::string out = e.subject;
  if (!e.sender_protocol_number.empty()) {
    out += "\n" + tx.f("registro_pdf.sender_protocol", {{"number", e.sender_protocol_number}});
    if (e.sender_protocol_date) {
      out += tx.f("registro_pdf.sender_protocol_date",
                  {{"date", time::format_it_date(*e.sender_protocol_date)}});
    }
  }
  return out;
}

std::string entry_cells_classification(const Texts& tx, const Entry& e) {
  std::string out = e.classification;
  if (!e.fascicolo.empty())
    out += (out.empty() ? "" : "\n") + tx.f("registro_pdf.fascicolo_short", {{"value", e.fascicolo}});
  if (!e.office.empty())
    out += (out.empty() ? "" : "\n") + tx.f("registro_pdf.office_short", {{"value", e.office}});
  return out;
}

std::string entry_cells_documents(const Texts& tx, const Entry& e) {
  std::string out;
  for (const auto& d : e.documents) {
    if (!out.empty()) out += "\n";
    out += tx.f(d.role == DocumentRole::primary ? "registro_pdf.document.primary"
                                                : "registro_pdf.document.attachment",
                {{"name", d.file_name}, {"size", std::to_string(d.size)}}) +
           "\nSHA-256 " + d.sha256;
  }
  return out;
}

std::string entry_cells_annulment(const Texts& tx, const Entry& e) {
  if (!e.annulment) return {};
  const auto& a = *e.annulment;
  return tx.f("registro_pdf.annulled", {{"at", rome_datetime_seconds(a.at)},
                                        {"by", a.by},
                                        {"reason", a.reason},
                                        {"authorisation", a.authorisation}});
}

}  // namespace

namespace {
// Who made a change, by name: the register is read by people (and kept for good), not by programs.
std::string who_label(const Texts& tx, const std::string& who, const PdfOptions& options) {
  if (options.actor_name) {
    auto name = options.actor_name(who);
    if (!name.empty()) return name;
  }
  return tx.t(who.rfind("staff:", 0) == 0 ? "registro_pdf.actor.staff" : "registro_pdf.actor.system");
}
}  // namespace

std::string render_daily_register_pdf(const RegisterContent& content, const DailyRegisterInfo& info,
                                      const I18n& texts, const PdfOptions& options) {
  const Texts tx(texts);
  const auto& aoo = content.aoo.aoo;
  const std::string day_it = it_date(info.day);
  pdf::Options o;
  o.lang = tx.t("pdf.lang");
  o.title = tx.f(info.provisional ? "registro_pdf.title_provisional" : "registro_pdf.title",
                 {{"aoo", aoo.code}, {"day", day_it}});
  o.author = aoo.admin_code + " — " + aoo.name;
  o.landscape = true;  // the tables need the width
  o.margin = 36;
  o.compress = options.compress;
  o.footer = tx.f("registro_pdf.footer", {{"admin", aoo.admin_code}, {"aoo", aoo.code}, {"day", day_it}});
  o.page_label = tx.t("pdf.page_of");
  pdf::Document l(o);

  const pdf::TextStyle plain{.size = 10, .space_after = 2};
  const pdf::TextStyle strong{.size = 10, .bold = true, .space_after = 2};
  l.heading(1, tx.t("registro_pdf.heading"), 15);
  l.paragraph(
      tx.f("registro_pdf.administration", {{"admin", aoo.admin_code}, {"aoo", aoo.code}, {"name", aoo.name}}),
      plain);
  l.paragraph(tx.f("registro_pdf.day", {{"day", day_it}}), strong);
  std::string counts = tx.f("registro_pdf.entry_count", {{"count", std::to_string(info.entry_count)}});
  if (info.first_number && info.last_number) {
    counts += tx.f("registro_pdf.entry_range", {{"first", format_number(*info.first_number)},
                                                {"last", format_number(*info.last_number)},
                                                {"year", info.day.substr(0, 4)}});
  }
  l.paragraph(counts, plain);
  l.paragraph(tx.f("registro_pdf.changes_count", {{"count", std::to_string(info.changes_count)}}), plain);
  l.paragraph(tx.f("registro_pdf.produced_at", {{"at", rome_datetime_seconds(info.produced_at)}}), plain);
  if (info.provisional) l.paragraph(tx.t("registro_pdf.provisional"), strong);
  l.paragraph(tx.f("registro_pdf.json_digest", {{"digest", info.json_sha256}}), plain);
  l.paragraph(tx.f("registro_pdf.audit_head",
                   {{"seq", std::to_string(info.audit_head_seq)}, {"hash", info.audit_head_hash}}),
              {.size = 10, .space_after = 6});

  // A cell longer than the style's limit (a subject of 2000 characters in a narrow column) is cut, saying
  // so: the JSON register always has the full text. It keeps every row shorter than a page.
  pdf::TableStyle table;
  table.size = 7;
  table.cut_note = tx.t("registro_pdf.cut_note");

  l.heading(2, tx.t("registro_pdf.entries"), 11);
  std::vector<std::vector<std::string>> entries;
  if (content.entries.empty()) entries.push_back({"", "", "", "", tx.t("registro_pdf.no_entries")});
  for (const auto& e : content.entries) {
    entries.push_back({format_number(e.number), rome_time(e.registered_at),
                       direction_label(tx, e.direction) + "\n" + channel_label(tx, e.channel),
                       entry_cells_correspondents(e), entry_cells_subject(tx, e),
                       entry_cells_classification(tx, e), entry_cells_documents(tx, e),
                       entry_cells_annulment(tx, e)});
  }
  l.table({{tx.t("registro_pdf.col.number"), 50},
           {tx.t("registro_pdf.col.time"), 38},
           {tx.t("registro_pdf.col.type"), 46},
           {tx.t("registro_pdf.col.correspondents"), 128},
           {tx.t("registro_pdf.col.subject"), 200},
           {tx.t("registro_pdf.col.classification"), 76},
           {tx.t("registro_pdf.col.documents"), 150},
           {tx.t("registro_pdf.col.annulment"), 81}},
          std::move(entries), table);

  l.heading(2, tx.t("registro_pdf.changes"), 11);
  std::vector<std::vector<std::string>> changes;
  if (content.changes.empty()) changes.push_back({"", "", "", "", tx.t("registro_pdf.no_changes")});
  for (const auto& c : content.changes) {
    changes.push_back({rome_datetime_seconds(c.at), format_number(c.number) + "/" + std::to_string(c.year),
                       tx.t(c.kind == HistoryKind::annulment ? "registro_pdf.change.annulment"
                                                             : "registro_pdf.change.edit"),
                       field_label(tx, c.field), c.old_value, c.new_value, who_label(tx, c.who, options)});
  }
  l.table({{tx.t("registro_pdf.col.at"), 80},
           {tx.t("registro_pdf.col.entry"), 70},
           {tx.t("registro_pdf.col.change_type"), 62},
           {tx.t("registro_pdf.col.field"), 100},
           {tx.t("registro_pdf.col.old"), 170},
           {tx.t("registro_pdf.col.new"), 170},
           {tx.t("registro_pdf.col.who"), 117}},
          std::move(changes), table);
  if (options.stamp != nullptr) stamp::add_block(l, *options.stamp);
  return l.finish();
}

}  // namespace sp::protocollo
