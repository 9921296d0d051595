#pragma once
// Payment reminders (issue 17, the message type payment.due): a daily job (`messaging.payment_due`, 08:00
// Rome, latest period only) writes, for every unpaid option of a payable position of a person (payments'
// options_due), a reminder N days before its due date — N the body's setting (messaging_settings, default
// 3, set by its administrators on the messages' texts page) — once per option (payment_due_reminders,
// written in the transaction that queues the messages). The reminder goes where the person chose for the
// type (routing.hpp, class reminder, with its fallbacks), in their language, in the body's own texts for
// payment.due when it wrote some, else the hub's (locales payment_due.*), with {amount}, {due_date},
// {notice_number}, {service} (the option's description) and {link} (their payments' page). A position of
// a business (debtor type G) is not reminded: no person to route to.
#include <string>

#include "core/i18n.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "jobs/runner.hpp"
#include "messaging/service.hpp"
#include "payments/service.hpp"

namespace sp::messaging {

inline constexpr const char* kPaymentDueKind = "messaging.payment_due";

class PaymentReminders {
 public:
  PaymentReminders(db::Database& db, MessagingService& messaging, payments::PaymentsService& payments,
                   const I18n& i18n, std::string public_url, const time::Clock& clock = time::system_clock());

  // The reminders due today (Rome); returns how many options were reminded now.
  int run_once();
  // Adds the daily kind to `runner` (this object must outlive the runner's use of it).
  void register_with(jobs::Runner& runner);

 private:
  db::Database& db_;
  MessagingService& messaging_;
  payments::PaymentsService& payments_;
  const I18n& i18n_;
  std::string public_url_;
  const time::Clock& clock_;
};

}  // namespace sp::messaging
