#include "protocollo/web_support.hpp"

#include <cctype>
#include <charconv>

#include "core/text.hpp"
#include "core/time.hpp"

namespace sp::protocollo {
namespace {

Error bad(const std::string& code, const std::string& field, const std::string& detail) {
  Error e = Error::make(code, 400, detail);
  e.field = field;
  return e;
}

template <typename T>
bool parse_int(const std::string& s, T& out) {
  auto t = text::trim(s);
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  return ec == std::errc() && p == t.data() + t.size();
}

std::string upper(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

Result<CorrespondentKind> correspondent_kind_from(std::string_view text) {
  if (auto k = parse_correspondent_kind(text)) return *k;
  return bad("protocollo.correspondents", "correspondents", "kind: " + std::string(text));
}

Result<NewEntry> entry_from_fields(const Fields& f, const std::vector<Aoo>& aoos) {
  NewEntry e;
  const auto aoo = field_of(f, "aoo");
  std::vector<const Aoo*> active;
  for (const auto& a : aoos)
    if (a.active) active.push_back(&a);
  if (aoo.empty()) {
    if (active.size() != 1) return bad("protocollo.aoo", "aoo", "choose an AOO");
    e.aoo_id = active.front()->id;
  } else {
    const Aoo* found = nullptr;
    for (const auto* a : active)
      if (a->code == aoo || std::to_string(a->id) == aoo) found = a;
    if (!found) return bad("protocollo.aoo", "aoo", aoo);
    e.aoo_id = found->id;
  }
  const auto direction = field_of(f, "direction");
  if (!direction.empty()) {
    auto d = parse_direction(direction);
    if (!d) return bad("protocollo.direction", "direction", direction);
    e.direction = *d;
  }
  const auto channel = field_of(f, "channel");
  if (!channel.empty()) {
    auto c = parse_channel(channel);
    if (!c) return bad("protocollo.channel", "channel", channel);
    e.channel = *c;
  }
  e.subject = std::string(text::trim(field_of(f, "subject")));
  Correspondent c;
  c.name = std::string(text::trim(field_of(f, "correspondent_name")));
  c.fiscal_code = upper(text::trim(field_of(f, "correspondent_fiscal_code")));
  c.pec = std::string(text::trim(field_of(f, "correspondent_pec")));
  c.email = std::string(text::trim(field_of(f, "correspondent_email")));
  if (!c.name.empty() || !c.fiscal_code.empty() || !c.pec.empty() || !c.email.empty()) {
    if (const auto kind = field_of(f, "correspondent_kind"); !kind.empty()) {
      auto k = correspondent_kind_from(kind);
      if (!k) return k.error();
      c.kind = *k;
    }
    e.correspondents.push_back(c);
  }
  e.sender_protocol_number = std::string(text::trim(field_of(f, "sender_protocol_number")));
  e.sender_protocol_date = std::string(text::trim(field_of(f, "sender_protocol_date")));
  e.classification = std::string(text::trim(field_of(f, "classification")));
  e.fascicolo = std::string(text::trim(field_of(f, "fascicolo")));
  e.office = std::string(text::trim(field_of(f, "office")));
  return e;
}

Result<SearchQuery> search_from_fields(const Fields& f) {
  SearchQuery q;
  if (auto y = field_of(f, "anno"); !y.empty()) {
    int v = 0;
    if (!parse_int(y, v) || v < 1900 || v > 9999) return bad("protocollo.search", "anno", y);
    q.year = v;
  }
  if (auto n = field_of(f, "numero"); !n.empty()) {
    std::int64_t v = 0;
    if (!parse_int(n, v) || v < 1) return bad("protocollo.search", "numero", n);
    q.number = v;
  }
  if (auto a = field_of(f, "aoo"); !a.empty()) {
    std::int64_t v = 0;
    if (!parse_int(a, v)) return bad("protocollo.search", "aoo", a);
    q.aoo_id = v;
  }
  // "dal"/"al" are days in Rome, both inclusive; the service takes [from, to).
  if (auto d = field_of(f, "dal"); !d.empty()) {
    if (!time::parse_iso_date(d)) return bad("protocollo.search", "dal", d);
    q.from = d;
  }
  if (auto d = field_of(f, "al"); !d.empty()) {
    auto day = time::parse_iso_date(d);
    if (!day) return bad("protocollo.search", "al", d);
    q.to = time::format_iso_date(time::add_calendar_days(*day, 1));
  }
  q.subject = std::string(text::trim(field_of(f, "oggetto")));
  q.correspondent = std::string(text::trim(field_of(f, "corrispondente")));
  q.classification = std::string(text::trim(field_of(f, "classificazione")));
  if (auto l = field_of(f, "limite"); !l.empty()) {
    int v = 0;
    if (!parse_int(l, v) || v < 1) return bad("protocollo.search", "limite", l);
    q.limit = v;
  }
  return q;
}

}  // namespace sp::protocollo
