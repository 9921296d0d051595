#include "messaging/notice.hpp"

#include "adapters/appio/wire.hpp"
#include "adapters/messaging/outbox.hpp"
#include "messaging/service.hpp"

namespace sp::messaging {

Composed compose(MessagingService& messaging, const I18n& i18n, const NoticeRequest& n) {
  Composed out;
  if (n.person.empty()) return out;
  out.lang = messaging.language_of(n.person);
  const auto plan = messaging.route(n.person, n.type);
  if (plan.send.empty()) return out;
  std::map<std::string, std::string> values = n.values;
  const auto body = messaging.body_contacts(n.tenant_id);
  values.emplace("body", body.name);
  values.emplace("body_email", body.email.empty() ? "—" : body.email);
  values.emplace("body_pec", body.pec.empty() ? "—" : body.pec);
  values.emplace("body_phone", body.phone.empty() ? "—" : body.phone);
  for (const char* common : {"service", "protocol", "link"}) values.emplace(common, "");
  const auto own = messaging.texts(n.tenant_id, n.type, out.lang, values);
  const std::string key = hub_text_key(n.type);
  auto text = [&](const std::string& part) {
    if (own) return part == "subject" ? own->subject : part == "sms" ? own->sms : own->body;
    return i18n.format(out.lang, key + "." + part, values);
  };
  auto alternative = [&](const Route& r) {
    Alternative a{r.channel, r.recipient, "", ""};
    if (r.channel == Channel::sms) {
      a.body = text("sms");
    } else {
      a.subject = text("subject");
      a.body = text("body");
    }
    return a;
  };
  std::string io_options;
  if (n.remote) {
    appio::Options o;
    o.remote = appio::Remote{i18n.format(out.lang, "io_remote.teaser", values), {}, n.precondition, out.lang};
    io_options = appio::options_json(o);
  }
  std::vector<Route> routes = plan.send;
  std::vector<Route> fallbacks = plan.fallbacks;
  // App IO only within its limits: else the next channel.
  drop_unfit_io(routes, fallbacks, [&](const Route& r) {
    return appio::check_message(r.recipient, text("subject"), text("body"), io_options).ok();
  });
  const std::string email = messaging.contacts_of(n.person).email;
  for (const auto& r : routes) {
    const auto a = alternative(r);
    Message m;
    m.tenant_id = n.tenant_id;
    m.channel = r.channel;
    m.recipient = r.recipient;
    m.subject = a.subject;
    m.body = a.body;
    m.person = n.person;
    m.type = n.type;
    if (r.channel == Channel::appio) {
      m.fallback_recipient = email;
      m.options = io_options;
    }
    if (routes.size() == 1)
      for (const auto& f : fallbacks) m.fallbacks.push_back(alternative(f));
    out.messages.push_back(std::move(m));
  }
  return out;
}

void attach(Composed& composed, const std::string& file_id, const std::string& name) {
  for (auto& m : composed.messages) {
    if (m.channel != Channel::appio || m.options.empty()) continue;
    auto o = appio::parse_options(m.options);
    if (!o || !o->remote) continue;
    o->remote->attachments.push_back({file_id, name});
    m.options = appio::options_json(*o);
  }
}

Status enqueue_composed(db::Conn& tx, const Composed& composed, const time::Clock& clock) {
  for (const auto& m : composed.messages)
    if (auto q = enqueue(tx, m, clock); !q) return q.error();
  return Ok{};
}

}  // namespace sp::messaging
