#pragma once
// Generated pagoPA reporting flows (FdR XML) of any size, for the reconciliation tests and `make bench`:
// written row by row to a file, so a flow of 1,000,000 payments never sits in memory. The header's count
// and total are computed exactly (integer cents) unless a test asks for a wrong one.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "support/testing.hpp"

namespace sp::testing {

inline std::filesystem::path shared_pagopa_dir() {
  // ../shared/pagopa next to the repository (the public reference files: read, never copied).
  return std::filesystem::path(source_dir()) / ".." / "shared" / "pagopa";
}

struct GeneratedFlow {
  std::int64_t rows = 100;
  std::int64_t duplicate_every = 0;  // every Nth row repeats the previous one (0: none)
  std::int64_t revoked_every = 0;    // every Nth row has outcome 3
  std::int64_t declared_count_delta = 0;
  std::int64_t declared_total_delta = 0;  // cents
  std::string flow_id = "2026-12-04ABI03069-GEN0000001";
  std::string flow_time = "2026-12-05T06:30:00";
  std::string receiver = "00081490040";  // Comune di Asti
};

// Amounts cycle through values that sum badly in binary floating point (0.10, 0.20, 19.99, 1234.56, ...);
// their average (286 euro) keeps a 1,000,000-row total under the schema's 999,999,999.99.
inline std::int64_t generated_amount_cents(std::int64_t i) {
  static constexpr std::int64_t kCycle[] = {10, 20, 1999, 123456, 1, 3333, 70, 99999};
  return kCycle[i % 8];
}

inline std::string cents_text(std::int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

// Writes the flow to `path`; returns the rows' total in cents (gross: every row as written).
inline std::int64_t write_generated_flow(const std::filesystem::path& path, const GeneratedFlow& g) {
  std::int64_t total = 0;
  for (std::int64_t i = 0; i < g.rows; ++i) {
    const bool dup = g.duplicate_every > 0 && i > 0 && i % g.duplicate_every == 0;
    total += generated_amount_cents(dup ? i - 1 : i);
  }
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("cannot write " + path.string());
  std::fprintf(
      f,
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<FlussoRiversamento xmlns=\"http://www.digitpa.gov.it/schemas/2011/Pagamenti/\">\n"
      "  <versioneOggetto>1.0</versioneOggetto>\n"
      "  <identificativoFlusso>%s</identificativoFlusso>\n"
      "  <dataOraFlusso>%s</dataOraFlusso>\n"
      "  <identificativoUnivocoRegolamento>Bonifico SEPA-03069-GEN01</identificativoUnivocoRegolamento>\n"
      "  <dataRegolamento>2026-12-04</dataRegolamento>\n"
      "  <istitutoMittente>\n"
      "    <identificativoUnivocoMittente>\n"
      "      <tipoIdentificativoUnivoco>B</tipoIdentificativoUnivoco>\n"
      "      <codiceIdentificativoUnivoco>BCITITMM</codiceIdentificativoUnivoco>\n"
      "    </identificativoUnivocoMittente>\n"
      "    <denominazioneMittente>Banca di prova</denominazioneMittente>\n"
      "  </istitutoMittente>\n"
      "  <istitutoRicevente>\n"
      "    <identificativoUnivocoRicevente>\n"
      "      <tipoIdentificativoUnivoco>G</tipoIdentificativoUnivoco>\n"
      "      <codiceIdentificativoUnivoco>%s</codiceIdentificativoUnivoco>\n"
      "    </identificativoUnivocoRicevente>\n"
      "    <denominazioneRicevente>Comune di prova</denominazioneRicevente>\n"
      "  </istitutoRicevente>\n"
      "  <numeroTotalePagamenti>%lld</numeroTotalePagamenti>\n"
      "  <importoTotalePagamenti>%s</importoTotalePagamenti>\n",
      g.flow_id.c_str(), g.flow_time.c_str(), g.receiver.c_str(),
      static_cast<long long>(g.rows + g.declared_count_delta),
      cents_text(total + g.declared_total_delta).c_str());
  for (std::int64_t i = 0; i < g.rows; ++i) {
    const bool dup = g.duplicate_every > 0 && i > 0 && i % g.duplicate_every == 0;
    const std::int64_t n = dup ? i - 1 : i;
    const bool revoked = g.revoked_every > 0 && n % g.revoked_every == 0;
    // IUV: segregation code 02 + 15 digits; IUR: 32 hex-like characters; index 1..5.
    std::fprintf(f,
                 "  <datiSingoliPagamenti>\n"
                 "    <identificativoUnivocoVersamento>02%015lld</identificativoUnivocoVersamento>\n"
                 "    <identificativoUnivocoRiscossione>%016llx%016llx</identificativoUnivocoRiscossione>\n"
                 "    <indiceDatiSingoloPagamento>%d</indiceDatiSingoloPagamento>\n"
                 "    <singoloImportoPagato>%s</singoloImportoPagato>\n"
                 "    <codiceEsitoSingoloPagamento>%d</codiceEsitoSingoloPagamento>\n"
                 "    <dataEsitoSingoloPagamento>2026-12-03</dataEsitoSingoloPagamento>\n"
                 "  </datiSingoliPagamenti>\n",
                 static_cast<long long>(n / 5), static_cast<unsigned long long>(n * 2654435761ULL),
                 static_cast<unsigned long long>(n), static_cast<int>(n % 5) + 1,
                 cents_text(generated_amount_cents(n)).c_str(), revoked ? 3 : 0);
  }
  std::fprintf(f, "</FlussoRiversamento>\n");
  if (std::fclose(f) != 0) throw std::runtime_error("cannot write " + path.string());
  return total;
}

}  // namespace sp::testing
