#include "messaging/payment_due_job.hpp"

#include <spdlog/spdlog.h>

#include "adapters/appio/wire.hpp"
#include "core/money.hpp"
#include "messaging/store.hpp"

namespace sp::messaging {

PaymentReminders::PaymentReminders(db::Database& db, MessagingService& messaging,
                                   payments::PaymentsService& payments, const I18n& i18n,
                                   std::string public_url, const time::Clock& clock)
    : db_(db),
      messaging_(messaging),
      payments_(payments),
      i18n_(i18n),
      public_url_(std::move(public_url)),
      clock_(clock) {}

int PaymentReminders::run_once() {
  const auto now = clock_.now();
  const auto today = time::rome_date(now);
  const auto days = store::all_payment_due_days(db_);
  auto due_in = [&](std::int64_t tenant) {
    auto it = days.find(tenant);
    return it == days.end() ? 3 : it->second;
  };
  int reminded = 0;
  // Every option due within the longest setting; each body's own N picks its day.
  for (const auto& o : payments_.options_due(today, time::add_calendar_days(today, 30))) {
    if (o.due_date != time::add_calendar_days(today, due_in(o.tenant_id))) continue;
    if (o.debtor_fiscal_code.empty()) continue;
    // Read before the write: where it goes, in which language, in which texts.
    const auto plan = messaging_.route(o.debtor_fiscal_code, "payment.due");
    const std::string lang = messaging_.language_of(o.debtor_fiscal_code);
    const auto body = messaging_.body_contacts(o.tenant_id);
    std::map<std::string, std::string> values{
        {"body", body.name},
        {"amount", money::format(o.amount, lang)},
        {"due_date", time::it_date_text(time::format_iso_date(o.due_date))},
        {"notice_number", o.nav},
        {"service", o.description},
        {"protocol", ""},
        {"link", public_url_ + "/area-personale/pagamenti"},
        {"body_email", body.email.empty() ? "—" : body.email},
        {"body_pec", body.pec.empty() ? "—" : body.pec},
        {"body_phone", body.phone.empty() ? "—" : body.phone}};
    const auto own = messaging_.texts(o.tenant_id, "payment.due", lang, values);
    auto text = [&](const std::string& part) {
      if (own) return part == "subject" ? own->subject : part == "sms" ? own->sms : own->body;
      return i18n_.format(lang, "payment_due." + part, values);
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
    std::vector<Route> routes = plan.send;
    std::vector<Route> fallbacks = plan.fallbacks;
    // App IO only within its limits; else the next channel.
    if (!routes.empty() && routes.front().channel == Channel::appio &&
        !appio::check_message(routes.front().recipient, text("subject"), text("body"), "")) {
      routes.erase(routes.begin());
      if (routes.empty() && !fallbacks.empty()) {
        routes.push_back(fallbacks.front());
        fallbacks.erase(fallbacks.begin());
      }
    }
    bool done = false;
    db_.write([&](db::Conn& tx) {
      done = false;
      if (store::payment_reminded(tx, o.tenant_id, o.option_id)) return;  // once per option
      int queued = 0;
      const auto contacts = messaging_.contacts_of(o.debtor_fiscal_code);
      for (const auto& r : routes) {
        const auto a = alternative(r);
        Message m;
        m.tenant_id = o.tenant_id;
        m.channel = r.channel;
        m.recipient = r.recipient;
        m.subject = a.subject;
        m.body = a.body;
        m.person = o.debtor_fiscal_code;
        m.type = "payment.due";
        if (r.channel == Channel::appio) m.fallback_recipient = contacts.email;
        if (routes.size() == 1)
          for (const auto& f : fallbacks) m.fallbacks.push_back(alternative(f));
        auto q = enqueue(tx, m, clock_);
        if (!q) throw std::runtime_error("payment.due: " + q.error().code + " " + q.error().detail);
        ++queued;
      }
      store::record_payment_reminder(tx, o.tenant_id, o.option_id, time::format_iso_date(o.due_date),
                                     o.debtor_fiscal_code, queued, time::format_iso_utc(now));
      done = true;
    });
    if (done) ++reminded;
  }
  return reminded;
}

void PaymentReminders::register_with(jobs::Runner& runner) {
  jobs::Kind k;
  k.name = kPaymentDueKind;
  k.retry =
      jobs::RetryPolicy{5, std::chrono::seconds(60), std::chrono::seconds(3600), std::chrono::seconds(900)};
  k.run = [this](jobs::JobRun&) -> Status {
    if (const int n = run_once(); n > 0) spdlog::info("payment.due: {} option(s) reminded", n);
    return Ok{};
  };
  runner.add_periodic(std::move(k),
                      jobs::Periodic{jobs::DailyAt{std::chrono::hours(8)}, jobs::CatchUp::latest_only});
}

}  // namespace sp::messaging
