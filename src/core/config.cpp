#include "core/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "core/crypto/tls_files.hpp"
#include "core/keys/key_ring.hpp"
#include "core/oidc_bodies.hpp"

extern char** environ;

namespace sp {
namespace {

// One table drives file parsing, env parsing, `config check` and the docs.
struct Field {
  ConfigSetting meta;
  std::function<Status(Config&, const std::string&)> set;
  std::function<std::string(const Config&)> get;
};

Status bad(const std::string& key, const std::string& why) {
  return Error::make("config.invalid", 400, key + ": " + why);
}

Status parse_int(const std::string& key, const std::string& text, std::int64_t lo, std::int64_t hi,
                 std::int64_t& out) {
  try {
    std::size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used != text.size()) return bad(key, "not a whole number: '" + text + "'");
    if (v < lo || v > hi) return bad(key, fmt::format("{} is outside {}..{}", v, lo, hi));
    out = v;
    return Ok{};
  } catch (const std::exception&) {
    return bad(key, "not a whole number: '" + text + "'");
  }
}

Status parse_bool(const std::string& key, const std::string& text, bool& out) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") {
    out = true;
    return Ok{};
  }
  if (text == "false" || text == "0" || text == "no" || text == "off") {
    out = false;
    return Ok{};
  }
  return bad(key, "expected true or false, got '" + text + "'");
}

Field text_field(std::string key, std::string help, std::string Config::*member) {
  std::string env = "SPORTELLO_";
  for (char c : key) env += static_cast<char>(c == '.' ? '_' : std::toupper(static_cast<unsigned char>(c)));
  return Field{{key, env, std::move(help)},
               [member](Config& c, const std::string& v) -> Status {
                 c.*member = v;
                 return Ok{};
               },
               [member](const Config& c) { return c.*member; }};
}

template <class Int>
Field int_field(std::string key, std::string help, Int Config::*member, std::int64_t lo, std::int64_t hi) {
  std::string env = "SPORTELLO_";
  for (char c : key) env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return Field{{key, env, std::move(help)},
               [member, key, lo, hi](Config& c, const std::string& v) -> Status {
                 std::int64_t n = 0;
                 auto st = parse_int(key, v, lo, hi, n);
                 if (!st) return st;
                 c.*member = static_cast<Int>(n);
                 return Ok{};
               },
               [member](const Config& c) { return std::to_string(c.*member); }};
}

Field bool_field(std::string key, std::string help, bool Config::*member) {
  std::string env = "SPORTELLO_";
  for (char c : key) env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return Field{
      {key, env, std::move(help)},
      [member, key](Config& c, const std::string& v) -> Status { return parse_bool(key, v, c.*member); },
      [member](const Config& c) { return std::string(c.*member ? "true" : "false"); }};
}

const std::vector<Field>& fields() {
  static const std::vector<Field> all = [] {
    std::vector<Field> f;
    f.push_back(text_field("database", "sqlite:PATH or postgresql://user@host:port/db", &Config::database));
    f.push_back(text_field("address", "address to listen on", &Config::address));
    f.push_back(int_field("port", "TCP port to listen on (0: a free one, logged and written to port_file)",
                          &Config::port, 0, 65535));
    f.push_back(text_field("port_file",
                           "file where serve writes the ports it took, as JSON {\"http\":N,...}; empty: none",
                           &Config::port_file));
    f.push_back(int_field("threads", "server threads (0: one per core)", &Config::threads, 0, 256));
    f.push_back(text_field("share_dir", "folder with web/, migrations/ and data/", &Config::share_dir));
    f.push_back(
        text_field("static_dir", "folder of static assets served under /static/", &Config::static_dir));
    f.push_back(int_field("body_limit", "largest request body in bytes", &Config::body_limit, 1024,
                          std::int64_t{1} << 30));
    f.push_back(int_field("upload_limit", "largest upload body in bytes", &Config::upload_limit, 1024,
                          std::int64_t{4} << 30));
    f.push_back(int_field("request_timeout_ms", "time allowed to receive a whole request",
                          &Config::request_timeout_ms, 100, 3'600'000));
    f.push_back(int_field("idle_timeout_ms", "keep-alive wait for the next request", &Config::idle_timeout_ms,
                          100, 3'600'000));
    f.push_back(text_field("default_locale", "language when the browser does not say (it or en)",
                           &Config::default_locale));
    f.push_back(bool_field("access_log", "write one JSON line per request", &Config::access_log));
    f.push_back(text_field("log_level", "trace, debug, info, warn, error", &Config::log_level));
    f.push_back(int_field("db_pool_size", "PostgreSQL connections", &Config::db_pool_size, 1, 512));
    f.push_back(bool_field("demo", "seed the demo hub and bodies when the database is empty", &Config::demo));
    f.push_back(text_field("public_url",
                           "address citizens use to reach this server; {port} stands for the port taken "
                           "(default http://localhost:PORT)",
                           &Config::public_url));
    f.push_back(text_field("oidc_rp_key_file",
                           "PEM file of the sign-in (OIDC relying party) key; made when missing",
                           &Config::oidc_rp_key_file));
    f.push_back(text_field("oidc_providers_file", "JSON file listing the SPID/CIE providers",
                           &Config::oidc_providers_file));
    f.push_back(text_field("smtp_url",
                           "SMTP relay for e-mail (smtp:// or smtps://); empty: e-mail stays queued",
                           &Config::smtp_url));
    f.push_back(text_field("smtp_username", "SMTP user name", &Config::smtp_username));
    f.push_back(text_field("smtp_password", "SMTP password", &Config::smtp_password));
    f.push_back(text_field("mail_from", "sender address of outgoing e-mail", &Config::mail_from));
    f.push_back(text_field("sms_gateway_url", "SMS gateway endpoint; empty: SMS stay queued",
                           &Config::sms_gateway_url));
    f.push_back(text_field("sms_api_key", "SMS gateway API key", &Config::sms_api_key));
    f.push_back(text_field("sms_sender",
                           "SMS sender alias registered with AGCOM through the provider: at most 11 "
                           "characters, letters, digits, space . - _ & + (at least one letter)",
                           &Config::sms_sender));
    f.push_back(text_field("sms_report_token",
                           "bearer token of the SMS gateway's delivery reports (POST /inbound/sms/reports); "
                           "empty: reports are not received",
                           &Config::sms_report_token));
    f.push_back(text_field("pec_trusted_certs",
                           "PEM bundle of the PEC providers' certificates whose receipts are trusted; "
                           "empty: none (demo: the simulator's). Accounts: <keys_dir>/<body>/pec/account",
                           &Config::pec_trusted_certs));
    f.push_back(int_field("pec_acceptance_timeout_min",
                          "minutes a PEC message may wait for the provider's acceptance receipt before it "
                          "is failed (pec.no_acceptance) and its fallback sent",
                          &Config::pec_acceptance_timeout_min, 1, 1440));
    f.push_back(
        text_field("appio_url",
                   "App IO services API base (https://api.io.pagopa.it/api/v1); empty: IO messages "
                   "go by e-mail (demo: the simulator). Keys: <keys_dir>/<body>/appio/subscription-key",
                   &Config::appio_url));
    f.push_back(int_field("helpdesk_retention_months",
                          "help desk: months after closing when a ticket's texts and subject are purged",
                          &Config::helpdesk_retention_months, 1, 240));
    f.push_back(text_field("business_register_url",
                           "business register look-up base URL (docs/business-register.md, …/v1); empty: not "
                           "configured (demo: the simulator)",
                           &Config::business_register_url));
    f.push_back(text_field("business_register_token",
                           "bearer token of the business register look-up (a PDND voucher in production)",
                           &Config::business_register_token));
    f.push_back(int_field("alert_rate_email", "alerts: e-mails per second to the SMTP relay",
                          &Config::alert_rate_email, 1, 100000));
    f.push_back(int_field("alert_rate_sms", "alerts: SMS per second to the SMS gateway",
                          &Config::alert_rate_sms, 1, 100000));
    f.push_back(int_field("alert_rate_pec", "alerts: PEC messages per second to the PEC provider",
                          &Config::alert_rate_pec, 1, 100000));
    f.push_back(int_field("alert_rate_appio", "alerts: App IO messages per second (two calls each)",
                          &Config::alert_rate_appio, 1, 100000));
    f.push_back(int_field("alert_sms_cost_cents", "alerts: what one SMS costs the body, in euro cents",
                          &Config::alert_sms_cost_cents, 0, 10000));
    f.push_back(text_field("files_dir",
                           "folder for uploaded files (made when missing); empty: kept in the database",
                           &Config::files_dir));
    f.push_back(text_field("audit_key_file",
                           "HMAC key of the audit chain (made when missing, mode 600); keep it outside the "
                           "database and back it up apart from it",
                           &Config::audit_key_file));
    f.push_back(text_field("audit_anchor_file",
                           "append-only file where each body's audit chain head is anchored (one per node, "
                           "or shared storage); back it up apart from the database",
                           &Config::audit_anchor_file));
    f.push_back(int_field("audit_anchor_interval_s", "seconds between two anchorings of the audit chains",
                          &Config::audit_anchor_interval_s, 1, 86'400));
    f.push_back(int_field("directory_refresh_ms",
                          "milliseconds between two checks of whether bodies or the catalog changed on "
                          "another node (then this node reloads them)",
                          &Config::directory_refresh_ms, 100, 600'000));
    f.push_back(bool_field("sim_idp", "start the local SPID/CIE simulator in demo mode (false: off)",
                           &Config::sim_idp));
    f.push_back(int_field("sim_idp_port", "port of the local SPID/CIE simulator in demo mode (0: a free one)",
                          &Config::sim_idp_port, 0, 65535));
    f.push_back(bool_field(
        "sim_pagopa", "start the local pagoPA simulator (node, PSP, Checkout, FdR) in demo mode (false: off)",
        &Config::sim_pagopa));
    f.push_back(int_field("sim_pagopa_port",
                          "port of the local pagoPA simulator in demo mode (0: a free one)",
                          &Config::sim_pagopa_port, 0, 65535));
    f.push_back(bool_field(
        "sim_anpr", "start the local ANPR simulator (consultation, certificates) in demo mode (false: off)",
        &Config::sim_anpr));
    f.push_back(int_field("sim_anpr_port", "port of the local ANPR simulator in demo mode (0: a free one)",
                          &Config::sim_anpr_port, 0, 65535));
    f.push_back(
        text_field("anpr_url",
                   "ANPR SOAP web services base URL (…/Interno/ANPR: AnprService3000, AnprService6001); "
                   "demo: the local simulator",
                   &Config::anpr_url));
    f.push_back(
        text_field("anpr_credentials",
                   "each comune's ANPR credential as ISTAT=SECRET pairs separated by commas; demo: made "
                   "at start for the local simulator",
                   &Config::anpr_credentials));
    f.push_back(text_field("anpr_client_cert",
                           "the hub's TLS client certificate for ANPR (PEM file; mutual TLS as ANPR's "
                           "accredited system); empty: none sent",
                           &Config::anpr_client_cert));
    f.push_back(
        text_field("anpr_client_key",
                   "the private key of anpr_client_cert (unencrypted PEM file, readable by the service "
                   "only); empty: in the anpr_client_cert file",
                   &Config::anpr_client_key));
    f.push_back(text_field("anpr_ca_file",
                           "CA certificates (PEM) ANPR's server certificate must chain to; empty: the "
                           "system's trust store",
                           &Config::anpr_ca_file));
    f.push_back(text_field("pagopa_checkout_url",
                           "pagoPA Checkout cart API base URL (…/checkout/ec/v1); demo: the local simulator",
                           &Config::pagopa_checkout_url));
    f.push_back(
        text_field("pagopa_fdr_url",
                   "pagoPA FdR organization API base URL (…/fdr-org/service/v1); demo: the local simulator",
                   &Config::pagopa_fdr_url));
    f.push_back(text_field("pagopa_subscription_key",
                           "API Management subscription key for pagoPA Checkout and FdR",
                           &Config::pagopa_subscription_key));
    f.push_back(int_field("smtp_sink_port", "port of the demo's local SMTP sink (0: a free one)",
                          &Config::smtp_sink_port, 0, 65535));
    f.push_back(text_field("keys_dir",
                           "folder of the key rings (audit key, stamp and XML signing keys), mode 700; the "
                           "same on every node, backed up apart from the database",
                           &Config::keys_dir));
    f.push_back(text_field("inbound_trusted_proxies",
                           "comma-separated addresses of the TLS proxies whose client-certificate header "
                           "inbound calls may trust; empty: none",
                           &Config::inbound_trusted_proxies));
    f.push_back(int_field("inbound_calls_per_minute",
                          "inbound calls let through per body, system and caller address per minute (429 "
                          "beyond); the pagoPA node makes three per payment",
                          &Config::inbound_calls_per_minute, 1, 10'000'000));
    f.push_back(text_field("agid_schema_dir",
                           "folder of AgID's protocol schemas (segnatura_protocollo.xsd, ...); empty: "
                           "<share_dir>/../shared/agid",
                           &Config::agid_schema_dir));
    f.push_back(text_field("agid_trusted_ca_file",
                           "PEM bundle of the certificate authorities trusted for incoming segnature besides "
                           "the hub members' certificates; empty: none",
                           &Config::agid_trusted_ca_file));
    f.push_back(text_field("agid_soap_endpoints",
                           "file of other administrations' protocol SOAP interfaces, lines "
                           "\"<ipa>/<aoo> <base URL>\"; empty: none (exchange by PEC)",
                           &Config::agid_soap_endpoints));
    f.push_back(
        bool_field("agid_soap_gateway",
                   "a ModI gateway in front of /interop/soap/ authenticates the callers of the protocol "
                   "SOAP interfaces and signs the hub's calls (false: the hub does both, ID_AUTH_SOAP_02)",
                   &Config::agid_soap_gateway));
    f.push_back(
        int_field("agid_soap_clock_skew_s",
                  "seconds of clock difference allowed on a protocol SOAP call's WS-Security Timestamp",
                  &Config::agid_soap_clock_skew_s, 0, 3600));
    f.push_back(
        text_field("conservazione_url",
                   "the preservation service's API base (POST .../versamenti); empty: nothing is sent "
                   "(demo: the local simulator)",
                   &Config::conservazione_url));
    f.push_back(text_field("conservazione_token", "the hub's Bearer credential at the preservation service",
                           &Config::conservazione_token));
    f.push_back(bool_field("sim_conservazione",
                           "start the local conservator simulator in demo mode when conservazione_url is "
                           "empty (false: off)",
                           &Config::sim_conservazione));
    f.push_back(int_field("sim_conservazione_port",
                          "port of the local conservator simulator in demo mode (0: a free one)",
                          &Config::sim_conservazione_port, 0, 65535));
    return f;
  }();
  return all;
}

// Environment variables with the SPORTELLO_ prefix that are not settings but are allowed.
bool is_reserved_env(const std::string& name) {
  // SPORTELLO_FAKE_CLOCK_FILE: read by the command line of test builds (core/time.hpp), not a setting.
  static const std::set<std::string> reserved = {"SPORTELLO_CONFIG", "SPORTELLO_BINARY",
                                                 "SPORTELLO_SOURCE_DIR", "SPORTELLO_FAKE_CLOCK_FILE"};
  return reserved.count(name) > 0 || name.rfind("SPORTELLO_TEST_", 0) == 0;
}

std::string toml_value_text(const toml::node& node) {
  if (auto s = node.value<std::string>()) return *s;
  if (auto b = node.value_exact<bool>()) return *b ? "true" : "false";
  if (auto i = node.value_exact<std::int64_t>()) return std::to_string(*i);
  return {};
}

bool is_http_url(const std::string& s) {
  return (s.rfind("https://", 0) == 0 && s.size() > 8) || (s.rfind("http://", 0) == 0 && s.size() > 7);
}

// [oidc_body.<ipa code>] tables (docs/oidc.md): strings, a list of contacts and a list of trust marks.
Status parse_oidc_bodies(const toml::node& node, const std::string& file, OidcFederationConfig& c) {
  const auto* bodies = node.as_table();
  if (bodies == nullptr) return bad("oidc_body", "expected tables [oidc_body.<ipa code>] in " + file);
  for (const auto& [ipa_key, body_node] : *bodies) {
    const std::string ipa(ipa_key.str());
    const std::string where = "oidc_body." + ipa;
    if (ipa.empty() || ipa.size() > 32 || !std::all_of(ipa.begin(), ipa.end(), [](char ch) {
          return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
        }))
      return bad(where, "an IPA code in lower case (c_a479)");
    const auto* t = body_node.as_table();
    if (t == nullptr) return bad(where, "expected a table");
    OidcBodyConfig b;
    for (const auto& [field_key, v] : *t) {
      const std::string f(field_key.str());
      const std::string name = where + "." + f;
      auto text = [&](std::string& out, bool url) -> Status {
        auto s = v.value<std::string>();
        if (!s || s->empty()) return bad(name, "expected a non-empty string");
        if (url && !is_http_url(*s)) return bad(name, "expected an https:// address, got '" + *s + "'");
        out = *s;
        return Ok{};
      };
      Status st = Ok{};
      if (f == "organization_name")
        st = text(b.organization_name, false);
      else if (f == "client_name")
        st = text(b.client_name, false);
      else if (f == "homepage_uri")
        st = text(b.homepage_uri, true);
      else if (f == "policy_uri")
        st = text(b.policy_uri, true);
      else if (f == "logo_uri")
        st = text(b.logo_uri, true);
      else if (f == "contacts") {
        const auto* list = v.as_array();
        if (list == nullptr || list->empty()) return bad(name, "expected a list of PEC addresses");
        for (const auto& item : *list) {
          auto s = item.value<std::string>();
          const auto at = s ? s->find('@') : std::string::npos;
          if (!s || at == 0 || at == std::string::npos || s->find('.', at) == std::string::npos ||
              s->find_first_of(" ,;<>") != std::string::npos)
            return bad(name, "not an e-mail address: '" + (s ? *s : std::string("?")) + "'");
          b.contacts.push_back(*s);
        }
      } else if (f == "trust_marks") {
        const auto* list = v.as_array();
        if (list == nullptr) return bad(name, "expected a list of {id, trust_mark} tables");
        for (const auto& item : *list) {
          const auto* mark = item.as_table();
          auto id = mark ? (*mark)["id"].value<std::string>() : std::nullopt;
          auto jwt = mark ? (*mark)["trust_mark"].value<std::string>() : std::nullopt;
          if (!id || !jwt || id->empty() || std::count(jwt->begin(), jwt->end(), '.') != 2)
            return bad(name, "each needs an id and a trust_mark (a signed JWT)");
          b.trust_marks.push_back({*id, *jwt});
        }
      } else {
        return Error::make("config.unknown", 400, fmt::format("{} (in {})", name, file));
      }
      if (!st) return st;
    }
    c.bodies[ipa] = std::move(b);
  }
  return Ok{};
}

// [oidc_federation]: authority_hints, a list of entity ids.
Status parse_oidc_federation(const toml::node& node, const std::string& file, OidcFederationConfig& c) {
  const auto* t = node.as_table();
  if (t == nullptr) return bad("oidc_federation", "expected a table [oidc_federation] in " + file);
  for (const auto& [key, v] : *t) {
    const std::string name = "oidc_federation." + std::string(key.str());
    if (key.str() != "authority_hints")
      return Error::make("config.unknown", 400, fmt::format("{} (in {})", name, file));
    const auto* list = v.as_array();
    if (list == nullptr) return bad(name, "expected a list of entity ids");
    for (const auto& item : *list) {
      auto s = item.value<std::string>();
      if (!s || !is_http_url(*s)) return bad(name, "not an entity id (an https:// address)");
      c.authority_hints.push_back(*s);
    }
  }
  return Ok{};
}

}  // namespace

const std::vector<ConfigSetting>& config_settings() {
  static const std::vector<ConfigSetting> list = [] {
    std::vector<ConfigSetting> v;
    for (const auto& f : fields()) v.push_back(f.meta);
    return v;
  }();
  return list;
}

std::string built_in_share_dir() {
  return SPORTELLO_SHARE_DIR;
}
std::string built_in_static_dir() {
  return SPORTELLO_STATIC_DIR;
}

Result<Config> load_config(const std::string& file) {
  Config c;
  c.share_dir = built_in_share_dir();
  c.static_dir = built_in_static_dir();
  for (const auto& f : fields()) c.sources[f.meta.key] = "default";

  if (!file.empty()) {
    if (!std::filesystem::exists(file)) return Error::make("config.file_missing", 400, file);
    toml::table table;
    try {
      table = toml::parse_file(file);
    } catch (const toml::parse_error& e) {
      return Error::make("config.file_syntax", 400,
                         fmt::format("{}:{}: {}", file, e.source().begin.line, e.description()));
    }
    for (const auto& [key, node] : table) {
      std::string k(key.str());
      if (k == "oidc_body" || k == "oidc_federation") {
        OidcFederationConfig federation;  // checked here, read again by load_oidc_federation
        auto st = k == "oidc_body" ? parse_oidc_bodies(node, file, federation)
                                   : parse_oidc_federation(node, file, federation);
        if (!st) return st.error();
        c.sources[k] = file;
        continue;
      }
      auto it =
          std::find_if(fields().begin(), fields().end(), [&](const Field& f) { return f.meta.key == k; });
      if (it == fields().end()) return Error::make("config.unknown", 400, fmt::format("{} (in {})", k, file));
      std::string text = toml_value_text(node);
      if (text.empty() && !node.is_string()) return bad(k, "unsupported value type in " + file).error();
      auto st = it->set(c, text);
      if (!st) return st.error();
      c.sources[k] = file;
    }
  }

  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    if (entry.rfind("SPORTELLO_", 0) != 0) continue;
    auto eq = entry.find('=');
    std::string name = entry.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : entry.substr(eq + 1);
    if (is_reserved_env(name)) continue;
    auto it =
        std::find_if(fields().begin(), fields().end(), [&](const Field& f) { return f.meta.env == name; });
    if (it == fields().end()) return Error::make("config.unknown", 400, name + " (environment)");
    auto st = it->set(c, value);
    if (!st) return st.error();
    c.sources[it->meta.key] = name;
  }

  // Without an explicit public URL, follow the port so links and sign-in callbacks match the server.
  if (c.sources["public_url"] == "default") c.public_url = "http://localhost:" + std::to_string(c.port);
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  if (c.default_locale != "it" && c.default_locale != "en") {
    return bad("default_locale", "must be it or en, got '" + c.default_locale + "'").error();
  }
  while (!c.conservazione_url.empty() && c.conservazione_url.back() == '/') c.conservazione_url.pop_back();
  if (!c.conservazione_url.empty() && !is_http_url(c.conservazione_url))
    return bad("conservazione_url",
               "expected an http:// or https:// address, got '" + c.conservazione_url + "'")
        .error();
  if (c.audit_key_file.empty()) return bad("audit_key_file", "must name a file").error();
  if (c.audit_anchor_file.empty()) return bad("audit_anchor_file", "must name a file").error();
  if (c.keys_dir.empty()) return bad("keys_dir", "must name a folder").error();
  if (auto why = sms_sender_problem(c.sms_sender); !why.empty())
    return bad("sms_sender", "'" + c.sms_sender + "' " + why).error();
  static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
  if (levels.count(c.log_level) == 0) return bad("log_level", "unknown level '" + c.log_level + "'").error();
  if (c.database.rfind("sqlite:", 0) != 0 && c.database.rfind("postgresql://", 0) != 0 &&
      c.database.rfind("postgres://", 0) != 0) {
    return bad("database", "must start with sqlite: or postgresql:// (got '" + c.database + "')").error();
  }
  return c;
}

std::string sms_sender_problem(std::string_view alias) {
  if (alias.empty()) return "is empty: an SMS needs a sender alias";
  if (alias.size() > 11)
    return fmt::format("has {} characters: an alias has at most 11 (AGCOM)", alias.size());
  bool letter = false;
  for (char ch : alias) {
    const auto u = static_cast<unsigned char>(ch);
    if (std::isalpha(u) && u < 0x80) {
      letter = true;
    } else if (!(std::isdigit(u) && u < 0x80) &&
               std::string_view(" .-_&+").find(ch) == std::string_view::npos) {
      return fmt::format(
          "contains '{}': only letters, digits, space and . - _ & + (no accents)",
          u < 0x20 || u >= 0x7f ? std::string("\\x") + fmt::format("{:02x}", u) : std::string(1, ch));
    }
  }
  if (!letter) return "has no letter: an alias of digits only would look like a phone number";
  if (alias.front() == ' ' || alias.back() == ' ') return "starts or ends with a space";
  return "";
}

namespace {
// Why a set PEM bundle setting is unusable ("" when it is fine or not set): unreadable, or no certificate.
std::string pem_bundle_problem(const std::string& key, const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path);
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && pem.empty()) return key + ": '" + path + "' cannot be read";
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    return key + ": '" + path + "' holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
  return "";
}
}  // namespace

std::vector<std::string> check_config(const Config& c) {
  std::vector<std::string> problems;
  namespace fs = std::filesystem;
  if (!fs::is_directory(c.share_dir + "/web/templates")) {
    problems.push_back("share_dir: no web/templates folder in '" + c.share_dir + "'");
  }
  if (!fs::is_directory(c.share_dir + "/migrations")) {
    problems.push_back("share_dir: no migrations folder in '" + c.share_dir + "'");
  }
  if (!c.static_dir.empty() && !fs::is_directory(c.static_dir)) {
    problems.push_back("static_dir: '" + c.static_dir + "' is not a folder (run the build first)");
  }
  if (!c.files_dir.empty() && fs::exists(c.files_dir) && !fs::is_directory(c.files_dir)) {
    problems.push_back("files_dir: '" + c.files_dir + "' exists and is not a folder");
  }
  // The audit key and anchor files: outside the database, so an attacker with database access can neither
  // recompute the chain nor cut its tail unnoticed.
  std::error_code ec;
  if (fs::exists(c.audit_key_file, ec)) {
    const auto perms = fs::status(c.audit_key_file, ec).permissions();
    if (!fs::is_regular_file(c.audit_key_file, ec)) {
      problems.push_back("audit_key_file: '" + c.audit_key_file + "' is not a file");
    } else if ((perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
      problems.push_back("audit_key_file: '" + c.audit_key_file +
                         "' can be read by other users (chmod 600 it)");
    }
  }
  if (fs::exists(c.audit_anchor_file, ec) && !fs::is_regular_file(c.audit_anchor_file, ec)) {
    problems.push_back("audit_anchor_file: '" + c.audit_anchor_file + "' is not a file");
  }
  if (fs::exists(c.keys_dir, ec) && !fs::is_directory(c.keys_dir, ec)) {
    problems.push_back("keys_dir: '" + c.keys_dir + "' is not a folder");
  }
  for (const auto& p : keys::permission_problems(c.keys_dir)) problems.push_back("keys_dir: " + p);
  if (auto p = pem_bundle_problem("pec_trusted_certs", c.pec_trusted_certs); !p.empty())
    problems.push_back(p + ": no PEC receipt would be believed");
  // The protocol exchange's files (docs/protocollo-interop.md): a name that reaches nothing would leave
  // every arrival refused (no schema), every foreign signature untrusted, every SOAP peer unknown.
  const auto schema_dir = agid_schema_dir(c);
  if (!fs::is_regular_file(fs::path(schema_dir) / "segnatura_protocollo.xsd", ec)) {
    // Only an error when set: the default folder is optional (arrivals are then refused, with the reason).
    if (!c.agid_schema_dir.empty())
      problems.push_back("agid_schema_dir: no segnatura_protocollo.xsd in '" + schema_dir + "'");
  }
  if (auto p = pem_bundle_problem("agid_trusted_ca_file", c.agid_trusted_ca_file); !p.empty())
    problems.push_back(p + ": no outside administration's segnatura would be trusted");
  if (!c.agid_soap_endpoints.empty() && !fs::is_regular_file(c.agid_soap_endpoints, ec))
    problems.push_back("agid_soap_endpoints: '" + c.agid_soap_endpoints + "' is not a readable file");
  // ANPR's mutual TLS: a certificate without its key (or the reverse), or a pair that does not match,
  // would make every call to ANPR fail at the handshake.
  if (c.anpr_client_cert.empty() && !c.anpr_client_key.empty())
    problems.push_back("anpr_client_key: set without anpr_client_cert");
  if (!c.anpr_client_cert.empty())
    if (auto p = crypto::client_certificate_problem(c.anpr_client_cert, c.anpr_client_key); !p.empty())
      problems.push_back("anpr_client_cert: " + p + ": every call to ANPR would be refused");
  if (!c.anpr_client_key.empty()) {
    const auto perms = fs::status(c.anpr_client_key, ec).permissions();
    if (!ec && (perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
      problems.push_back("anpr_client_key: '" + c.anpr_client_key +
                         "' can be read by other users (chmod 600 it)");
  }
  if (auto p = pem_bundle_problem("anpr_ca_file", c.anpr_ca_file); !p.empty())
    problems.push_back(p + ": ANPR's server would not be trusted");
  if (!c.conservazione_url.empty() && c.conservazione_token.empty())
    problems.push_back(
        "conservazione_token: empty while conservazione_url is set (the service would refuse "
        "every package)");
  if (c.audit_key_file == c.audit_anchor_file) {
    problems.push_back("audit_anchor_file: the same file as audit_key_file");
  }
  return problems;
}

std::string agid_schema_dir(const Config& c) {
  return c.agid_schema_dir.empty() ? c.share_dir + "/../shared/agid" : c.agid_schema_dir;
}

namespace {

// What `config check` may print of a setting: it runs before every start of the systemd unit, and its
// output goes to the journal. Secrets show as set or empty; a database URL loses its password.
std::string printable_value(const std::string& key, const std::string& value) {
  if (key.find("password") != std::string::npos || key.find("api_key") != std::string::npos ||
      key.find("token") != std::string::npos) {
    return value.empty() ? "" : "(set, not shown)";
  }
  if (key == "database") {
    const auto scheme = value.find("://");
    const auto at = value.find('@');
    const auto colon = scheme == std::string::npos ? std::string::npos : value.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      return value.substr(0, colon + 1) + "***" + value.substr(at);
    const auto pw = value.find("password=");
    if (pw != std::string::npos) {
      const auto end = value.find_first_of("& ", pw);
      return value.substr(0, pw + 9) + "***" + (end == std::string::npos ? "" : value.substr(end));
    }
  }
  return value;
}

}  // namespace

std::string describe_config(const Config& c) {
  std::string out;
  for (const auto& f : fields()) {
    auto it = c.sources.find(f.meta.key);
    out += fmt::format("{:<20} = {:<40} ({}; env {})\n", f.meta.key, printable_value(f.meta.key, f.get(c)),
                       it == c.sources.end() ? "default" : it->second, f.meta.env);
  }
  for (const char* table : {"oidc_federation", "oidc_body"})
    if (auto it = c.sources.find(table); it != c.sources.end())
      out += fmt::format("[{}] tables{:<5} ({})\n", table, "", it->second);
  return out;
}

Result<OidcFederationConfig> load_oidc_federation(const std::string& file) {
  OidcFederationConfig out;
  if (file.empty()) return out;
  if (!std::filesystem::exists(file)) return Error::make("config.file_missing", 400, file);
  toml::table table;
  try {
    table = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    return Error::make("config.file_syntax", 400,
                       fmt::format("{}:{}: {}", file, e.source().begin.line, e.description()));
  }
  if (const auto* n = table.get("oidc_federation"))
    if (auto st = parse_oidc_federation(*n, file, out); !st) return st.error();
  if (const auto* n = table.get("oidc_body"))
    if (auto st = parse_oidc_bodies(*n, file, out); !st) return st.error();
  return out;
}

Result<OidcFederationConfig> load_oidc_federation(const Config& config) {
  for (const char* table : {"oidc_federation", "oidc_body"})
    if (auto it = config.sources.find(table); it != config.sources.end())
      return load_oidc_federation(it->second);
  return OidcFederationConfig{};
}

}  // namespace sp
