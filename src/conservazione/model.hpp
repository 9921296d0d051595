#pragma once
// Digital preservation (conservazione, issue 21; docs/conservazione.md): what a body sends to its
// preservation service, as submission packages (SIP) with a UNI SInCRO index, and what came back.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tenants/model.hpp"

namespace sp::conservazione {

// Document classes. The daily register of protocol is always preserved (DPR 445/2000 art. 53, AgID
// guidelines 2021 §3.1.6: sent by the next working day); the others are the body's choice.
inline constexpr const char* kDailyRegister = "registro_giornaliero";
inline constexpr const char* kProtocolDocuments = "documenti_protocollo";
inline constexpr const char* kDecisions = "decisioni";  // case decisions (case_documents)
inline constexpr const char* kRelate = "relate";        // the albo's confirmed publication reports
inline constexpr const char* kPaymentReceipts = "ricevute_pagamento";  // pagoPA receipts that counted
// The classes a body may choose, in the order the settings page shows them.
const std::vector<std::string>& optional_classes();
bool known_class(const std::string& c);

// A package's state: pending (made, not yet answered), rejected (the conservator refused it: sent again
// after a backoff), failed (not received: no answer, 5xx), accepted (final: its receipt is recorded).
enum class State { pending, rejected, failed, accepted };
const char* state_name(State s);
std::optional<State> parse_state(const std::string& s);

struct Package {
  std::string id;  // UUIDv7
  tenants::TenantId tenant_id = 0;
  std::string klass;      // class code
  std::string object_id;  // the register's or document's id
  std::string title;      // "AOO_CODE 2026-03-02" for a register, the document's name otherwise
  std::string idempotency_key;
  std::string index_xml;
  std::string index_sha256;
  std::int64_t audit_head_seq = 0;
  std::string audit_head_hash;
  // The hub's own chain (tenant 0) when the package was made: anchored at the conservator with it.
  std::int64_t hub_head_seq = 0;
  std::string hub_head_hash;
  std::string due_day;  // the Rome day by which it must be accepted (next working day)
  State state = State::pending;
  int attempts = 0;
  std::string next_attempt_at;
  std::string last_error;
  std::string created_at;
  std::string accepted_at;
  std::string receipt_id;
};

// One answer of the conservator (append-only).
struct Receipt {
  std::int64_t id = 0;
  std::string package_id;
  int attempt = 0;
  std::string outcome;  // accepted | rejected | failed
  std::string receipt_id;
  std::string detail;
  std::string body;
  std::string received_at;
};

// A record of another module that a class preserves (decisions, relate, receipts), as read for the plan:
// a stored file (file_id) or, for a receipt, its payload as received.
struct Preservable {
  std::string object_id;  // the stored file's id; the receipt's row id
  std::string file_name;
  std::string sha256;     // lower-case hex
  std::string day;        // the UTC instant it was made (ISO 8601)
  std::string reference;  // the case's id, "year/number" of the publication, the IUV
};

struct Settings {
  std::vector<std::string> classes;  // optional classes chosen
  std::string updated_by;
  std::string updated_at;
};

// The newest accepted audit head of a body: what `sportello audit verify` counts as anchored at the
// conservator.
struct PreservedHead {
  tenants::TenantId tenant_id = 0;
  std::int64_t seq = 0;
  std::string hash;
  std::string accepted_at;
  std::string receipt_id;
  std::string package_id;
};

}  // namespace sp::conservazione
