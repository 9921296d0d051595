#include "app/demo_cases.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "anagrafe/synthetic.hpp"
#include "app/anagrafe_cli.hpp"
#include "applications/store.hpp"
#include "cases/store.hpp"
#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "identity/staff_store.hpp"

namespace sp::app {
namespace {

struct Applicant {
  std::string cf;
  std::string name;
};

struct Target {
  tenants::TenantId tenant = 0;
  std::int64_t weight = 0;
  std::vector<Applicant> adults;
  std::vector<catalog::Offering> services;
  std::vector<std::string> staff;
};

// splitmix64: the case's own random numbers come from its number only (deterministic, order-free).
struct CaseRandom {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
};

// At most this many adults per comune are kept as applicants (bounded memory at 3,000,000 residents).
constexpr std::size_t kApplicantsPerComune = 50000;
constexpr std::size_t kBatch = 2000;

// A legal path from `submitted` to `to` (cases/model.hpp's table).
std::vector<cases::Action> path_to(cases::State to) {
  const std::vector<cases::Action> worked = {cases::Action::register_, cases::Action::assign,
                                             cases::Action::start};
  auto with = [&](std::initializer_list<cases::Action> more) {
    auto p = worked;
    p.insert(p.end(), more);
    return p;
  };
  switch (to) {
    case cases::State::submitted:
      return {};
    case cases::State::registered:
      return {cases::Action::register_};
    case cases::State::assigned:
      return {cases::Action::register_, cases::Action::assign};
    case cases::State::in_progress:
      return worked;
    case cases::State::waiting_for_applicant:
      return with({cases::Action::request_additions});
    case cases::State::grounds_notified:
      return with({cases::Action::notice_of_grounds});
    case cases::State::accepted:
      return with({cases::Action::accept});
    case cases::State::rejected:
      return with({cases::Action::notice_of_grounds, cases::Action::answer_grounds, cases::Action::reject});
    case cases::State::withdrawn:
      return with({cases::Action::withdraw});
    case cases::State::closed:
      return with({cases::Action::accept, cases::Action::close});
  }
  return {};
}

// Open states are recent; decided ones spread over the years. The first ten cases take each state once.
cases::State pick_state(std::int64_t k, CaseRandom& r) {
  if (k < 10) return static_cast<cases::State>(k);
  const auto x = r.below(100);
  if (x < 40) return cases::State::accepted;
  if (x < 55) return cases::State::closed;
  if (x < 62) return cases::State::rejected;
  if (x < 68) return cases::State::withdrawn;
  if (x < 74) return cases::State::registered;
  if (x < 81) return cases::State::assigned;
  if (x < 91) return cases::State::in_progress;
  if (x < 96) return cases::State::waiting_for_applicant;
  if (x < 99) return cases::State::grounds_notified;
  return cases::State::submitted;
}

// The person's display name from a population line ("NOME COGNOME").
std::optional<Applicant> adult_of(const std::string& line) {
  boost::system::error_code ec;
  auto v = boost::json::parse(line, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  auto s = [&o](const char* k) {
    const auto* x = o.if_contains(k);
    return x && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  if (!s("data_cancellazione").empty() || s("data_nascita") > "2000-12-31") return std::nullopt;
  return Applicant{s("codice_fiscale"), s("nome") + " " + s("cognome")};
}

std::string deterministic_token(const std::string& seed) {
  return crypto::base64url_encode(digest::sha256_raw(seed));  // 43 characters, like a random draft id
}

}  // namespace

int run_demo_cases(db::Database& db, const tenants::TenantService& tenants, catalog::CatalogService& catalog,
                   std::int64_t residents, std::int64_t count, std::ostream& err, DemoCasesReport* out) {
  DemoCasesReport report;
  std::vector<Target> targets;
  identity::StaffStore staff(db);
  for (const auto& dc : demo_comuni(tenants, residents)) {
    if (dc.share <= 0) continue;
    Target t;
    t.tenant = dc.tenant;
    t.weight = dc.share;
    for (auto& o : catalog.offerings(dc.tenant))
      if (o.service.level >= catalog::online_application && o.service.audience == catalog::Audience::citizens)
        t.services.push_back(std::move(o));
    std::sort(t.services.begin(), t.services.end(),
              [](const auto& a, const auto& b) { return a.service.code < b.service.code; });
    for (const auto& s : staff.by_tenant(dc.tenant)) t.staff.push_back(s.id);
    std::sort(t.staff.begin(), t.staff.end());
    // The same people as `demo --scale N` (same generator, same seed).
    anagrafe::SyntheticPopulation g({dc.comune}, dc.share, dc.seed);
    std::string line;
    while (g.next(line) && t.adults.size() < kApplicantsPerComune)
      if (auto a = adult_of(line)) t.adults.push_back(std::move(*a));
    if (!t.services.empty() && !t.adults.empty()) targets.push_back(std::move(t));
  }
  if (targets.empty()) {
    err << "sportello: no comune with residents and services offered online\n";
    return 2;
  }
  std::int64_t total_weight = 0;
  for (const auto& t : targets) total_weight += t.weight;

  // Submitted between 1 January 2019 and 30 November 2026 (Rome); open cases in the last 90 days of it.
  const auto first =
      time::rome_day_start(time::Date{std::chrono::year{2019}, std::chrono::month{1}, std::chrono::day{1}});
  const auto last =
      time::rome_day_start(time::Date{std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{30}});
  const auto span = std::chrono::duration_cast<std::chrono::seconds>(last - first).count();
  const auto recent = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::days{90}).count();

  for (std::int64_t k0 = 0; k0 < count; k0 += static_cast<std::int64_t>(kBatch)) {
    const std::int64_t k1 = std::min<std::int64_t>(count, k0 + static_cast<std::int64_t>(kBatch));
    db.write([&](db::Conn& tx) {
      for (std::int64_t k = k0; k < k1; ++k) {
        CaseRandom r{static_cast<std::uint64_t>(k) * 0x2545F4914F6CDD1DULL + 15};
        std::int64_t pick = static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(total_weight)));
        const Target* t = &targets.back();
        for (const auto& x : targets) {
          if (pick < x.weight) {
            t = &x;
            break;
          }
          pick -= x.weight;
        }
        const Applicant& who = t->adults[r.below(t->adults.size())];
        const catalog::Offering& offer = t->services[r.below(t->services.size())];
        const cases::State state = pick_state(k, r);
        const bool open = cases::is_open(state);
        const auto offset =
            open ? span - static_cast<std::int64_t>(r.below(recent))
                 : static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(span - recent)));
        auto at = first + std::chrono::seconds(offset) + std::chrono::hours(8);
        at = std::chrono::time_point_cast<std::chrono::milliseconds>(at);

        cases::Case c;
        auto uuid = ids::uuid_v7_bytes(at);
        const auto h = digest::sha256_raw("demo-case-" + std::to_string(k));
        for (std::size_t i = 6; i < 16; ++i) uuid[i] = static_cast<std::uint8_t>(h[i]);
        uuid[6] = static_cast<std::uint8_t>(0x70 | (uuid[6] & 0x0F));
        uuid[8] = static_cast<std::uint8_t>(0x80 | (uuid[8] & 0x3F));
        c.id = ids::uuid_to_string(uuid);
        c.submission_key = "demo-" + std::to_string(k);
        if (cases::CaseStore::find(tx, t->tenant, c.id)) {
          ++report.already_there;
          continue;
        }
        c.tenant_id = t->tenant;
        c.service_code = offer.service.code;
        c.title = offer.service.title.it;
        c.form_code = offer.service.code;
        c.applicant_cf = who.cf;
        c.applicant_name = who.name;
        c.channel = r.below(10) == 0 ? cases::Channel::counter : cases::Channel::online;
        c.answers = boost::json::object{{"demo", true}};
        c.office = offer.service.office.it;
        c.submitted_at = at;
        c.deadline_days = offer.service.deadline_days.value_or(30);
        c.due_date = cases::legal_end(time::add_calendar_days(time::rome_date(at), c.deadline_days));
        c.silence_consent = offer.service.silence_consent;
        c.fee_cents_due = offer.service.fee_cents;
        c.state = cases::State::submitted;
        cases::CaseStore::insert_case(tx, c, cases::queue_keys(c));
        cases::CaseStore::insert_transition(
            tx, c.tenant_id,
            {0, c.id, std::nullopt, cases::State::submitted, "submit", "person:" + who.cf, at, ""});
        // The path, a step every few hours (open cases) or days (decided ones), never after the end.
        const std::string staff_ref =
            t->staff.empty() ? "system:demo" : "staff:" + t->staff[r.below(t->staff.size())];
        auto when = at;
        for (cases::Action a : path_to(state)) {
          when += open ? std::chrono::hours(1 + r.below(20)) : std::chrono::hours(1 + r.below(24 * 10));
          if (when > last + std::chrono::hours(20)) when = last + std::chrono::hours(20);
          const cases::State from = c.state;
          c.state = *cases::next_state(from, a);
          const auto day = time::rome_date(when);
          std::string actor = staff_ref;
          if (a == cases::Action::register_) actor = "system:demo";
          if (a == cases::Action::withdraw || a == cases::Action::answer_grounds) actor = "person:" + who.cf;
          if (a == cases::Action::assign && !t->staff.empty()) c.assignee = staff_ref.substr(6);
          if (a == cases::Action::request_additions || a == cases::Action::notice_of_grounds)
            c.suspended_since = day;
          if (a == cases::Action::notice_of_grounds) c.grounds_notified_on = day;
          if (a == cases::Action::answer_grounds) {
            c.grounds_answered_on = day;
            c.suspended_days +=
                static_cast<int>((cases::day_number(day) - cases::day_number(*c.suspended_since)));
            c.suspended_since.reset();
            c.due_date = cases::legal_end(cases::term_end(c));
          }
          if (!cases::is_open(c.state)) c.decided_at = when;
          cases::CaseStore::insert_transition(
              tx, c.tenant_id, {0, c.id, from, c.state, std::string(cases::to_string(a)), actor, when, ""});
        }
        if (c.state != cases::State::submitted)
          cases::CaseStore::update_case(tx, c, cases::queue_keys(c), c.version);
        // The application (draft) that was sent.
        applications::Draft d;
        d.id = deterministic_token("demo-draft-" + std::to_string(k));
        d.tenant_id = c.tenant_id;
        d.service_code = c.service_code;
        d.form_code = c.form_code;
        d.owner_cf = who.cf;
        d.answers = c.answers;
        d.case_id = c.id;
        d.submitted_at = time::format_iso_utc(at);
        d.due_date = time::format_iso_date(c.due_date);
        d.created_at = d.submitted_at;
        d.updated_at = d.submitted_at;
        if (c.channel == cases::Channel::online) {
          applications::DraftStore::insert(tx, d);
          applications::DraftStore::mark_submitted(tx, d, d.submitted_at);
        }
        ++report.inserted;
        ++report.by_state[static_cast<int>(c.state)];
      }
    });
  }
  err << report.inserted << " cases (" << report.already_there << " already there):";
  for (int s = 0; s < 10; ++s)
    err << " " << cases::to_string(static_cast<cases::State>(s)) << " " << report.by_state[s];
  err << "\n";
  if (out) *out = report;
  return 0;
}

}  // namespace sp::app
