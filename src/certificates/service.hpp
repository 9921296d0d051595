#pragma once
// Registry certificates requested from ANPR on the body's behalf (SPEC §5, issue 15; model.hpp has the
// states). The rules:
// - Online, a person asks about themselves or a member of their household as ANPR knows it (3002
//   consultation; DM 3 Nov 2021): anyone else is certificates.third_party, and goes to the counter. Any
//   comune issues about anyone registered in ANPR, online and at the counter: residence elsewhere is no
//   reason to refuse.
// - Before anything is paid, ANPR is asked for a preview (6001 with emissione 3): what ANPR would refuse
//   (not certifiable, deceased, emigrated ...) is refused then, with the person's own message.
// - The €16 stamp duty is a marca da bollo digitale: a pagoPA position whose transfer is a Stamp (the
//   State's revenue), plus the body's diritti di segreteria to the comune's IBAN when it charges them; or
//   an exemption of table 39 in force that day for the channel (dated data). Types exempt by law (SPEC §5:
//   stato civile) need neither.
// - The certificate is requested once the receipt arrives, whenever it arrives: the station's receipt
//   moves the request to queued and queues the job "certificates.issue" in the receipt's transaction;
//   the job (or the page that saw the payment) asks ANPR with an operation id fixed before its first call
//   and kept, so a retry gets ANPR's first answer (ANPR replays an id it knows), and only one attempt can
//   move the request from queued to issued. The position is made once per request: a payment still being
//   confirmed never makes the person pay twice.
// - The PDF is stored byte for byte (files) with its SHA-256; the download is those bytes.
// - Each request, issue and refusal is an entry of the body's audit chain (certificate.request,
//   certificate.issue, certificate.refuse), in the same transaction as the change it records.
// - A certificate ANPR refuses after it was paid (the preview makes it rare: ANPR's data changed in
//   between) is a refund due: an append-only record of the amount (stamp duty + diritti), in the
//   refusal's transaction; the body's staff see the list (/backoffice/{slug}/certificati) and the person's
//   request page says the amount will be refunded and by whom.
// - Diritti di segreteria: a per-body amount per certificate kind (0 = none), set by the body's staff
//   with manage_payments (append-only, the latest in force), charged online as the second transfer of the
//   same pagoPA position (to the comune's IBAN; the stamp is the first). Options::fees is the default
//   for a body that never set any (tests). At the counter they are collected there (cash or POS) once the
//   certificate is issued: an append-only record per request in the body's daily takings, audited
//   (certificate.counter_fee), with a numbered receipt for the person (migration 0078).
// - The person who asked online is told (messaging/notice.hpp: their channels, language and the body's
//   texts, with fallbacks) when the certificate is issued — also when the receipt came late —, refused by
//   ANPR, refused after payment (the refund due), and when the refund is paid: types certificate.issued,
//   certificate.refused, certificate.refund_due, certificate.refund_paid. The message is queued in the
//   transaction of the change (issued once, refused once, paid once: the outbox delivers it, never twice).
//   On App IO it goes as remote content — the text never lies at IO —, the certificate's PDF as its
//   attachment, byte for byte, with the precondition "certificate". Counter requests are handed over at
//   the counter: no message.
// - At the counter (the assisted channel) an operator issues a certificate about anyone registered in
//   ANPR, for a requester of any type, recorded as such (operator, requester, type); the stamp duty is
//   marked as paid at the counter (bolloVirtuale 9).
//
// Error codes (web/locales/*/certificates.json): certificates.kind, certificates.third_party (403),
// certificates.subject_unknown (404), certificates.not_certifiable, certificates.deceased,
// certificates.emigrated, certificates.untraceable, certificates.stamp_duty, certificates.exemption,
// certificates.exemption_text, certificates.anpr_refused (detail: ANPR's code), certificates.not_comune
// (the body has no ISTAT code), certificates.not_payable (no creditor settings),
// certificates.anpr_unavailable (503), not_found.
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/anpr/client.hpp"
#include "audit/service.hpp"
#include "certificates/model.hpp"
#include "core/i18n.hpp"
#include "db/database.hpp"
#include "files/service.hpp"
#include "identity/audit_entry.hpp"
#include "jobs/runner.hpp"
#include "messaging/notice.hpp"
#include "payments/service.hpp"
#include "tenants/service.hpp"

namespace sp::certificates {

inline constexpr const char* kIssueJob = "certificates.issue";
inline constexpr const char* kIupdPrefix = "CERT-";
inline constexpr const char* kCatalogService = "certificato-anagrafico";  // data/demo/catalog.json

struct Options {
  std::string anpr_url;                                 // …/Interno/ANPR
  std::map<std::string, std::string> anpr_credentials;  // ISTAT code → secret
  anpr::Tls anpr_tls;                                   // the hub's client certificate (mutual TLS)
  std::string anpr_send_type = "PROD";
  std::vector<Exemption> exemptions;          // table 39, dated
  std::map<std::int64_t, money::Cents> fees;  // diritti di segreteria by body (absent: none)
  std::string office_surname = "SPORTELLO";   // cognomeUffAnagrafe of online requests
  std::string office_name = "TELEMATICO";
};
// "006039=secret,005005=other" → map. Malformed items are skipped.
std::map<std::string, std::string> parse_credentials(const std::string& pairs);

struct Person {  // who asks
  std::string codice_fiscale;
  std::string surname;
  std::string first_name;
};

// What a request needs to go ahead (the form's choices).
struct Choice {
  std::string subject_cf;
  std::string kind;
  std::string purpose;
  int exemption = 0;  // 0: pay the stamp duty
  std::string exemption_text;
  std::string means;  // at the counter: how the diritti di segreteria are paid, "cash" or "pos"
};

struct Preview {
  anpr::Person requester;  // as ANPR knows them (names for the request)
  anpr::Person subject;
  std::vector<anpr::Person> members;  // family certificates
  const Kind* kind = nullptr;
};

class CertificateService {
 public:
  CertificateService(db::Database& db, time::Clock& clock, tenants::TenantService& tenants,
                     payments::PaymentsService& payments, files::FileService& files,
                     audit::AuditService& audit, Options options);

  // Registers the receipt listener and the job kind (at install time, before serving).
  void attach(jobs::Runner& runner);
  // Tells people through the messaging module (at install time; without it nothing is sent). `public_url`
  // makes the link to the request's page.
  void set_messaging(messaging::MessagingService* messaging, const I18n* i18n, std::string public_url);

  // The person and their household (online: the people a certificate may be about).
  Result<std::vector<anpr::Person>> household(std::int64_t tenant, const std::string& cf);
  // What ANPR would print, or why it would refuse, before anything is paid (online rules).
  Result<Preview> preview(std::int64_t tenant, const Person& who, const Choice& c);
  // Makes the request: with an exemption (or an exempt type) it is queued and issued at once; otherwise
  // a pagoPA position (stamp + fees) is made and the request waits for its receipt. The same preview
  // rules apply again.
  Result<Request> request_online(std::int64_t tenant, const Person& who, const Choice& c);
  // At the counter: anyone registered in ANPR; `requester_type` 1 (another person), 2 (the subject), 3
  // (a public body). Issued at once. When the body charges diritti di segreteria for the kind, `c.means`
  // must say how they are paid (certificates.means, field "means", before ANPR is asked) and they are
  // recorded as collected once the certificate is issued (collect_at_counter).
  Result<Request> issue_at_counter(std::int64_t tenant, const std::string& operator_user,
                                   const Person& requester, int requester_type, const Choice& c);
  // Records the diritti di segreteria of an issued counter request as collected by `operator_user` by
  // `means` (the request's own amount, set when it was made), numbering the receipt; audited. Errors:
  // not_found (no such counter request at the body), certificates.not_issued (409),
  // certificates.no_fee (409: nothing to collect), certificates.fee_collected (409: already recorded).
  Result<CounterFee> collect_at_counter(std::int64_t tenant, const std::string& operator_user,
                                        const std::string& request_id, Means means);
  // The collection of a request, if recorded.
  std::optional<CounterFee> counter_fee(const Request& r);
  // The body's takings at the counter on a day (YYYY-MM-DD in Rome): manage_payments of the body.
  // Errors: forbidden, certificates.day (field "giorno").
  Result<std::vector<CounterFee>> takings(const identity::Principal* who, std::int64_t tenant,
                                          const std::string& day);

  // Asks ANPR for a queued request (the job, or right after a payment/exemption). A request no longer
  // queued is returned as it is. Errors: certificates.anpr_unavailable (retry), not_found.
  Result<Request> issue(std::int64_t tenant, const std::string& id);

  std::vector<Request> mine(std::int64_t tenant, const std::string& cf);
  std::vector<Request> counter_list(std::int64_t tenant);
  // The person's own request (as requester) by token; not_found for anyone else's.
  Result<Request> own(std::int64_t tenant, const std::string& cf, const std::string& token);
  // Any request of the body by token (the counter's pages: the guard checked the operator).
  Result<Request> of_body(std::int64_t tenant, const std::string& token);
  // The stored PDF, byte for byte (not_found unless issued).
  Result<std::string> pdf(const Request& r);

  // Diritti di segreteria of a kind at the body (0: none).
  money::Cents fee_for(std::int64_t tenant, const std::string& kind);
  // Every offered kind's amount (the settings page). forbidden without manage_payments.
  Result<std::map<std::string, money::Cents>> fees(const identity::Principal* who, std::int64_t tenant);
  // Sets the amounts given (kind → cents, 0..100000); unknown kinds are certificates.kind. Audited.
  Status set_fees(const identity::Principal* who, std::int64_t tenant,
                  const std::map<std::string, money::Cents>& amounts);
  // Refunds due at the body, newest first (manage_payments); the one of a request, if any.
  Result<std::vector<Refund>> refunds(const identity::Principal* who, std::int64_t tenant);
  std::optional<Refund> refund_of(const Request& r);
  // Records that the comune's treasury paid a refund due: the transfer's value date (a date in Rome, not
  // in the future, not before the refund was due) and its reference (CRO/TRN or payment order number, 1-35
  // letters, digits, spaces, "-", "/", "."). Once per refund (409 after), audited as
  // certificate.refund_paid; the person's request page then says when it was paid.
  Result<Refund> record_refund_paid(const identity::Principal* who, std::int64_t tenant,
                                    const std::string& request_id, const std::string& paid_on,
                                    std::string reference);

  [[nodiscard]] std::vector<Exemption> exemptions_today(bool online) const;
  [[nodiscard]] std::string today() const;  // YYYY-MM-DD in Rome
  [[nodiscard]] const Options& options() const { return options_; }

 private:
  Result<anpr::Client> client(std::int64_t tenant);
  Result<Request> make(std::int64_t tenant, Channel channel, const std::string& operator_user,
                       const Person& requester, int requester_type, const Choice& c,
                       const anpr::Person& subject);
  Status check_exemption(const Choice& c, bool online) const;
  anpr::CertificateRequest anpr_request(const Request& r, anpr::Channel channel) const;
  void paid(db::Conn& tx, const payments::Position& p, const payments::Option& o);
  // The message of `type` about an online request to its requester, composed before the change's
  // transaction (empty without messaging, or for the counter).
  messaging::Composed notice(const Request& r, const std::string& type,
                             std::map<std::string, std::string> values);
  [[nodiscard]] audit::Entry entry(const Request& r, const std::string& action, bool by_system,
                                   boost::json::object details) const;

  db::Database& db_;
  time::Clock& clock_;
  tenants::TenantService& tenants_;
  payments::PaymentsService& payments_;
  files::FileService& files_;
  audit::AuditService& audit_;
  Options options_;
  jobs::Runner* runner_ = nullptr;
  messaging::MessagingService* messaging_ = nullptr;
  const I18n* i18n_ = nullptr;
  std::string public_url_;
};

// ANPR's refusal code → the hub's error (with its locale key).
Error refusal_error(const std::string& anpr_code);

}  // namespace sp::certificates
