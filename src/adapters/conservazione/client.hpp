#pragma once
// The HTTP API of a preservation service (conservatore), as the hub speaks it (docs/conservazione.md,
// "Wire format"). Accredited conservators each publish their own API (there is no national one), so this
// is the hub's choice, kept close to what they have in common:
//
//   POST {url}/versamenti
//   Authorization: Bearer <token>           the body's credential at the conservator
//   Idempotency-Key: <key>                  one per package: a repeat gets the first answer, and is never
//                                           preserved twice
//   Content-Type: multipart/form-data
//     part "indice"  (IdC.xml, application/xml)  the UNI SInCRO (UNI 11386:2020) index of the package
//     part "file"    one per file of the package, its filename as the index's File/ID names it
//
//   200  <RapportoVersamento esito="ACCETTATO" ...>  the receipt (rapporto di versamento), also for a repeat
//   422  <RapportoVersamento esito="RIFIUTATO" ...>  refused: the reasons in <Errore codice="...">
//   401, 5xx, no answer                              not received: sent again later (same key)
//
// Why multipart and not a zip/tar: the files travel as they are, with their own names, and the index
// names and digests each of them; no archive format to agree on, and every HTTP stack can write it.
#include <string>
#include <vector>

#include "adapters/http_client.hpp"
#include "core/result.hpp"

namespace sp::conservazione_wire {

struct PackageFile {
  std::string name;  // as in the index (File/ID)
  std::string media_type;
  std::string bytes;
};

struct Submission {
  std::string idempotency_key;
  std::string index_xml;
  std::vector<PackageFile> files;
};

enum class Outcome { accepted, rejected };

// What the conservator answered (a receipt or a rejection, both XML).
struct Answer {
  Outcome outcome = Outcome::rejected;
  std::string receipt_id;  // RapportoVersamento/@id
  std::string detail;      // the rejection's reasons, "CODE: text; ..."
  std::string body;        // the XML as received
  bool repeat = false;     // the conservator had the key already (@ripetizione="true")
};

struct ClientOptions {
  std::string url;    // base, e.g. http://localhost:8096
  std::string token;  // Bearer credential
  adapters::HttpClientOptions http;
};

// The multipart body and its Content-Type (exposed for tests).
std::string multipart_body(const Submission& s, const std::string& boundary);

// Parses a RapportoVersamento. Error conservazione.answer (502) when it is not one.
Result<Answer> parse_answer(const std::string& xml);

class Client {
 public:
  explicit Client(ClientOptions o) : options_(std::move(o)), http_(options_.http) {}
  // An Answer for 200 and 422; an error (code conservazione.unavailable, 503; or the HTTP client's) for
  // everything else: the package was not taken, send it again with the same key.
  [[nodiscard]] Result<Answer> submit(const Submission& s) const;
  [[nodiscard]] bool configured() const { return !options_.url.empty(); }

 private:
  ClientOptions options_;
  adapters::HttpClient http_;
};

}  // namespace sp::conservazione_wire
