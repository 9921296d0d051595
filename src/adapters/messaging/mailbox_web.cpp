#include "adapters/messaging/mailbox_web.hpp"

#include <algorithm>

#include "core/time.hpp"

namespace sp::messaging {
namespace {

using web::Data;

http::Response mailbox(SimMailboxDeps& d, http::Request& req) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "sim_mailbox";
  page.title = d.view.t(lang, "ui.sim_mailbox_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}, {page.title, ""}};
  if (d.smtp != nullptr) {
    auto mails = d.smtp->messages();
    if (d.pec != nullptr) {  // PEC too (the demo's provider): a verification code sent by PEC is read here
      auto certified = d.pec->messages();
      mails.insert(mails.end(), certified.begin(), certified.end());
      std::stable_sort(mails.begin(), mails.end(),
                       [](const auto& a, const auto& b) { return a.received_at < b.received_at; });
    }
    std::reverse(mails.begin(), mails.end());
    Data list = web::list();
    for (const auto& m : mails) {
      Data item;
      item.set("id", m.id);
      item.set("from", m.mail_from);
      std::string to;
      for (const auto& r : m.rcpt_to) to += (to.empty() ? "" : ", ") + r;
      item.set("to", to);
      item.set("subject", m.subject());
      item.set("body", m.body());
      item.set("received_at", time::it_datetime_text(m.received_at));
      list.push_back(item);
    }
    page.data.set("has_smtp", true);
    page.data.set("mails", list);
    page.data.set("no_mails", mails.empty());
  }
  if (d.sms != nullptr) {
    auto texts = d.sms->messages();
    std::reverse(texts.begin(), texts.end());
    Data list = web::list();
    for (const auto& m : texts) {
      Data item;
      item.set("id", m.id);
      item.set("to", m.to);
      item.set("sender", m.sender);
      item.set("text", m.text);
      item.set("received_at", time::it_datetime_text(m.received_at));
      list.push_back(item);
    }
    page.data.set("has_sms", true);
    page.data.set("texts", list);
    page.data.set("no_texts", texts.empty());
  }
  auto r = http::Response::html(d.view.render(req, page));
  r.header("Cache-Control", "no-store");
  return r;
}

}  // namespace

void register_sim_mailbox(http::Router& router, SimMailboxDeps& d) {
  router.get("/sim/posta", [&d](http::Request& r) { return mailbox(d, r); });
}

}  // namespace sp::messaging
