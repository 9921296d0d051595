#include "cases/notify.hpp"

#include <stdexcept>

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
  const auto channels = notice_channels(r, n.legal);
  if (channels.empty()) return channels;
  const std::string lang = r.lang == "en" ? "en" : "it";
  std::map<std::string, std::string> values = n.values;
  values.emplace("service", c.title);
  values.emplace("body", ctx.body_name);
  values.emplace("protocol", c.protocol_label());
  values.emplace("link", ctx.link);
  const std::string key = "case_notice." + n.kind;
  std::vector<std::string> via;
  for (auto channel : channels) {
    messaging::Message m;
    m.tenant_id = c.tenant_id;
    m.channel = channel;
    m.person = c.applicant_cf;  // the applicant sees it in their area (/area-personale/messaggi)
    m.type = "case." + n.kind;
    if (channel == messaging::Channel::sms) {
      m.recipient = r.mobile;
      m.body = ctx.i18n.format(lang, key + ".sms", values);
      via.push_back(ctx.i18n.format(lang, "case_notice.via_sms", {{"address", mask_mobile(r.mobile)}}));
    } else {
      m.recipient = r.email;
      m.subject = ctx.i18n.format(lang, key + ".subject", values);
      m.body = ctx.i18n.format(lang, key + ".body", values);
      via.push_back(ctx.i18n.format(lang, "case_notice.via_email", {{"address", mask_email(r.email)}}));
    }
    if (auto q = messaging::enqueue(tx, m, ctx.clock); !q)
      throw std::runtime_error("case notice " + n.kind + ": " + q.error().code);
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
