#pragma once
// Reads form definitions from JSON and checks them against the format of docs/forms.md. Every problem is
// reported with its path in the definition, e.g.
//   steps[1].sections[0].fields[2] (canteen).type: unknown field type "yesno"
// as Error code "forms.schema" (detail = that sentence, field = the path).
#include <boost/json.hpp>
#include <filesystem>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "forms/model.hpp"

namespace sp::forms {

[[nodiscard]] Result<Definition> parse_definition(const boost::json::value& json);
[[nodiscard]] Result<Definition> parse_definition_text(std::string_view json_text);
// Errors: forms.schema, and forms.file (cannot read; detail = path).
[[nodiscard]] Result<Definition> load_definition_file(const std::filesystem::path& file);
// Every *.json in a directory (sorted by name); the first error stops the load (its detail names the
// file). Two definitions with the same code and version are an error.
[[nodiscard]] Result<std::vector<Definition>> load_definitions_dir(const std::filesystem::path& dir);

}  // namespace sp::forms
