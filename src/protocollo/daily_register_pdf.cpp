#include "protocollo/daily_register_pdf.hpp"

#include <string>
#include <utility>
#include <vector>

#include "core/pdf/document.hpp"
#include "core/time.hpp"

namespace sp::protocollo {
namespace {

// ---- Italian labels ----------------------------------------------------------------------------------

std::string direction_it(Direction d) {
  switch (d) {
    case Direction::incoming:
      return "Entrata";
    case Direction::outgoing:
      return "Uscita";
    case Direction::internal:
      return "Interno";
  }
  return {};
}

std::string channel_it(Channel c) {
  switch (c) {
    case Channel::online:
      return "online";
    case Channel::counter:
      return "sportello";
    case Channel::pec:
      return "PEC";
    case Channel::post:
      return "posta";
    case Channel::email:
      return "e-mail";
  }
  return {};
}

std::string field_it(HistoryField field) {
  switch (field) {
    case HistoryField::classification:
      return "Classificazione";
    case HistoryField::fascicolo:
      return "Fascicolo";
    case HistoryField::office:
      return "Ufficio";
    case HistoryField::annulment_reason:
      return "Motivo dell'annullamento";
    case HistoryField::annulment_authorisation:
      return "Provvedimento di autorizzazione";
  }
  return std::string(to_string(field));
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

std::string entry_cells_subject(const Entry& e) {
  std::string out = e.subject;
  if (!e.sender_protocol_number.empty()) {
    out += "\nProt. mittente n. " + e.sender_protocol_number;
    if (e.sender_protocol_date) out += " del " + time::format_it_date(*e.sender_protocol_date);
  }
  return out;
}

std::string entry_cells_classification(const Entry& e) {
  std::string out = e.classification;
  if (!e.fascicolo.empty()) out += (out.empty() ? "" : "\n") + std::string("Fasc. ") + e.fascicolo;
  if (!e.office.empty()) out += (out.empty() ? "" : "\n") + std::string("Uff. ") + e.office;
  return out;
}

std::string entry_cells_documents(const Entry& e) {
  std::string out;
  for (const auto& d : e.documents) {
    if (!out.empty()) out += "\n";
    out += (d.role == DocumentRole::primary ? "Principale: " : "Allegato: ") + d.file_name + " (" +
           std::to_string(d.size) + " byte)\nSHA-256 " + d.sha256;
  }
  return out;
}

std::string entry_cells_annulment(const Entry& e) {
  if (!e.annulment) return {};
  const auto& a = *e.annulment;
  return "ANNULLATA il " + rome_datetime_seconds(a.at) + " da " + a.by + "\nMotivo: " + a.reason +
         "\nProvvedimento: " + a.authorisation;
}

}  // namespace

namespace {
// Who made a change, by name: the register is read by people (and kept for good), not by programs.
std::string who_it(const std::string& who, const PdfOptions& options) {
  if (options.actor_name) {
    auto name = options.actor_name(who);
    if (!name.empty()) return name;
  }
  return who.rfind("staff:", 0) == 0 ? "Operatore dell'ente" : "Sistema";
}
}  // namespace

std::string render_daily_register_pdf(const RegisterContent& content, const DailyRegisterInfo& info,
                                      const PdfOptions& options) {
  const auto& aoo = content.aoo.aoo;
  const std::string day_it = it_date(info.day);
  pdf::Options o;
  o.lang = "it-IT";
  o.title = std::string(info.provisional ? "Registro provvisorio di protocollo "
                                         : "Registro giornaliero di protocollo ") +
            aoo.code + " " + day_it;
  o.author = aoo.admin_code + " — " + aoo.name;
  o.landscape = true;  // the tables need the width
  o.margin = 36;
  o.compress = options.compress;
  o.footer = "Registro giornaliero di protocollo — " + aoo.admin_code + " " + aoo.code + " — " + day_it;
  o.page_label = "Pagina {page} di {pages}";
  pdf::Document l(o);

  const pdf::TextStyle plain{.size = 10, .space_after = 2};
  const pdf::TextStyle strong{.size = 10, .bold = true, .space_after = 2};
  l.heading(1, "REGISTRO GIORNALIERO DI PROTOCOLLO", 15);
  l.paragraph("Amministrazione: " + aoo.admin_code + "    Area organizzativa omogenea: " + aoo.code + " — " +
                  aoo.name,
              plain);
  l.paragraph("Giornata: " + day_it + " (ora italiana, dalle 00:00 alle 24:00)", strong);
  std::string counts = "Registrazioni della giornata: " + std::to_string(info.entry_count);
  if (info.first_number && info.last_number) {
    counts += " (dal n. " + format_number(*info.first_number) + " al n. " + format_number(*info.last_number) +
              " dell'anno " + info.day.substr(0, 4) + ")";
  }
  l.paragraph(counts, plain);
  l.paragraph("Modifiche e annullamenti registrati nella giornata: " + std::to_string(info.changes_count),
              plain);
  l.paragraph("Prodotto il: " + rome_datetime_seconds(info.produced_at), plain);
  if (info.provisional) {
    l.paragraph(
        "PROVVISORIO: registrazioni della giornata fino a quel momento. Non è il registro giornaliero, "
        "che si produce dopo la mezzanotte e va in conservazione.",
        strong);
  }
  l.paragraph("Impronta SHA-256 del registro in formato JSON: " + info.json_sha256, plain);
  l.paragraph("Registro di audit dell'ente alla produzione: ultima voce n. " +
                  std::to_string(info.audit_head_seq) + ", impronta " + info.audit_head_hash,
              {.size = 10, .space_after = 6});

  // A cell longer than the style's limit (a subject of 2000 characters in a narrow column) is cut, saying
  // so: the JSON register always has the full text. It keeps every row shorter than a page.
  pdf::TableStyle table;
  table.size = 7;
  table.cut_note = "[… testo completo nel registro JSON]";

  l.heading(2, "Registrazioni della giornata", 11);
  std::vector<std::vector<std::string>> entries;
  if (content.entries.empty())
    entries.push_back({"", "", "", "", "Nessuna registrazione in questa giornata."});
  for (const auto& e : content.entries) {
    entries.push_back({format_number(e.number), rome_time(e.registered_at),
                       direction_it(e.direction) + "\n" + channel_it(e.channel),
                       entry_cells_correspondents(e), entry_cells_subject(e), entry_cells_classification(e),
                       entry_cells_documents(e), entry_cells_annulment(e)});
  }
  l.table({{"Numero", 50},
           {"Ora", 38},
           {"Tipo", 46},
           {"Corrispondenti", 128},
           {"Oggetto", 200},
           {"Classificazione", 76},
           {"Documenti e impronte", 150},
           {"Annullamento", 81}},
          std::move(entries), table);

  l.heading(2, "Modifiche e annullamenti registrati nella giornata", 11);
  std::vector<std::vector<std::string>> changes;
  if (content.changes.empty())
    changes.push_back({"", "", "", "", "Nessuna modifica o annullamento in questa giornata."});
  for (const auto& c : content.changes) {
    changes.push_back({rome_datetime_seconds(c.at), format_number(c.number) + "/" + std::to_string(c.year),
                       c.kind == HistoryKind::annulment ? "Annullamento" : "Modifica", field_it(c.field),
                       c.old_value, c.new_value, who_it(c.who, options)});
  }
  l.table({{"Data e ora", 80},
           {"Registrazione", 70},
           {"Tipo", 62},
           {"Campo", 100},
           {"Valore precedente", 170},
           {"Nuovo valore", 170},
           {"Operatore", 117}},
          std::move(changes), table);
  return l.finish();
}

}  // namespace sp::protocollo
