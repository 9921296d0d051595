#include "protocollo/model.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>

namespace sp::protocollo {
namespace json = boost::json;

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::incoming:
      return "incoming";
    case Direction::outgoing:
      return "outgoing";
    case Direction::internal:
      return "internal";
  }
  return "incoming";
}

std::string_view to_string(Channel c) {
  switch (c) {
    case Channel::online:
      return "online";
    case Channel::counter:
      return "counter";
    case Channel::pec:
      return "pec";
    case Channel::post:
      return "post";
    case Channel::email:
      return "email";
  }
  return "online";
}

std::string_view to_string(DocumentRole r) {
  return r == DocumentRole::primary ? "primary" : "attachment";
}

std::optional<Direction> parse_direction(std::string_view s) {
  for (auto d : {Direction::incoming, Direction::outgoing, Direction::internal})
    if (to_string(d) == s) return d;
  return std::nullopt;
}

std::optional<Channel> parse_channel(std::string_view s) {
  for (auto c : {Channel::online, Channel::counter, Channel::pec, Channel::post, Channel::email})
    if (to_string(c) == s) return c;
  return std::nullopt;
}

std::optional<DocumentRole> parse_document_role(std::string_view s) {
  if (s == "primary") return DocumentRole::primary;
  if (s == "attachment") return DocumentRole::attachment;
  return std::nullopt;
}

std::string_view to_string(CorrespondentKind k) {
  switch (k) {
    case CorrespondentKind::person:
      return "person";
    case CorrespondentKind::business:
      return "business";
    case CorrespondentKind::body:
      return "body";
  }
  return "person";
}

std::optional<CorrespondentKind> parse_correspondent_kind(std::string_view s) {
  if (s == "person") return CorrespondentKind::person;
  if (s == "business") return CorrespondentKind::business;
  if (s == "body") return CorrespondentKind::body;
  return std::nullopt;
}

std::string_view to_string(HistoryField f) {
  switch (f) {
    case HistoryField::classification:
      return "classification";
    case HistoryField::fascicolo:
      return "fascicolo";
    case HistoryField::office:
      return "office";
    case HistoryField::annulment_reason:
      return "annulment_reason";
    case HistoryField::annulment_authorisation:
      return "annulment_authorisation";
  }
  return "classification";
}

std::optional<HistoryField> parse_history_field(std::string_view s) {
  for (auto f : {HistoryField::classification, HistoryField::fascicolo, HistoryField::office,
                 HistoryField::annulment_reason, HistoryField::annulment_authorisation}) {
    if (to_string(f) == s) return f;
  }
  return std::nullopt;
}

std::string correspondents_to_json(const std::vector<Correspondent>& cs) {
  json::array arr;
  for (const auto& c : cs) {
    json::object o;
    o["kind"] = to_string(c.kind);
    o["name"] = c.name;
    if (!c.fiscal_code.empty()) o["fiscal_code"] = c.fiscal_code;
    if (!c.pec.empty()) o["pec"] = c.pec;
    if (!c.email.empty()) o["email"] = c.email;
    if (!c.ipa_code.empty()) o["ipa_code"] = c.ipa_code;
    if (!c.aoo_code.empty()) o["aoo_code"] = c.aoo_code;
    arr.push_back(std::move(o));
  }
  return json::serialize(arr);
}

std::vector<Correspondent> correspondents_from_json(const std::string& text) {
  std::vector<Correspondent> out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  auto field = [](const json::object& o, const char* k) -> std::string {
    auto it = o.find(k);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
  };
  for (const auto& item : v.as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    // Checked when registered (correspondent_from()).
    out.push_back({parse_correspondent_kind(field(o, "kind")).value_or(CorrespondentKind::person),
                   field(o, "name"), field(o, "fiscal_code"), field(o, "pec"), field(o, "email"),
                   field(o, "ipa_code"), field(o, "aoo_code")});
  }
  return out;
}

bool is_ipa_code(std::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
  });
}

bool is_pec_address(std::string_view s) {
  const auto at = s.find('@');
  return at != std::string_view::npos && at > 0 && s.find('.', at) != std::string_view::npos &&
         s.find('.', at) > at + 1 && s.back() != '.' && s.find('@', at + 1) == std::string_view::npos &&
         s.find_first_of(" \t\r\n,;<>\"()") == std::string_view::npos && s.size() <= 254;
}

std::string format_number(std::int64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%07lld", static_cast<long long>(number));
  return buf;
}

}  // namespace sp::protocollo
