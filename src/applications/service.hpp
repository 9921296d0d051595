#pragma once
// The rules of online applications on the citizen's side (issue 5): a draft per person, body and service,
// prefilled from what the platform knows, saved on every step (valid or not, so nothing typed is lost),
// with uploads stored by the file store under the field's limits, then validated whole and sent as a case
// (src/cases) with the draft's id as the idempotency key, so a double click or a retried POST makes one
// application.
//
// Access: a draft is its owner's only; anyone else, and any other body, gets not_found, so a draft id
// reveals nothing. The owner is whose codice fiscale the principal applies as (identity::applicant_cf):
// the signed-in person, or at the assisted counter the citizen served (the operator fills and sends it
// for them; the citizen finds it in their area when they sign in). Staff not assisting have no drafts.
//
// Error codes (messages in web/locales/{it,en}/applications.json):
//   applications.unavailable (404: the body does not offer this service online, or it has no form),
//   applications.applicant (403: the principal applies for nobody: staff without an assisted session),
//   applications.submitted (409: the draft was already sent; the caller shows the receipt),
//   applications.business_only (403: a business's form, and the person is not acting for a business),
//   applications.invalid (422: the answers have problems; see SubmitOutcome::issues),
//   applications.acting_for (409: the draft was started acting for someone else than now),
//   applications.cases_unavailable (503: the cases module is not running), applications.too_large (413: the
//   answers of a step exceed Options::max_answers_bytes; nothing is saved), not_found; plus the cases.*,
//   protocollo.* and files.* codes of a failed submission or upload.
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "applications/model.hpp"
#include "applications/register_facts.hpp"
#include "audit/service.hpp"
#include "catalog/service.hpp"
#include "core/i18n.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "files/service.hpp"
#include "forms/answers.hpp"
#include "forms/context.hpp"
#include "forms/definitions_service.hpp"
#include "forms/model.hpp"
#include "forms/validation.hpp"
#include "identity/model.hpp"
#include "tenants/service.hpp"

namespace sp::cases {
class CaseService;
}
namespace sp::identity {
class CounterService;
class ProfileService;
}  // namespace sp::identity

namespace sp::applications {

struct Options {
  std::chrono::hours parked_ttl{24};  // a parked post older than this is ignored
  int max_drafts_listed = 100;
  // The typed answers of a draft (files are references, their bytes are elsewhere), as JSON: far more
  // than any form needs, so that a pasted novel or a scripted post cannot bloat the table.
  std::size_t max_answers_bytes = 1024 * 1024;
};

// A draft with what its pages need: the definition, the catalog offering and the prefill context.
// An open draft is filled with the body's definition in force (a later overlay or hub version applies to
// it from the next page on); a sent one is read with the versions it was sent with.
struct Opened {
  Draft draft;
  std::shared_ptr<const forms::Definition> def;
  int overlay_version = 0;  // the body's overlay `def` includes (0: none)
  catalog::Offering offering;
  std::shared_ptr<const tenants::Body> body;
  forms::Context ctx;
};

// One uploaded file of a step post: `path` is the input's name ("diet_certificate",
// "children[0].disability_certificate").
struct Upload {
  std::string path;
  std::string file_name;
  std::string bytes;
};

// What a step page posts, already split by the web layer.
struct StepPost {
  std::string step_id;
  forms::FormPairs fields;                                        // the text inputs (multipart or urlencoded)
  std::vector<Upload> uploads;                                    // files chosen
  std::vector<std::pair<std::string, std::string>> remove_files;  // (path, file id)
  std::string add_item;                                           // a group of the step: append an empty item
  std::string remove_item;  // an item of a group of the step: "children[1]"
};

struct StepSaved {
  Draft draft;                       // as saved
  std::vector<forms::Issue> issues;  // validate_step, plus refused uploads
  bool uploads_refused = false;      // some upload was refused (its issue is in `issues`)
  bool revealed = false;             // the answers showed new questions on this step
};

struct SubmitOutcome {
  Draft draft;                       // submitted when `issues` is empty
  std::vector<forms::Issue> issues;  // why it was not sent
};

// An application already sent about the same person and period as a draft (forms::DuplicateRule): a
// warning on the summary page, never a refusal (a second parent, a correction: the office decides).
struct Duplicate {
  std::string path;            // the code's input in the draft: "children[0].fiscal_code"
  std::string code;            // the code, as typed (normalised)
  std::string period;          // as people read it ("2026/2027"); "" when the form has no period
  std::string protocol_label;  // "0000042/2026" of the earlier case
  std::string submitted_at;    // UTC ISO
  // Another person's application (a second parent): protocol_label and submitted_at stay empty, since
  // they are that person's data; the page says only that the office already has one.
  bool by_someone_else = false;
};

// A citizen named by a program with the body's API key (POST /api/v1/backoffice/{slug}/applications): a
// body's own system, or an intermediary the body accredited (CAF, patronato). Their data are the facts the
// form's fields are prefilled from, as a signed-in person's profile is on the portal (profile.*).
struct ApiCitizen {
  std::string fiscal_code;
  std::string given_name;
  std::string family_name;
  std::string birth_date;  // YYYY-MM-DD
  std::string birth_place;
  std::string email;
  std::string mobile;
};

struct ApiApplication {
  std::string service_code;
  ApiCitizen citizen;
  forms::FormPairs fields;      // the answers under the portal's input names ("children[0].given_name")
  std::string idempotency_key;  // the Idempotency-Key header: 1 to 100 printable ASCII characters
};

// The application as the API shows it: its case, protocol number and deadline (the portal's receipt).
struct ApiApplicationState {
  std::string case_id;
  std::string service_code;
  std::string state;           // cases::State as text
  std::string protocol_label;  // "0000042/2026"
  std::string segnatura;       // the protocol's segnatura text (on submission only)
  std::string submitted_at;    // UTC ISO
  std::string due_date;        // YYYY-MM-DD (Rome)
  std::string decided_at;      // UTC ISO, "" while undecided
  bool replayed = false;       // the Idempotency-Key had been used: the first submission's case
};

struct ApiOutcome {
  std::vector<forms::Issue> issues;  // why it was not sent (then `sent` is empty)
  std::optional<ApiApplicationState> sent;
};

class ApplicationService {
 public:
  // `cases` may be null (then submit() fails with applications.cases_unavailable). The definitions are
  // the database's (forms::DefinitionsService: the hub's versions and each body's overlay).
  ApplicationService(db::Database& db, time::Clock& clock, const I18n& i18n, files::FileService& files,
                     tenants::TenantService& tenants, catalog::CatalogService& catalog,
                     cases::CaseService* cases, forms::DefinitionsService& definitions, Options options = {});

  // The body's definition in force for a form; null when the hub has none.
  [[nodiscard]] std::shared_ptr<const forms::Definition> definition(tenants::TenantId tenant,
                                                                    const std::string& code);

  // The body's online offering of `service_code` that has a form; applications.unavailable otherwise.
  Result<catalog::Offering> online_offering(tenants::TenantId tenant, const std::string& service_code);

  // The person's open draft for this body and service (acting for whom they act for now), made and
  // prefilled when there is none. Errors: applications.unavailable.
  Result<Draft> start(const identity::Principal& who, tenants::TenantId tenant,
                      const std::string& service_code);

  // A draft by id within the body, whoever owns it (for choosing the sign-in level before the owner
  // check); nullopt when unknown.
  std::optional<Draft> peek(tenants::TenantId tenant, const std::string& draft_id);
  // The draft of `who` with its definition and context; not_found when it is another person's or
  // another body's, applications.unavailable when its service went offline.
  Result<Opened> open(const identity::Principal& who, tenants::TenantId tenant, const std::string& draft_id);

  // The prefill facts and the rest of the context for `who` filling `def` at `body` (with the body's
  // street list when given).
  forms::Context context(const identity::Principal& who, const tenants::Body& body,
                         const forms::Definition& def, const std::vector<std::string>* streets = nullptr);

  // Merges a posted step into the draft, applies the item/file actions, stores the uploads (limits of
  // their field), puts back locked values, and saves — always, valid or not. Then validates the step.
  // Errors: applications.submitted, and files.storage (500) when the file store fails.
  Result<StepSaved> save_step(const identity::Principal& who, Opened& o, const StepPost& post);

  // Validates the whole draft and sends it as a case (submission key = draft id). A draft already sent
  // is returned as it is (idempotent). Errors: applications.acting_for, applications.cases_unavailable,
  // cases.* / protocollo.* of the submission. Problems with the answers come back in `issues`.
  Result<SubmitOutcome> submit(const identity::Principal& who, Opened& o);

  // The API channel (issue 19): the same form, prefill, validation and submission as the portal, for the
  // citizen named, by the program holding API key `key_id` of body `tenant` (the caller checked the key's
  // body and scope). The answers are read as a post of every step (forms::read_post: unknown names
  // ignored, computed and file fields never read), then filled from the citizen's data and the population
  // register where empty, locked fields put back, and the whole validated (forms::submit): problems come
  // back in `issues` and nothing is sent. A valid one becomes a case with channel api
  // (cases::CaseService::submit_via_api): protocol number, deadline, the applicant told. The same key for
  // the same citizen gives back the first application; with different answers it is refused.
  // Errors: applications.unavailable (404), applications.business_only (403: a business's form; the API
  // files for citizens only), applications.citizen (400, field fiscal_code: not a person's valid codice
  // fiscale), applications.idempotency_key (400: missing or malformed), applications.idempotency_reused
  // (409: the key was used for a different application), applications.cases_unavailable (503), and the
  // cases.* / protocollo.* codes of a failed submission.
  Result<ApiOutcome> submit_api(const std::string& key_id, tenants::TenantId tenant, const ApiApplication& a);
  // The state of an application the same key submitted; not_found for any other case.
  Result<ApiApplicationState> api_state(const std::string& key_id, tenants::TenantId tenant,
                                        const std::string& case_id);

  // The person's cases (theirs, or of whom they act for) at the draft's body for the same form, not
  // rejected or withdrawn, about a subject of the draft for the same period, read through the cases
  // service; then anyone else's such case at the body (by_someone_else, without its details). Empty when the
  // form has no DuplicateRule or the cases module is not running.
  std::vector<Duplicate> duplicates(const identity::Principal& who, const Opened& o, std::string_view lang);

  // The assisted counter (optional): the identity checked on the document prefills the citizen's name and
  // birth date while an operator fills a form for them.
  void set_counter(identity::CounterService* counter) { counter_ = counter; }
  // Where a signed-in person's name, birth and contacts come from to prefill forms (their profile).
  void set_profiles(identity::ProfileService* profiles) { profiles_ = profiles; }
  // The population register's facts for prefill (person.*); none when unset.
  void set_register(RegisterFacts* facts) { register_ = facts; }

  // The person's drafts at every body (open and sent), newest first.
  std::vector<Draft> drafts_of(const identity::Principal& who);

  // Keeps a step posted without a valid session aside (see ParkedPost). `token` is the browser's
  // recovery cookie; only its hash is stored. Nothing happens when the draft is unknown or sent.
  void park(tenants::TenantId tenant, const std::string& draft_id, const std::string& step_id,
            const forms::FormPairs& fields, const std::string& token);
  // The parked post of the draft made with `token`, when younger than parked_ttl.
  std::optional<ParkedPost> parked(const Draft& d, const std::string& token);
  void unpark(const Draft& d);

  // Step helpers: 1-based positions in the definition's steps.
  [[nodiscard]] static int step_number(const forms::Definition& def, std::string_view step_id);
  // The first visible step at or after `number` (1-based), or 0 when none is.
  [[nodiscard]] static int visible_from(const forms::Definition& def, const forms::Answers& answers,
                                        const forms::Context& ctx, int number);
  // The last visible step before `number`, or 0.
  [[nodiscard]] static int visible_before(const forms::Definition& def, const forms::Answers& answers,
                                          const forms::Context& ctx, int number);

  // Adds empty items to the required groups of a step that have fewer than their minimum (at least one
  // for a required group), so the page shows the inputs of a first child instead of only an "add" button.
  static void pad_items(const forms::Definition& def, const forms::Step& step, forms::Answers& answers,
                        const forms::Context& ctx);

  // The step (0-based) holding the field of an issue path ("children[1].birth_date" → the step of
  // "children"); -1 when unknown.
  [[nodiscard]] static int step_of_path(const forms::Definition& def, std::string_view path);

 private:
  Result<Opened> opened(const identity::Principal& who, Draft d);
  forms::Facts previous_facts(const identity::Principal& who, const forms::Definition& def);

  db::Database& db_;
  time::Clock& clock_;
  const I18n& i18n_;
  files::FileService& files_;
  tenants::TenantService& tenants_;
  catalog::CatalogService& catalog_;
  cases::CaseService* cases_;
  identity::CounterService* counter_ = nullptr;
  identity::ProfileService* profiles_ = nullptr;
  RegisterFacts* register_ = nullptr;
  forms::DefinitionsService& definitions_;
  Options options_;
  audit::AuditService audit_{db_};  // refused attempts on someone else's draft (application.access_refused)
};

// Whom a principal acts for: the represented id, or "" for themselves.
[[nodiscard]] std::string acting_for_id(const identity::Principal& who);

}  // namespace sp::applications
