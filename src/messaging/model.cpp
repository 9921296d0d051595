#include "messaging/model.hpp"

#include <algorithm>

namespace sp::messaging {

std::string_view to_string(TypeClass c) {
  switch (c) {
    case TypeClass::legal:
      return "legal";
    case TypeClass::reminder:
      return "reminder";
    case TypeClass::info:
      return "info";
    case TypeClass::code:
      return "code";
  }
  return "info";
}

const std::vector<MessageType>& message_types() {
  static const std::vector<MessageType> types = {
      {"case.submitted", TypeClass::info, {"segnatura", "due_date"}},
      {"case.additions_request", TypeClass::legal, {}},
      {"case.grounds", TypeClass::legal, {"days", "last_day", "letter_protocol"}},
      {"case.accepted", TypeClass::legal, {"letter_protocol"}},
      {"case.rejected", TypeClass::legal, {"letter_protocol"}},
      {"case.message", TypeClass::info, {}},
      {"case.withdrawn", TypeClass::info, {}},
      {"payment.due", TypeClass::reminder, {"amount", "due_date", "notice_number"}},
      // Registry certificates requested online (src/certificates): {service} is the certificate's kind,
      // {protocol} ANPR's protocol of the certificate.
      {"certificate.issued", TypeClass::info, {}},
      {"certificate.refused", TypeClass::info, {"reason"}},
      {"certificate.refund_due", TypeClass::info, {"reason", "amount"}},
      {"certificate.refund_paid", TypeClass::info, {"amount", "paid_on", "reference"}},
      {"contact.code", TypeClass::code, {"code", "minutes"}},
  };
  return types;
}

const MessageType* find_type(std::string_view name) {
  const auto& all = message_types();
  auto it = std::find_if(all.begin(), all.end(), [&](const MessageType& t) { return t.name == name; });
  return it == all.end() ? nullptr : &*it;
}

bool has_template(const MessageType& t) {
  return t.cls != TypeClass::code;
}
bool person_chooses(const MessageType& t) {
  return t.cls == TypeClass::reminder || t.cls == TypeClass::info;
}

std::string hub_text_key(std::string_view type) {
  if (type.starts_with("case.")) return "case_notice." + std::string(type.substr(5));
  std::string key(type);
  std::replace(key.begin(), key.end(), '.', '_');
  return key;
}

std::string fill(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find('{', pos);
    if (open == std::string_view::npos) break;
    const auto close = text.find('}', open + 1);
    if (close == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    auto it = values.find(std::string(text.substr(open + 1, close - open - 1)));
    if (it != values.end()) {
      out += it->second;
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    pos = close + 1;
  }
  out.append(text.substr(std::min(pos, text.size())));
  return out;
}

std::string pec_reason_key(std::string_view e) {
  if (e.starts_with("pec.no_acceptance")) return "ui.pec_reason_no_acceptance";
  if (!e.starts_with("pec ")) return {};
  e.remove_prefix(4);
  const auto end = e.find_first_of(": ");
  const std::string_view kind = e.substr(0, end);
  std::string_view code;
  if (end != std::string_view::npos && e.substr(end).starts_with(": ")) {
    code = e.substr(end + 2);
    code = code.substr(0, code.find_first_of(" ("));
  }
  if (kind == "non-accettazione") return "ui.pec_reason_non_accettazione";
  if (kind == "rilevazione-virus") return "ui.pec_reason_virus";
  if (kind == "preavviso-errore-consegna") return "ui.pec_reason_preavviso";
  if (kind == "errore-consegna") {
    if (code == "no-dest") return "ui.pec_reason_no_dest";
    if (code == "no-dominio") return "ui.pec_reason_no_dominio";
    if (code == "virus") return "ui.pec_reason_virus";
    return "ui.pec_reason_errore_consegna";
  }
  return {};
}

}  // namespace sp::messaging
