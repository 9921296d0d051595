#include "adapters/appio/wire.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/codice_fiscale.hpp"
#include "core/time.hpp"

namespace sp::appio {
namespace {

namespace json = boost::json;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// IO's Timestamp: "YYYY-MM-DDTHH:MM:SS[.mmm]Z", UTC.
bool is_utc_timestamp(std::string_view s) {
  if (s.size() < 20 || (s.back() != 'Z')) return false;
  return static_cast<bool>(time::parse_iso_utc(s));
}

Status check_payment(const PaymentData& p) {
  if (p.amount_cents < 1 || p.amount_cents > kAmountMax) return Error::make("appio.amount", 400);
  if (p.notice_number.size() != 18 || !all_digits(p.notice_number) || p.notice_number[0] > '3')
    return Error::make("appio.notice_number", 400, p.notice_number);
  if (p.payee_fiscal_code.size() != 11 || !all_digits(p.payee_fiscal_code))
    return Error::make("appio.payee", 400, p.payee_fiscal_code);
  return Ok{};
}

json::object content_json(std::string_view subject, std::string_view markdown, const Options& o) {
  json::object c;
  c["subject"] = subject;
  c["markdown"] = markdown;
  if (!o.due_date.empty()) c["due_date"] = o.due_date;
  if (o.payment) {
    json::object p;
    p["amount"] = o.payment->amount_cents;
    p["notice_number"] = o.payment->notice_number;
    p["invalid_after_due_date"] = o.payment->invalid_after_due_date;
    p["payee"] = json::object{{"fiscal_code", o.payment->payee_fiscal_code}};
    c["payment_data"] = std::move(p);
  }
  return c;
}

}  // namespace

std::size_t utf16_length(std::string_view utf8) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    n += (c >= 0xF0) ? 2 : 1;          // outside the BMP: a surrogate pair
  }
  return n;
}

Result<Options> parse_options(std::string_view text) {
  Options o;
  if (text.empty()) return o;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return Error::make("appio.options", 400, "not a JSON object");
  const auto& obj = v.as_object();
  if (const auto* d = obj.if_contains("due_date")) {
    if (!d->is_string()) return Error::make("appio.due_date", 400);
    o.due_date = std::string(d->as_string());
  }
  if (const auto* p = obj.if_contains("payment_data")) {
    if (!p->is_object()) return Error::make("appio.options", 400, "payment_data");
    const auto& po = p->as_object();
    PaymentData pd;
    const auto* amount = po.if_contains("amount");
    if (amount == nullptr || !amount->is_int64()) return Error::make("appio.amount", 400);
    pd.amount_cents = amount->as_int64();
    if (const auto* n = po.if_contains("notice_number"); n != nullptr && n->is_string())
      pd.notice_number = std::string(n->as_string());
    if (const auto* b = po.if_contains("invalid_after_due_date"); b != nullptr && b->is_bool())
      pd.invalid_after_due_date = b->as_bool();
    if (const auto* payee = po.if_contains("payee"); payee != nullptr && payee->is_object()) {
      if (const auto* f = payee->as_object().if_contains("fiscal_code"); f != nullptr && f->is_string())
        pd.payee_fiscal_code = std::string(f->as_string());
    }
    o.payment = std::move(pd);
  }
  if (const auto* r = obj.if_contains("remote")) {
    if (!r->is_object()) return Error::make("appio.remote", 400, "remote");
    const auto& ro = r->as_object();
    Remote remote;
    if (const auto* t = ro.if_contains("teaser"); t != nullptr && t->is_string())
      remote.teaser = std::string(t->as_string());
    if (const auto* a = ro.if_contains("attachments")) {
      if (!a->is_array()) return Error::make("appio.remote", 400, "attachments");
      for (const auto& item : a->as_array()) {
        const auto* io = item.if_object();
        const auto* f = io ? io->if_contains("file") : nullptr;
        const auto* n = io ? io->if_contains("name") : nullptr;
        if (f == nullptr || n == nullptr || !f->is_string() || !n->is_string())
          return Error::make("appio.remote", 400, "attachment");
        remote.attachments.push_back({std::string(f->as_string()), std::string(n->as_string())});
      }
    }
    if (const auto* p = ro.if_contains("precondition"); p != nullptr && p->is_string())
      remote.precondition = std::string(p->as_string());
    if (const auto* l = ro.if_contains("lang"); l != nullptr && l->is_string())
      remote.lang = l->as_string() == "en" ? "en" : "it";
    o.remote = std::move(remote);
  }
  return o;
}

std::string options_json(const Options& o) {
  if (o.due_date.empty() && !o.payment && !o.remote) return {};
  json::object c = content_json("", "", o);
  c.erase("subject");
  c.erase("markdown");
  if (o.remote) {
    json::array a;
    for (const auto& at : o.remote->attachments)
      a.push_back(json::object{{"file", at.file_id}, {"name", at.name}});
    json::object r;
    r["teaser"] = o.remote->teaser;
    r["attachments"] = std::move(a);
    if (!o.remote->precondition.empty()) r["precondition"] = o.remote->precondition;
    if (o.remote->lang != "it") r["lang"] = o.remote->lang;
    c["remote"] = std::move(r);
  }
  return json::serialize(c);
}

Status check_message(std::string_view fiscal_code, std::string_view subject, std::string_view markdown,
                     std::string_view options) {
  if (!cf::validate_person(fiscal_code))
    return Error::make("appio.fiscal_code", 400, std::string(fiscal_code));
  const auto sl = utf16_length(subject);
  if (sl < kSubjectMin || sl > kSubjectMax) return Error::make("appio.subject", 400, std::to_string(sl));
  const auto ml = utf16_length(markdown);
  if (ml < kMarkdownMin || ml > kMarkdownMax) return Error::make("appio.markdown", 400, std::to_string(ml));
  auto o = parse_options(options);
  if (!o) return o.error();
  if (!o->due_date.empty() && !is_utc_timestamp(o->due_date))
    return Error::make("appio.due_date", 400, o->due_date);
  if (o->payment) {
    if (auto p = check_payment(*o->payment); !p) return p;
  }
  if (o->remote) {
    // The teaser is what IO stores: IO's limits; the text itself is served by the hub (same limits).
    const auto tl = utf16_length(o->remote->teaser);
    if (tl < kMarkdownMin || tl > kMarkdownMax) return Error::make("appio.markdown", 400, std::to_string(tl));
    for (const auto& a : o->remote->attachments) {
      if (a.file_id.empty() || a.name.size() < 5 || !a.name.ends_with(".pdf") ||
          a.name.find_first_of("/\\\r\n") != std::string::npos)
        return Error::make("appio.remote", 400, a.name);
    }
    if (!o->remote->precondition.empty() &&
        std::find(std::begin(kPreconditionKinds), std::end(kPreconditionKinds), o->remote->precondition) ==
            std::end(kPreconditionKinds))
      return Error::make("appio.remote", 400, o->remote->precondition);
  }
  return Ok{};
}

std::string new_message_json(std::string_view fiscal_code, std::string_view subject,
                             std::string_view markdown, const Options& options,
                             const ThirdParty* third_party) {
  json::object m;
  m["fiscal_code"] = fiscal_code;
  if (third_party != nullptr && options.remote) {
    auto c = content_json(subject, options.remote->teaser, options);
    const bool attachments = !options.remote->attachments.empty();
    json::object t{{"id", third_party->id}, {"has_remote_content", true}, {"has_attachments", attachments}};
    // IO asks for the precondition before it opens the message (once: IO remembers it was shown).
    t["has_precondition"] = options.remote->precondition.empty() ? "NEVER" : "ONCE";
    if (!third_party->configuration_id.empty()) t["configuration_id"] = third_party->configuration_id;
    c["third_party_data"] = std::move(t);
    m["content"] = std::move(c);
    if (attachments) m["feature_level_type"] = "ADVANCED";  // attachments are IO's premium feature
  } else {
    m["content"] = content_json(subject, markdown, options);
  }
  return json::serialize(m);
}

std::string attachment_url(std::size_t index) {
  return "attachments/" + std::to_string(index + 1);
}

std::string precondition_json(std::string_view title, std::string_view markdown) {
  return json::serialize(json::object{{"title", title}, {"markdown", markdown}});
}

std::string third_party_message_json(std::string_view subject, std::string_view markdown,
                                     const std::vector<RemoteAttachment>& attachments) {
  json::object out;
  out["details"] = json::object{{"subject", subject}, {"markdown", markdown}};
  if (!attachments.empty()) {
    json::array a;
    for (std::size_t i = 0; i < attachments.size(); ++i)
      a.push_back(json::object{{"id", std::to_string(i + 1)},
                               {"content_type", "application/pdf"},
                               {"name", attachments[i].name},
                               {"url", attachment_url(i)},
                               {"category", "DOCUMENT"}});
    out["attachments"] = std::move(a);
  }
  return json::serialize(out);
}

Result<Reach> parse_profile(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return Error::make("appio.answer", 502, "profile: not a JSON object");
  const auto* allowed = v.as_object().if_contains("sender_allowed");
  if (allowed == nullptr || !allowed->is_bool())
    return Error::make("appio.answer", 502, "profile: sender_allowed");
  return allowed->as_bool() ? Reach::on_io : Reach::opted_out;
}

Result<std::string> parse_created(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return Error::make("appio.answer", 502, "created: not a JSON object");
  const auto* id = v.as_object().if_contains("id");
  if (id == nullptr || !id->is_string() || id->as_string().empty())
    return Error::make("appio.answer", 502, "created: id");
  return std::string(id->as_string());
}

}  // namespace sp::appio
