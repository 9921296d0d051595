#pragma once
// Configuration: defaults, then a TOML file, then SPORTELLO_* environment variables. Every setting has
// a safe default; an unknown or invalid setting stops the start with a message naming it.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sp {

// The folders the binary was built with (the source tree and its build's static/): defaults only.
// Kept out of headers as macros so that objects do not depend on where the tree is checked out.
std::string built_in_share_dir();
std::string built_in_static_dir();

struct Config {
  std::string database = "sqlite:var/sportello.db";
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: a free port, chosen at start (logged, and written to port_file)
  std::string port_file;      // when set, `serve` writes the ports it listens on there (JSON)
  int threads = 0;            // 0: one per core
  std::string share_dir;      // holds web/templates, web/locales, migrations, data
  std::string static_dir;     // static assets (bootstrap-italia copied at build time)
  std::int64_t body_limit = 1024 * 1024;
  std::int64_t upload_limit = 25 * 1024 * 1024;
  std::int64_t request_timeout_ms = 30'000;
  std::int64_t idle_timeout_ms = 60'000;
  std::string default_locale = "it";
  bool access_log = true;
  std::string log_level = "info";
  int db_pool_size = 8;
  bool demo = false;                                     // seed the demo data when the database is empty
  std::string public_url = "http://localhost:8080";      // default follows `port` when not set
  std::string oidc_rp_key_file = "var/oidc-rp-key.pem";  // the relying party's signing key, made when missing
  std::string oidc_providers_file;                       // JSON list of SPID/CIE providers (production)
  bool sim_idp = true;                                   // the local SPID/CIE simulator, in demo mode only
  std::uint16_t sim_idp_port = 8091;                     // its port; 0: a free one (the issuer follows it)
  bool sim_pagopa = true;                // the local pagoPA simulator (node, PSP, Checkout, FdR)
  std::uint16_t sim_pagopa_port = 8092;  // its port; 0: a free one
  std::string pagopa_checkout_url;  // pagoPA Checkout's cart API base (…/checkout/ec/v1); demo: the simulator
  std::string
      pagopa_fdr_url;  // pagoPA's FdR organization API base (…/fdr-org/service/v1); demo: the simulator
  std::string pagopa_subscription_key;  // the hub's API Management key for Checkout and FdR
                                        // (Ocp-Apim-Subscription-Key)
  bool sim_anpr = true;                 // the local ANPR simulator (consultation, certificates), demo only
  std::uint16_t sim_anpr_port = 8093;   // its port; 0: a free one
  std::string anpr_url;                 // ANPR's SOAP services base (…/Interno/ANPR); demo: the simulator
  std::string anpr_credentials;         // each comune's ANPR credential: "ISTAT=SECRET,ISTAT=SECRET"
  // Mutual TLS with ANPR: the hub's client certificate as ANPR's accredited system (PEM, its chain after
  // it) and its unencrypted PEM key, sent on every call to anpr_url for every comune; and the CA file
  // that ANPR's server certificate must chain to (empty: the system's trust store). Empty: none sent.
  std::string anpr_client_cert;
  std::string anpr_client_key;
  std::string anpr_ca_file;
  std::uint16_t smtp_sink_port = 0;  // the demo's local SMTP sink; 0: a free one
  std::string smtp_url;              // smtp://relay:587 or smtps://...; demo: a local sink
  std::string smtp_username;
  std::string smtp_password;
  std::string mail_from = "noreply@sportello.example";
  std::string sms_gateway_url;  // the SMS gateway's POST endpoint; demo: the simulator
  std::string sms_api_key;
  // The SMS sender alias (AGCOM, delibera 12/23/CIR: registered through the provider): at most 11
  // characters, ASCII letters and digits with space . - _ & + and at least one letter. Checked when read.
  std::string sms_sender = "Sportello";
  // The bearer token the SMS gateway sends with its delivery reports (POST /inbound/sms/reports); empty:
  // reports are not received (demo: one made for the simulator).
  std::string sms_report_token;
  // The PEC providers' certificates the hub trusts (a PEM bundle): a receipt signed by another is never
  // read (docs/messaging.md, "PEC: receipts"). Empty: no receipt is trusted (demo: the simulator's).
  std::string pec_trusted_certs;
  // A PEC message handed to the provider that no acceptance receipt names within this many minutes is
  // failed (pec.no_acceptance) and its fallback queued (docs/messaging.md, "No receipt at all").
  std::int64_t pec_acceptance_timeout_min = 30;
  std::string appio_url;  // App IO's API base (…/api/v1); demo: the simulator; keys per body in keys_dir
  // The business register's look-up for public bodies (docs/business-register.md): its base URL (…/v1)
  // and bearer token; empty URL: not configured (demo: the simulator under /sim/registro-imprese).
  std::string business_register_url;
  std::string business_register_token;
  std::string files_dir;  // uploaded files' folder; empty: kept in the database
  // Alerts to the population (src/alerts, docs/alerts.md): each gateway's rate in messages per second
  // (the fan-out spreads an alert's messages to it), and what one SMS costs the body (euro cents).
  std::int64_t alert_rate_email = 50;
  std::int64_t alert_rate_sms = 20;
  std::int64_t alert_rate_pec = 5;
  std::int64_t alert_rate_appio = 12;  // IO: 150 calls per 5 s per key, two calls per message
  std::int64_t alert_sms_cost_cents = 6;
  // The help desk (src/helpdesk, docs/helpdesk.md): months after closing when a ticket's texts are purged.
  std::int64_t helpdesk_retention_months = 24;
  // The audit chain's HMAC key (made when missing, mode 600) and the append-only file where each body's
  // chain head is anchored; both outside the database, backed up apart from it (docs/audit.md).
  std::string audit_key_file = "var/audit-hmac.key";
  std::string audit_anchor_file = "var/audit-anchors.jsonl";
  std::int64_t audit_anchor_interval_s = 300;
  // How often a node checks whether the body directory or the catalog changed elsewhere (another node, a
  // CLI command) and reloads them: the longest a new body's portal can answer 404 on this node.
  std::int64_t directory_refresh_ms = 2000;
  // Key material outside the database, per body and purpose (core/keys, docs/keys.md): the same folder
  // on every node (shared or copied), backed up apart from the database.
  std::string keys_dir = "var/keys";
  // Addresses of the TLS-terminating proxies whose client-certificate header inbound calls may trust
  // (comma-separated; empty: none, so only shared secrets authenticate inbound calls).
  std::string inbound_trusted_proxies;
  // Inbound calls let through per body, system and caller address per minute. The pagoPA node calls from
  // a handful of addresses three times per payment: a comune's tax deadline means hundreds a minute.
  std::int64_t inbound_calls_per_minute = 6000;
  // The protocol exchange (docs/protocollo-interop.md): AgID's schemas' folder (empty: <share_dir>/../shared/
  // agid), the CAs trusted for incoming segnature besides the hub members' certificates (PEM; empty: none),
  // and the directory of other administrations' SOAP interfaces (lines "<ipa>/<aoo> <base URL>"; empty:
  // none).
  std::string agid_schema_dir;
  std::string agid_trusted_ca_file;
  std::string agid_soap_endpoints;
  // Who checks the callers of the hub's protocol SOAP interfaces (ModI ID_AUTH_SOAP_02): false, the hub
  // itself (and it signs its own calls); true, a ModI gateway in front of /interop/soap/ does both. And
  // the clock difference allowed between a caller's Timestamp and ours.
  bool agid_soap_gateway = false;
  std::int64_t agid_soap_clock_skew_s = 120;
  // The preservation service (docs/conservazione.md): its API base (empty: nothing is sent, demo: the
  // simulator), the hub's Bearer credential there, and the demo's simulated conservator and its port.
  std::string conservazione_url;
  std::string conservazione_token;
  bool sim_conservazione = true;
  std::uint16_t sim_conservazione_port = 0;  // 0: a free one

  // Where each setting's value came from ("default", the file path, or the env var name).
  std::map<std::string, std::string> sources;
};

struct ConfigSetting {
  std::string key;  // TOML key, e.g. "database"
  std::string env;  // environment variable, e.g. "SPORTELLO_DATABASE"
  std::string help;
};
const std::vector<ConfigSetting>& config_settings();

// Loads defaults, then `file` (if not empty; it must exist), then the environment. Errors name the setting.
Result<Config> load_config(const std::string& file);
// Checks values that need more than parsing (directories exist, database URL scheme).
std::vector<std::string> check_config(const Config& config);
// Why `alias` cannot be an SMS sender (AGCOM rules, see Config::sms_sender), or "" when it can.
std::string sms_sender_problem(std::string_view alias);
// The folder of AgID's schemas: agid_schema_dir, or <share_dir>/../shared/agid when it is empty.
std::string agid_schema_dir(const Config& config);
// Prints "key = value  (source)" lines.
std::string describe_config(const Config& config);

}  // namespace sp
