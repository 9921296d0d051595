#include "app/keys_cli.hpp"

#include <iostream>

#include "audit/service.hpp"
#include "core/keys/key_ring.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/inbound_service.hpp"
#include "tenants/service.hpp"

namespace sp::app {
namespace {

int keys_fail(const Error& e) {
  std::cerr << "sportello: " << e.code << ": " << e.detail << "\n";
  return 2;
}

void print_ring(const keys::KeyRing& ring, time::TimePoint now, std::ostream& out) {
  const keys::Key* signer = ring.signing(now);
  for (const auto& k : ring.keys()) {
    out << ring.owner() << "\t" << keys::to_string(ring.purpose()) << "\t" << k.id << "\t" << k.alg << "\t"
        << keys::to_string(k.status) << (signer == &k ? " (signs)" : "") << "\t"
        << time::format_iso_utc(k.not_before) << "\t" << time::format_iso_utc(k.not_after) << "\n";
  }
  for (const auto& p : ring.problems) out << "problem: " << p << "\n";
}

}  // namespace

KeysCommands::KeysCommands(CLI::App& cli) {
  keys_ = cli.add_subcommand("keys",
                             "Key rings outside the database: audit, stamp and XML signing (docs/keys.md)");
  list_ = keys_->add_subcommand("list", "List the keys of every ring, or of one body or purpose");
  list_->add_option("--body", owner_, "A body's slug, or hub");
  list_->add_option("--purpose", purpose_, "audit-hmac, stamp-signing or xml-signing")
      ->check(CLI::IsMember({"audit-hmac", "stamp-signing", "xml-signing"}));
  rotate_ = keys_->add_subcommand(
      "rotate", "Make a new key that signs from now (or --not-before); older keys keep verifying");
  rotate_->add_option("--body", owner_, "A body's slug, or hub (the hub's audit key)")->required();
  rotate_->add_option("--purpose", purpose_, "audit-hmac or stamp-signing")
      ->required()
      ->check(CLI::IsMember({"audit-hmac", "stamp-signing", "xml-signing"}));
  rotate_->add_option("--not-before", not_before_,
                      "When the new key starts signing (UTC, e.g. 2026-04-01T00:00:00Z)");
  rotate_->add_option("--valid-days", valid_days_, "Days it signs for (default: audit 3653, stamp 1096)");
  keys_->require_subcommand(1);
}

bool KeysCommands::parsed() const {
  return keys_->parsed();
}

int KeysCommands::run(const Config& config, std::ostream& out) {
  const auto now = time::system_clock().now();
  if (rotate_->parsed()) {
    keys::NewKey options;
    options.validity = std::chrono::days(valid_days_);
    if (!not_before_.empty()) {
      auto t = time::parse_iso_utc(not_before_);
      if (!t) return keys_fail(Error::make("keys.not_before", 400, not_before_));
      options.not_before = *t;
    }
    auto key = keys::rotate(config.keys_dir, owner_, *keys::parse_purpose(purpose_), now, options);
    if (!key) return keys_fail(key.error());
    out << "new key " << key->id << " (" << key->alg << ") in "
        << keys::ring_dir(config.keys_dir, owner_, key->purpose) << ", signs from "
        << time::format_iso_utc(key->not_before) << " to " << time::format_iso_utc(key->not_after) << "\n"
        << "copy the folder to every node (or keep it on shared storage) and restart them; older keys stay "
           "for verification\n";
    return 0;
  }
  out << "owner\tpurpose\tkid\talg\tstatus\tnot_before\tnot_after\n";
  for (const auto& owner : keys::owners(config.keys_dir)) {
    if (!owner_.empty() && owner != owner_) continue;
    for (auto p : {keys::Purpose::audit_hmac, keys::Purpose::stamp_signing, keys::Purpose::xml_signing}) {
      if (!purpose_.empty() && purpose_ != keys::to_string(p)) continue;
      auto ring = keys::load_ring(config.keys_dir, owner, p);
      if (ring) print_ring(*ring, now, out);
    }
  }
  for (const auto& p : keys::permission_problems(config.keys_dir)) out << "problem: " << p << "\n";
  return 0;
}

InboundCommands::InboundCommands(CLI::App& cli) {
  inbound_ = cli.add_subcommand("inbound",
                                "Credentials of national systems that call a body (docs/architecture.md)");
  add_ = inbound_->add_subcommand("add", "Add a station's credential; prints its secret once");
  add_->add_option("--body", body_, "The body's slug")->required();
  add_->add_option("--system", system_, "e.g. pagopa, anpr, appio, sms-delivery")->required();
  add_->add_option("--station", station_, "The caller's station (e.g. pagoPA idStazione)")->required();
  add_->add_option("--identifiers", identifiers_,
                   "JSON object of identifiers the caller must present, e.g. {\"idPA\":\"00112233445\"}");
  add_->add_option("--cert-fingerprint", fingerprint_, "SHA-256 of the client certificate (hex)");
  add_->add_flag("--certificate-only", certificate_only_, "No secret: the client certificate alone");
  rotate_ =
      inbound_->add_subcommand("rotate", "Give a station a new secret (printed once); the old one stops");
  rotate_->add_option("--body", body_, "The body's slug")->required();
  rotate_->add_option("--system", system_, "The system")->required();
  rotate_->add_option("--station", station_, "The station")->required();
  list_ = inbound_->add_subcommand("list", "List the credentials (never their secrets)");
  list_->add_option("--body", body_, "Only this body's");
  inbound_->require_subcommand(1);
}

bool InboundCommands::parsed() const {
  return inbound_->parsed();
}

int InboundCommands::run(const Config& config, std::ostream& out) {
  auto db = db::open(config.database);
  db::migrate(*db, config.share_dir + "/migrations");
  tenants::TenantService tenants(*db);
  tenants.reload();
  std::optional<tenants::TenantId> tenant;
  if (!body_.empty()) {
    auto body = tenants.by_slug(body_);
    if (!body) return keys_fail(Error::not_found("body " + body_));
    tenant = body->id;
  }
  auto key = audit::load_chain_key(config.keys_dir, config.audit_key_file, time::system_clock().now(), false);
  if (!key) return keys_fail(key.error());
  audit::AuditService audit(*db, time::system_clock(), *key);
  identity::InboundService inbound(*db, audit, time::system_clock());
  int rc = 0;
  if (add_->parsed() || rotate_->parsed()) {
    auto issued = add_->parsed()
                      ? inbound.add(*tenant, system_, station_, identifiers_, fingerprint_, certificate_only_)
                      : inbound.rotate(*tenant, system_, station_);
    if (!issued) {
      rc = keys_fail(issued.error());
    } else {
      out << "credential " << issued->credential.id << " for " << body_ << " " << system_ << "/" << station_
          << "\n";
      if (!issued->secret.empty()) {
        out << "secret (shown once, give it to the caller for \"Authorization: Bearer\"): " << issued->secret
            << "\n";
      }
    }
  } else {
    out << "id\tbody\tsystem\tstation\tsecret\tcertificate\tidentifiers\tcreated_at\trotated_at\n";
    for (const auto& c : inbound.list(tenant)) {
      auto body = tenants.by_id(c.tenant_id);
      std::string ids;
      for (const auto& [k, v] : c.identifiers) ids += (ids.empty() ? "" : ",") + k + "=" + v;
      out << c.id << "\t" << (body ? body->slug : std::to_string(c.tenant_id)) << "\t" << c.system << "\t"
          << c.station << "\t" << (c.has_secret ? "yes" : "no") << "\t"
          << (c.cert_fingerprint.empty() ? "-" : c.cert_fingerprint) << "\t" << ids << "\t" << c.created_at
          << "\t" << c.rotated_at.value_or("-") << "\n";
    }
  }
  db->close();
  return rc;
}

}  // namespace sp::app
