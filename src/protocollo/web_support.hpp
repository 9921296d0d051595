#pragma once
// What the registry's pages and API share: turning request fields into a NewEntry and search filters,
// and the display of an entry's times in Rome.
#include <map>
#include <string>

#include "core/result.hpp"
#include "protocollo/model.hpp"

namespace sp::protocollo {

// Field name → value, from a form or a JSON object's string members.
using Fields = std::multimap<std::string, std::string>;

inline std::string field_of(const Fields& f, const std::string& name) {
  auto it = f.find(name);
  return it == f.end() ? std::string() : it->second;
}

// The NewEntry described by the registration form's fields (documents are added by the caller).
// Errors: protocollo.direction, protocollo.channel, protocollo.aoo (no AOO chosen and more than one).
Result<NewEntry> entry_from_fields(const Fields& f, const std::vector<Aoo>& aoos);
// A correspondent's kind as the form or the API gives it ("person", "business", "body"). Error:
// protocollo.correspondents (field correspondents, detail "kind: <text>").
Result<CorrespondentKind> correspondent_kind_from(std::string_view text);

// Search filters from query parameters (anno, numero, dal, al, oggetto, corrispondente, classificazione,
// aoo, limite). Errors: protocollo.search (a number or date that is not one).
Result<SearchQuery> search_from_fields(const Fields& f);

}  // namespace sp::protocollo
