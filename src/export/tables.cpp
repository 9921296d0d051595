#include "export/tables.hpp"

namespace sp::body_export {
namespace {

TableSpec direct(std::string name, std::vector<std::string> key, bool csv = false) {
  TableSpec t;
  t.name = std::move(name);
  t.key = std::move(key);
  t.csv = csv;
  return t;
}

TableSpec child(std::string name, std::string column, std::string parent, std::string parent_key,
                std::vector<std::string> key) {
  TableSpec t;
  t.name = std::move(name);
  t.scope = Scope::child;
  t.column = std::move(column);
  t.parent = std::move(parent);
  t.parent_key = std::move(parent_key);
  t.key = std::move(key);
  return t;
}

TableSpec referenced(std::string name, std::string where, std::vector<std::string> key, std::string natural) {
  TableSpec t;
  t.name = std::move(name);
  t.scope = Scope::referenced;
  t.referenced_where = std::move(where);
  t.key = std::move(key);
  t.merge = true;
  t.natural_key = std::move(natural);
  return t;
}

std::vector<TableSpec> build() {
  std::vector<TableSpec> t;
  // The hub and the catalog entries the body offers (merged into the target hub's catalog by code).
  TableSpec hub;
  hub.name = "hubs";
  hub.scope = Scope::hub;
  hub.key = {"id"};
  hub.merge = true;
  hub.natural_key = "slug";
  t.push_back(hub);
  constexpr const char* kOffered =
      "(SELECT s.{col} FROM services s JOIN body_services bs ON bs.service_id = s.id WHERE bs.tenant_id = "
      "$1)";
  auto offered = [&](const std::string& col) {
    std::string q = kOffered;
    q.replace(q.find("{col}"), 5, col);
    return q;
  };
  t.push_back(referenced("life_events", "code IN " + offered("life_event"), {"code"}, "code"));
  t.push_back(referenced("thematic_areas", "code IN " + offered("area"), {"code"}, "code"));
  t.push_back(referenced("services", "id IN (SELECT service_id FROM body_services WHERE tenant_id = $1)",
                         {"id"}, "code"));
  t.push_back(referenced(
      "form_definitions",
      "EXISTS (SELECT 1 FROM cases c WHERE c.tenant_id = $1 AND c.form_code = form_definitions.code AND "
      "c.form_version = form_definitions.version) OR EXISTS (SELECT 1 FROM application_drafts d WHERE "
      "d.tenant_id = $1 AND d.form_code = form_definitions.code AND d.form_version = "
      "form_definitions.version)",
      {"code", "version"}, ""));

  TableSpec body;
  body.name = "bodies";
  body.scope = Scope::body;
  body.key = {"id"};
  body.csv = true;
  t.push_back(body);
  t.push_back(direct("body_services", {"tenant_id", "service_id"}, true));
  t.push_back(direct("body_security", {"tenant_id"}));
  t.push_back(direct("body_page_versions", {"tenant_id", "version"}));
  t.push_back(direct("body_street_lists", {"tenant_id"}));
  t.push_back(direct("body_streets", {"tenant_id", "position"}));
  t.push_back(direct("form_overlays", {"tenant_id", "form_code", "version"}));
  t.push_back(direct("message_templates", {"tenant_id", "message_type", "lang"}));

  // Staff: names, e-mails and roles; never their secrets (they set a new password at the new provider).
  TableSpec staff = direct("staff_accounts", {"id"}, true);
  staff.withheld = {{"password_hash", "!export"}, {"totp_secret", ""},          {"totp_last_step", ""},
                    {"totp_pending_secret", ""},  {"totp_pending_expires", ""}, {"locked_until", ""}};
  t.push_back(staff);
  t.push_back(child("staff_roles", "staff_id", "staff_accounts", "id", {"staff_id", "role"}));

  t.push_back(direct("delegations", {"id"}));
  t.push_back(child("delegation_events", "delegation_id", "delegations", "id", {"id"}));
  TableSpec assisted = direct("assisted_sessions", {"id"});
  assisted.column = "counter_tenant_id";
  t.push_back(assisted);

  // The files first: protocol, cases, albo and certificates name them.
  t.push_back(direct("stored_files", {"id"}));
  t.push_back(direct("body_logos", {"tenant_id"}));      // the body's logo, a stored file (docs/hub.md)
  t.push_back(direct("body_retention", {"tenant_id"}));  // the body's own retention periods (docs/privacy.md)

  // Protocol.
  t.push_back(direct("aoo", {"id"}));
  t.push_back(direct("protocol_entries", {"id"}, true));
  t.push_back(child("protocol_documents", "entry_id", "protocol_entries", "id", {"entry_id", "position"}));
  t.push_back(child("protocol_history", "entry_id", "protocol_entries", "id", {"id"}));
  t.push_back(direct("protocol_document_files", {"entry_id", "position"}));
  t.push_back(direct("protocol_idempotency", {"tenant_id", "idem_key"}));
  t.push_back(direct("protocol_daily_registers", {"id"}, true));
  // Protocol messages exchanged with other registry offices (docs/protocollo-interop.md).
  t.push_back(direct("protocol_messages", {"id"}));
  t.push_back(direct("protocol_soap_peers", {"id"}));
  t.push_back(
      child("protocol_message_files", "message_id", "protocol_messages", "id", {"message_id", "position"}));
  t.push_back(direct("protocol_message_events", {"id"}));

  // Cases and applications.
  t.push_back(direct("cases", {"id"}, true));
  t.push_back(direct("case_transitions", {"id"}));
  t.push_back(direct("case_messages", {"id"}));
  t.push_back(direct("case_notes", {"id"}));
  t.push_back(direct("case_documents", {"id"}));
  t.push_back(direct("application_drafts", {"id"}));

  // Payments.
  t.push_back(direct("payment_creditors", {"tenant_id"}));
  t.push_back(direct("payment_iuv_counters", {"tenant_id", "segregation_code"}));
  t.push_back(direct("payment_services", {"tenant_id", "code"}));
  t.push_back(direct("payment_positions", {"id"}, true));
  t.push_back(direct("payment_options", {"id"}, true));
  t.push_back(
      child("payment_transfers", "option_id", "payment_options", "id", {"option_id", "transfer_index"}));
  t.push_back(direct("payment_receipts", {"id"}, true));
  t.push_back(child("payment_receipt_transfers", "receipt_id", "payment_receipts", "id",
                    {"receipt_id", "transfer_index"}));
  t.push_back(direct("payment_flows", {"id"}, true));
  t.push_back(direct("payment_flow_rows", {"flow_pk", "ordinal"}));
  t.push_back(direct("payment_bank_statements", {"id"}));
  t.push_back(direct("payment_bank_movements", {"id"}, true));
  t.push_back(direct("case_fees", {"case_id"}));

  // Digital stamp.
  t.push_back(direct("stamped_documents", {"token"}));
  t.push_back(direct("stamp_revocations", {"token"}));

  // Albo pretorio.
  t.push_back(direct("albo_number_starts", {"tenant_id", "year"}));
  t.push_back(direct("albo_custom_act_types", {"tenant_id", "code"}));
  t.push_back(direct("albo_act_types", {"tenant_id", "code"}));
  t.push_back(direct("albo_publications", {"id"}, true));
  t.push_back(direct("albo_documents", {"publication_id", "position"}));
  t.push_back(direct("albo_idempotency", {"tenant_id", "idem_key"}));
  t.push_back(direct("albo_outages", {"id"}));
  t.push_back(direct("albo_relate", {"publication_id"}));

  // Register mirror (every version: its history).
  t.push_back(direct("anagrafe_imports", {"id"}));
  t.push_back(child("anagrafe_import_errors", "import_id", "anagrafe_imports", "id", {"import_id", "line"}));
  t.push_back(direct("anagrafe_streets", {"tenant_id", "specie", "denominazione"}));
  t.push_back(direct("anagrafe_versions", {"tenant_id", "codice_fiscale", "data_variazione"}));
  t.push_back(direct("anagrafe_anpr_polls", {"id"}));
  t.push_back(direct("anagrafe_anpr_notifications", {"tenant_id", "anpr_operation_id"}));

  // Certificates and self-declarations.
  t.push_back(direct("certificate_fees", {"id"}));
  t.push_back(direct("certificate_requests", {"id"}));
  t.push_back(direct("certificate_refunds", {"request_id"}));
  t.push_back(direct("certificate_refund_payments", {"request_id"}));
  t.push_back(direct("certificate_counter_fees", {"request_id"}));
  t.push_back(direct("self_declarations", {"id"}));

  // Messages to people and their delivery attempts.
  t.push_back(direct("outbox", {"id"}));
  t.push_back(direct("outbox_attempts", {"id"}));
  // Alerts to the population (src/alerts): settings, alerts and their targets, subscriptions (without
  // their pending verification codes), stop links and the consents given and withdrawn.
  t.push_back(direct("alert_settings", {"tenant_id"}));
  t.push_back(direct("alerts", {"id"}));
  t.push_back(direct("alert_targets", {"alert_id", "seq"}));
  TableSpec subscriptions = direct("alert_subscriptions", {"id"});
  subscriptions.withheld = {{"code_salt", ""}, {"code_hash", ""}};
  t.push_back(subscriptions);
  t.push_back(direct("alert_stops", {"tenant_id", "channel", "address"}));
  t.push_back(direct("alert_consents", {"id"}));
  // PEC receipts (the legal proof of a PEC's delivery), the messaging settings and the reminders sent.
  t.push_back(direct("pec_receipts", {"id"}));
  t.push_back(direct("messaging_settings", {"tenant_id"}));
  t.push_back(direct("payment_due_reminders", {"tenant_id", "option_id"}));
  // The body's credit ledger (src/hub): every change of its package, credits and service levels, by code.
  t.push_back(direct("body_credit_ledger", {"id"}));

  // Tourist information (src/tourism): the items, their review history, the widget's origins.
  t.push_back(direct("tourism_items", {"id"}));
  t.push_back(direct("tourism_item_history", {"item_id", "seq"}));
  t.push_back(direct("tourism_settings", {"tenant_id"}));
  // The business-register checks made from its cases (src/business_checks).
  t.push_back(direct("business_register_checks", {"id"}));

  // Records of processing (src/privacy).
  t.push_back(direct("privacy_processing_records", {"tenant_id", "activity", "version"}));

  // Digital preservation (src/conservazione): what the body preserves, its packages and the conservator's
  // answers (the receipts are the proof of preservation).
  t.push_back(direct("conservazione_settings", {"tenant_id"}));
  t.push_back(direct("conservazione_packages", {"id"}));
  t.push_back(direct("conservazione_receipts", {"id"}));

  // The body's audit chain, last: it includes the export's own entry.
  t.push_back(direct("audit_log", {"tenant_id", "seq"}));
  return t;
}

}  // namespace

const std::vector<TableSpec>& exported_tables() {
  static const std::vector<TableSpec> tables = build();
  return tables;
}

const std::vector<Excluded>& excluded_tables() {
  static const std::vector<Excluded> excluded = {
      {"sessions", "sign-in sessions of this hub: they end when the body leaves"},
      {"api_keys", "secrets of this hub's API; the new provider issues its own"},
      {"inbound_credentials", "credentials of the national systems' calls to this hub's stations"},
      {"jobs", "this hub's queue of background work in progress"},
      {"application_parked_posts", "a form step posted after the session ended, kept for a day"},
      {"payment_activations", "a 30-minute lease while a notice is being paid, not a record"},
      {"payment_flow_staging", "scratch rows of one import, deleted in the same transaction"},
      {"payment_cart_items",
       "a citizen's cart spans bodies and proves nothing (the receipts, exported, are the proof)"},
      {"export_runs", "this hub's record of the exports it made (the export itself is in the audit chain)"},
      {"body_departures", "this hub's record of a body's leaving, written after the export"},
      {"export_links", "this hub's one-use links to download its exports' archives (their use is audited)"},
      {"pec_mailbox_seen", "which messages of the PEC mailbox this hub has read (the receipts are exported)"},
      {"protocol_soap_message_ids",
       "the ids of the SOAP calls this hub accepted, kept a few minutes against replays"},
      {"protocol_pec_seen",
       "which messages of the PEC mailbox this hub's registry reader has read (the protocol messages are "
       "exported)"},
      {"body_packages",
       "the package of this hub's price list the body bought; the new provider assigns one of its own (the "
       "ledger, exported, names every package the body had)"},
      {"hub_onboarding_drafts", "this hub's onboarding of the body, finished before anything is exported"},
      {"statistics_months", "monthly figures recomputed from the exported records (docs/statistics.md)"},
      {"statistics_days", "daily figures recomputed from the exported records (docs/statistics.md)"},
      // The help desk (docs/helpdesk.md): the body's correspondence with this hub's service centre about
      // this hub's service, numbered in this hub's sequence; not a record of the body's procedures.
      {"helpdesk_tickets", "tickets to this hub's service centre, about this hub's service"},
      {"helpdesk_events", "the history of this hub's help-desk tickets"},
      {"helpdesk_texts", "the texts of this hub's help-desk tickets"},
      {"helpdesk_attachments", "the attachments of this hub's help-desk tickets"},
  };
  return excluded;
}

bool is_body_column(std::string_view column) {
  constexpr std::string_view suffix = "_tenant_id";
  return column == "tenant_id" ||
         (column.size() > suffix.size() && column.substr(column.size() - suffix.size()) == suffix);
}

}  // namespace sp::body_export
