#pragma once
// Shared helpers of the reporting-flow unit tests: our schema, the public samples, reading a flow into
// memory-light results, and variants of the Milano sample for negative cases.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "payments/reporting_reader.hpp"
#include "support/fdr_flow_generator.hpp"
#include "support/testing.hpp"

namespace sp::payments::reporting::test {

inline const FlowSchema& our_schema() {
  static const auto schema = [] {
    auto s = FlowSchema::load(default_schema_path(sp::testing::source_dir()));
    if (!s) throw std::runtime_error("schema: " + s.error().detail);
    return *s;
  }();
  return *schema;
}

inline std::string sample_path(const std::string& name) {
  return (sp::testing::shared_pagopa_dir() / name).string();
}
inline std::string official_develop_xsd() {
  return sample_path("FlussoRiversamento_1_0_4.develop.xsd");
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline const std::string& milano() {
  static const std::string text = read_text(sample_path("fdr_gpd_mock_comune_milano_3pay.xml"));
  return text;
}

// `text` with the first occurrence of `from` replaced (the test fails if it is not there).
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}
// The same, at the n-th occurrence (0-based).
inline std::string replaced_nth(std::string text, const std::string& from, const std::string& to, int n) {
  std::size_t at = text.find(from);
  for (int i = 0; i < n && at != std::string::npos; ++i) at = text.find(from, at + 1);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The 1-based line of the first occurrence of `needle`.
inline std::int64_t line_of(const std::string& text, const std::string& needle, int nth = 0) {
  std::size_t at = text.find(needle);
  for (int i = 0; i < nth && at != std::string::npos; ++i) at = text.find(needle, at + 1);
  if (at == std::string::npos) return -1;
  std::int64_t line = 1;
  for (std::size_t i = 0; i < at; ++i)
    if (text[i] == '\n') ++line;
  return line;
}

struct ReadAll {
  Status status = Ok{};
  ReadFailure failure;
  FlowHeader header;
  int headers = 0;
  std::vector<FlowRow> rows;
};

inline ReadAll read_all_memory(const std::string& xml) {
  ReadAll r;
  FlowCallbacks cb;
  cb.on_header = [&](const FlowHeader& h) -> Status {
    r.header = h;
    ++r.headers;
    return Ok{};
  };
  cb.on_row = [&](const FlowRow& row) -> Status {
    r.rows.push_back(row);
    return Ok{};
  };
  r.status = read_flow_memory(xml, our_schema(), cb, &r.failure);
  return r;
}

inline ReadAll read_all_file(const std::string& path) {
  ReadAll r;
  FlowCallbacks cb;
  cb.on_header = [&](const FlowHeader& h) -> Status {
    r.header = h;
    ++r.headers;
    return Ok{};
  };
  cb.on_row = [&](const FlowRow& row) -> Status {
    r.rows.push_back(row);
    return Ok{};
  };
  r.status = read_flow_file(path, our_schema(), cb, &r.failure);
  return r;
}

}  // namespace sp::payments::reporting::test
