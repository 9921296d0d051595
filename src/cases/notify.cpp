#include "cases/notify.hpp"

#include <stdexcept>

#include "adapters/appio/wire.hpp"
#include "adapters/messaging/outbox.hpp"
#include "cases/store.hpp"

namespace sp::cases {

std::string mask_email(const std::string& address) {
  const auto at = address.rfind('@');
  if (at == std::string::npos || at == 0) return "***";
  return address.substr(0, 1) + "***" + address.substr(at);
}

std::string mask_mobile(const std::string& number) {
  if (number.size() < 8) return "***";
  const std::size_t head = number.rfind("+", 0) == 0 ? 3 : 0;
  return number.substr(0, head) + std::string(number.size() - head - 4, '*') +
         number.substr(number.size() - 4);
}

std::vector<messaging::Channel> notice_channels(const Recipient& r, bool legal) {
  std::vector<messaging::Channel> out;
  if (r.preferred == "none") return out;
  const bool sms_first = r.preferred == "sms" && !r.mobile.empty();
  if (sms_first) out.push_back(messaging::Channel::sms);
  // E-mail: the preference, or what stands in for one that cannot be served (App IO, an SMS preference
  // whose number is no longer verified), or for an act that starts or ends a term.
  if (!r.email.empty() && (!sms_first || legal)) out.push_back(messaging::Channel::email);
  if (legal && !sms_first && !r.mobile.empty()) out.push_back(messaging::Channel::sms);
  return out;
}

std::vector<messaging::Channel> send_notice(db::Conn& tx, const NoticeContext& ctx, const Case& c,
                                            const Recipient& r, const Notice& n) {
  const std::string lang = r.lang == "en" ? "en" : "it";
  const std::string type = "case." + n.kind;
  std::vector<messaging::Route> routes, fallbacks;
  if (r.routed) {
    if (auto it = r.plans.find(type); it != r.plans.end()) {
      routes = it->second.send;
      fallbacks = it->second.fallbacks;
    }
  } else {
    for (auto ch : notice_channels(r, n.legal))
      routes.push_back({ch, ch == messaging::Channel::sms ? r.mobile : r.email});
  }
  if (routes.empty()) return {};
  std::map<std::string, std::string> values = n.values;
  values.emplace("service", c.title);
  values.emplace("body", ctx.body_name);
  values.emplace("protocol", c.protocol_label());
  values.emplace("link", ctx.link);
  for (const auto& [k, v] : r.body_values) values.emplace(k, v);
  const std::string key = "case_notice." + n.kind;
  const auto own = r.texts.find(type);
  auto text = [&](const char* part) {
    if (own != r.texts.end()) {
      const std::string& t = std::string_view(part) == "subject" ? own->second.subject
                             : std::string_view(part) == "sms"   ? own->second.sms
                                                                 : own->second.body;
      return messaging::fill(t, values);
    }
    return ctx.i18n.format(lang, key + "." + part, values);
  };
  auto alternative = [&](const messaging::Route& route) {
    messaging::Alternative a;
    a.channel = route.channel;
    a.recipient = route.recipient;
    if (route.channel == messaging::Channel::sms) {
      a.body = text("sms");
    } else {
      a.subject = text("subject");
      a.body = text("body");
    }
    return a;
  };
  // App IO takes a message only within its limits: else the next one (a copy among others, as for a
  // legal act, is just left out).
  messaging::drop_unfit_io(routes, fallbacks, [&](const messaging::Route& r) {
    return appio::check_message(r.recipient, text("subject"), text("body"), "").ok();
  });
  if (routes.empty()) return {};
  std::vector<messaging::Channel> channels;
  std::vector<std::string> via;
  for (const auto& route : routes) {
    auto a = alternative(route);
    messaging::Message m;
    m.tenant_id = c.tenant_id;
    m.channel = route.channel;
    m.recipient = route.recipient;
    m.subject = a.subject;
    m.body = a.body;
    m.person = c.applicant_cf;  // the applicant sees it in their area (/area-personale/messaggi)
    m.type = type;
    if (route.channel == messaging::Channel::appio) {
      m.fallback_recipient = r.email;
      if (!n.documents.empty()) {  // personal content: IO's remote-content mode
        appio::Options o;
        // IO shows the precondition "act" before it opens the letter (messaging/appio_remote_web.hpp).
        o.remote = appio::Remote{
            ctx.i18n.format(lang, "case_notice.io_teaser", {{"body", ctx.body_name}}), {}, "act", lang};
        for (const auto& [file, name] : n.documents) o.remote->attachments.push_back({file, name});
        m.options = appio::options_json(o);
      }
    }
    if (routes.size() == 1) {  // one channel: the others stand in if it fails for good
      for (const auto& f : fallbacks) m.fallbacks.push_back(alternative(f));
    }
    const std::string masked = route.channel == messaging::Channel::sms     ? mask_mobile(route.recipient)
                               : route.channel == messaging::Channel::appio ? std::string("App IO")
                                                                            : mask_email(route.recipient);
    via.push_back(ctx.i18n.format(lang, "case_notice.via_" + std::string(messaging::to_string(route.channel)),
                                  {{"address", masked}}));
    if (auto q = messaging::enqueue(tx, m, ctx.clock); !q)
      throw std::runtime_error("case notice " + n.kind + ": " + q.error().code);
    channels.push_back(route.channel);
  }
  std::string joined;
  for (std::size_t i = 0; i < via.size(); ++i) {
    if (i > 0) joined += ctx.i18n.t(lang, "case_notice.and");
    joined += via[i];
  }
  Message h;
  h.case_id = c.id;
  h.direction = MessageDirection::to_applicant;
  h.kind = MessageKind::notification;
  h.body = ctx.i18n.format(lang, "case_notice.sent",
                           {{"what", ctx.i18n.t(lang, key + ".what")}, {"channels", joined}});
  h.who = "system:cases";
  h.at = ctx.at;
  CaseStore::insert_message(tx, c.tenant_id, h);
  return channels;
}

}  // namespace sp::cases
