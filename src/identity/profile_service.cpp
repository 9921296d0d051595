#include "identity/profile_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "adapters/messaging/outbox.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "identity/profile_store.hpp"

namespace sp::identity {
namespace {

// Profile errors are 422 (the request was well formed, its content refused) unless said otherwise.
Error profile_field_error(std::string code, std::string field, std::string detail = {}, int status = 422) {
  return Error::for_field(std::move(code), std::move(field), status, std::move(detail));
}

bool atext(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}

audit::Entry entry(const ProfileActor& a, std::string action, boost::json::object details) {
  audit::Entry e;
  e.tenant_id = audit::kHubTenant;
  e.actor_kind = audit::ActorKind::person;
  e.actor_id = a.fiscal_code;
  e.on_behalf_of = a.on_behalf_of;
  e.channel = a.on_behalf_of.empty() ? audit::Channel::web : audit::Channel::counter;
  e.action = std::move(action);
  e.record_type = std::string(audit::kRecordPerson);
  e.record_id = a.fiscal_code;
  e.remote_addr = a.remote_addr;
  e.details = boost::json::serialize(details);
  return e;
}

bool valid_channel(const std::string& c) {
  return c == "email" || c == "sms" || c == "io" || c == "none";
}

}  // namespace

std::string six_digit_code() {
  std::uint32_t v = 0;
  do {
    ids::random_bytes(&v, sizeof v);
  } while (v >= 4'294'000'000u);  // a multiple of 10^6: no modulo bias
  auto s = std::to_string(v % 1'000'000u);
  return std::string(6 - s.size(), '0') + s;
}

std::string code_hash(const std::string& salt, const std::string& code) {
  return digest::sha256_hex(salt + ":" + code);
}

Result<std::string> normalise_email(std::string_view text) {
  const std::string s = text::trim(text);
  auto bad = [&] { return profile_field_error("profile.email_invalid", "email"); };
  if (s.size() < 6 || s.size() > 254) return bad();
  const auto at = s.find('@');
  if (at == std::string::npos || at == 0 || s.find('@', at + 1) != std::string::npos || at > 64) return bad();
  const std::string local = s.substr(0, at);
  std::string domain = s.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos) return bad();
  if (!std::all_of(local.begin(), local.end(), [](char c) { return atext(c) || c == '.'; })) return bad();
  domain = text::to_lower_ascii(domain);
  if (domain.size() > 253 || domain.find('.') == std::string::npos) return bad();
  std::size_t start = 0;
  std::string label;
  while (start <= domain.size()) {
    auto dot = domain.find('.', start);
    label = domain.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return bad();
    if (!std::all_of(label.begin(), label.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }))
      return bad();
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  // The top-level domain: letters only, at least two.
  if (label.size() < 2 || !std::all_of(label.begin(), label.end(),
                                       [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
    return bad();
  return local + "@" + domain;
}

Result<std::string> normalise_mobile(std::string_view text) {
  auto bad = [&] { return profile_field_error("profile.mobile_invalid", "mobile"); };
  std::string s;
  for (char c : text::trim(text)) {
    if (c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')') continue;
    s += c;
  }
  if (s.rfind("00", 0) == 0) s = "+" + s.substr(2);
  std::string digits = s[0] == '+' ? s.substr(1) : s;
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return bad();
  std::string e164;
  if (s[0] == '+') {
    e164 = s;
  } else if (digits[0] == '3' && digits.size() >= 9 && digits.size() <= 10) {
    e164 = "+39" + digits;  // an Italian mobile written without the country code
  } else {
    return bad();
  }
  if (e164.size() < 9 || e164.size() > 16 || e164[1] == '0') return bad();
  if (e164.rfind("+39", 0) == 0) {
    // Italian mobiles: 3xx followed by 6 or 7 digits.
    const std::string national = e164.substr(3);
    if (national.empty() || national[0] != '3' || national.size() < 9 || national.size() > 10) return bad();
  }
  return e164;
}

ProfileService::ProfileService(db::Database& db, audit::AuditService& audit, const time::Clock& clock,
                               ProfileOptions options)
    : db_(db), audit_(audit), clock_(clock), options_(options) {}

Result<Person> ProfileService::show(const std::string& fiscal_code) {
  PersonStore people(db_);
  auto p = people.by_fiscal_code(fiscal_code);
  if (!p) return Error::not_found("person");
  return *p;
}

std::vector<PendingVerification> ProfileService::pending(const std::string& fiscal_code) {
  std::vector<PendingVerification> out;
  auto person = show(fiscal_code);
  if (!person) return out;
  const auto now = time::format_iso_utc(clock_.now());
  for (const auto& v : profile_store::list(db_, fiscal_code)) {
    if (!v.consumed_at.empty() || v.expires_at <= now) continue;
    const bool current =
        v.channel == "email" ? (v.address == person->email && person->email_verified_at.empty())
        : v.channel == "pec" ? (v.address == person->pec && person->pec_verified_at.empty())
                             : (v.address == person->mobile && person->mobile_verified_at.empty());
    if (!current) continue;
    out.push_back(PendingVerification{v.channel, v.address, v.expires_at,
                                      std::max(0, options_.max_attempts - v.attempts)});
  }
  return out;
}

void ProfileService::issue_code(db::Conn& tx, const std::string& fiscal_code, const std::string& channel,
                                const std::string& address) {
  const auto now = clock_.now();
  const std::string code = six_digit_code();
  profile_store::Verification v;
  v.fiscal_code = fiscal_code;
  v.channel = channel;
  v.address = address;
  v.code_salt = ids::random_token(16);
  v.code_hash = code_hash(v.code_salt, code);
  v.created_at = time::format_iso_utc(now);
  v.expires_at = time::format_iso_utc(now + options_.code_ttl);
  profile_store::put(tx, v);

  const auto minutes = std::to_string(options_.code_ttl.count());
  messaging::Message m;
  m.tenant_id = 0;
  m.recipient = address;
  m.person = fiscal_code;
  m.type = "contact.code";
  if (channel == "email" || channel == "pec") {
    m.channel = channel == "pec" ? messaging::Channel::pec : messaging::Channel::email;
    m.subject = "Sportello – il tuo codice di verifica / your verification code";
    m.body = "Il tuo codice di verifica è " + code + ".\nVale " + minutes +
             " minuti e si può usare una sola volta.\nSe non l'hai chiesto tu, ignora questo messaggio.\n\n"
             "Your verification code is " +
             code + ". It is valid for " + minutes +
             " minutes and can be used once.\nIf you did not ask for it, ignore this message.\n";
  } else {
    m.channel = messaging::Channel::sms;
    m.body =
        "Sportello: il codice di verifica è " + code + " (valido " + minutes + " minuti). Your code: " + code;
  }
  auto queued = messaging::enqueue(tx, m, clock_);
  if (!queued) throw std::runtime_error("outbox: " + queued.error().code);
}

Result<UpdateOutcome> ProfileService::update_contacts(const ProfileActor& actor, const ContactsForm& form) {
  std::string email, mobile;
  if (!text::trim(form.email).empty()) {
    auto e = normalise_email(form.email);
    if (!e) return e.error();
    email = *e;
  }
  if (!text::trim(form.mobile).empty()) {
    auto m = normalise_mobile(form.mobile);
    if (!m) return m.error();
    mobile = *m;
  }
  std::optional<std::string> pec;
  if (form.pec) {
    pec.emplace();
    if (!text::trim(*form.pec).empty()) {
      auto e = normalise_email(*form.pec);
      if (!e) return profile_field_error("profile.pec_invalid", "pec");
      *pec = *e;
    }
  }
  const std::string channel = text::trim(form.preferred_channel);
  if (!valid_channel(channel))
    return profile_field_error("profile.channel_invalid", "preferred_channel", channel);
  const std::string language = text::trim(form.preferred_language);
  if (!language.empty() && language != "it" && language != "en")
    return profile_field_error("profile.language_invalid", "preferred_language", language.substr(0, 16));

  auto result = db::transact(db_, [&](db::Conn& tx) -> Result<UpdateOutcome> {
    UpdateOutcome out;
    auto current = profile_store::person_for_update(tx, actor.fiscal_code);
    if (!current) return Error::not_found("person");
    Person next = *current;
    const bool email_changed = email != current->email;
    const bool mobile_changed = mobile != current->mobile;
    const bool pec_changed = pec && *pec != current->pec;
    if (pec_changed) {
      next.pec = *pec;
      next.pec_verified_at.clear();
    }
    if (email_changed) {
      next.email = email;
      next.email_verified_at.clear();
    }
    if (mobile_changed) {
      next.mobile = mobile;
      next.mobile_verified_at.clear();
    }
    next.preferred_channel = channel;
    if (!language.empty()) next.preferred_language = language;
    // A channel may be preferred only once verified: picking an unverified one, or making the preferred
    // one unverified (a new address, a removed number), is refused. Keeping the channel one already had
    // unverified is not: a person signed in with SPID starts with e-mail preferred and the SPID address
    // unverified, and must be able to add a mobile number without first touching the choice (issue 11).
    auto usable = [](const Person& p, const std::string& c) {
      if (c == "email") return !p.email.empty() && !p.email_verified_at.empty();
      if (c == "sms") return !p.mobile.empty() && !p.mobile_verified_at.empty();
      return true;
    };
    const bool kept_as_it_was = channel == current->preferred_channel && !usable(*current, channel);
    if (!usable(next, channel) && !kept_as_it_was)
      return profile_field_error("profile.channel_unverified", "preferred_channel", channel);
    const bool language_changed = next.preferred_language != current->preferred_language;
    out.changed = email_changed || mobile_changed || pec_changed || channel != current->preferred_channel ||
                  language_changed;
    if (!out.changed) {
      out.person = *current;
      return out;
    }
    const auto now = time::format_iso_utc(clock_.now());
    PersonStore(db_).update_contacts(tx, next, now);
    if (email_changed) {
      if (email.empty()) {
        profile_store::remove(tx, actor.fiscal_code, "email");
      } else {
        issue_code(tx, actor.fiscal_code, "email", email);
        out.email_code_sent = true;
      }
    }
    if (mobile_changed) {
      if (mobile.empty()) {
        profile_store::remove(tx, actor.fiscal_code, "sms");
      } else {
        issue_code(tx, actor.fiscal_code, "sms", mobile);
        out.mobile_code_sent = true;
      }
    }
    if (pec_changed) {
      if (pec->empty()) {
        profile_store::remove(tx, actor.fiscal_code, "pec");
      } else {
        issue_code(tx, actor.fiscal_code, "pec", *pec);
        out.pec_code_sent = true;
      }
    }
    auto what = [](bool changed, const std::string& value) {
      return !changed ? "unchanged" : value.empty() ? "removed" : "changed";
    };
    audit_.record_or_throw(tx, entry(actor, "profile.contacts.update",
                                     boost::json::object{{"email", what(email_changed, email)},
                                                         {"mobile", what(mobile_changed, mobile)},
                                                         {"pec", what(pec_changed, pec.value_or(""))},
                                                         {"preferred_channel", channel},
                                                         {"preferred_language", next.preferred_language}}));
    next.updated_at = now;
    out.person = next;
    return out;
  });
  if (result && (result->email_code_sent || result->mobile_code_sent || result->pec_code_sent) && notifier_)
    notifier_();
  return result;
}

sp::Status ProfileService::resend(const ProfileActor& actor, const std::string& channel) {
  if (channel != "email" && channel != "sms" && channel != "pec")
    return profile_field_error("profile.channel_invalid", "channel", channel);
  auto result = db::transact(db_, [&](db::Conn& tx) -> sp::Status {
    auto person = profile_store::person_for_update(tx, actor.fiscal_code);
    if (!person) return Error::not_found("person");
    const std::string& address = channel == "email" ? person->email
                                 : channel == "pec" ? person->pec
                                                    : person->mobile;
    const std::string& verified = channel == "email" ? person->email_verified_at
                                  : channel == "pec" ? person->pec_verified_at
                                                     : person->mobile_verified_at;
    if (address.empty() || !verified.empty()) return Error::make("profile.nothing_to_verify", 409, channel);
    const auto now = clock_.now();
    if (auto v = profile_store::get(tx, actor.fiscal_code, channel)) {
      auto created = time::parse_iso_utc(v->created_at);
      if (created && now < *created + options_.resend_interval) {
        const auto wait =
            std::chrono::duration_cast<std::chrono::seconds>(*created + options_.resend_interval - now);
        return Error::make("profile.resend_too_soon", 429,
                           std::to_string(std::max<long long>(1, wait.count())));
      }
    }
    issue_code(tx, actor.fiscal_code, channel, address);
    return Ok{};
  });
  if (result && notifier_) notifier_();
  return result;
}

sp::Status ProfileService::confirm(const ProfileActor& actor, const std::string& channel,
                                   const std::string& code_in) {
  if (channel != "email" && channel != "sms" && channel != "pec")
    return profile_field_error("profile.channel_invalid", "channel", channel);
  std::string code;
  for (char c : code_in)
    if (c != ' ') code += c;
  if (code.size() != 6 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return profile_field_error("profile.code_format", "code");
  std::optional<Error> failure;
  db_.write([&](db::Conn& tx) {
    failure.reset();
    auto person = profile_store::person_for_update(tx, actor.fiscal_code);
    auto v = profile_store::get(tx, actor.fiscal_code, channel);
    const std::string address = !person              ? ""
                                : channel == "email" ? person->email
                                : channel == "pec"   ? person->pec
                                                     : person->mobile;
    if (!person || !v || !v->consumed_at.empty() || v->address != address) {
      failure = profile_field_error("profile.code_none", "code");
      return;
    }
    const auto now = clock_.now();
    auto expires = time::parse_iso_utc(v->expires_at);
    if (!expires || now >= *expires) {
      failure = profile_field_error("profile.code_expired", "code");
      return;
    }
    if (!profile_store::count_attempt(tx, actor.fiscal_code, channel, options_.max_attempts)) {
      failure = profile_field_error("profile.code_attempts", "code", {}, 429);
      return;
    }
    if (!digest::equal_constant_time(code_hash(v->code_salt, code), v->code_hash)) {
      const int left = options_.max_attempts - (v->attempts + 1);
      failure = left > 0 ? profile_field_error("profile.code_wrong", "code", std::to_string(left))
                         : profile_field_error("profile.code_attempts", "code", {}, 429);
      return;  // the counted attempt commits
    }
    const auto now_iso = time::format_iso_utc(now);
    profile_store::consume(tx, actor.fiscal_code, channel, now_iso);
    Person next = *person;
    (channel == "email" ? next.email_verified_at
     : channel == "pec" ? next.pec_verified_at
                        : next.mobile_verified_at) = now_iso;
    PersonStore(db_).update_contacts(tx, next, now_iso);
    audit_.record_or_throw(
        tx, entry(actor, "profile.contacts.verify", boost::json::object{{"channel", channel}}));
  });
  if (failure) return *failure;
  return Ok{};
}

}  // namespace sp::identity
