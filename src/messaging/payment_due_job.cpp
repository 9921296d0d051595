#include "messaging/payment_due_job.hpp"

#include <spdlog/spdlog.h>

#include "core/money.hpp"
#include "messaging/notice.hpp"
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
    NoticeRequest n;
    n.tenant_id = o.tenant_id;
    n.person = o.debtor_fiscal_code;
    n.type = "payment.due";
    const std::string lang = messaging_.language_of(o.debtor_fiscal_code);
    n.values = {{"amount", money::format(o.amount, lang)},
                {"due_date", time::it_date_text(time::format_iso_date(o.due_date))},
                {"notice_number", o.nav},
                {"service", o.description},
                {"protocol", ""},
                {"link", public_url_ + "/area-personale/pagamenti"}};
    const auto composed = compose(messaging_, i18n_, n);
    bool done = false;
    db_.write([&](db::Conn& tx) {
      done = false;
      if (store::payment_reminded(tx, o.tenant_id, o.option_id)) return;  // once per option
      if (auto q = enqueue_composed(tx, composed, clock_); !q)
        throw std::runtime_error("payment.due: " + q.error().code + " " + q.error().detail);
      store::record_payment_reminder(tx, o.tenant_id, o.option_id, time::format_iso_date(o.due_date),
                                     o.debtor_fiscal_code, static_cast<int>(composed.messages.size()),
                                     time::format_iso_utc(now));
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
