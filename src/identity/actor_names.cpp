#include "identity/actor_names.hpp"

#include "core/text.hpp"
#include "identity/model.hpp"

namespace sp::identity {

std::string ActorNames::word(std::string_view lang, const std::string& key) const {
  return i18n_.t(lang, key);
}

ActorName ActorNames::resolve(std::string_view reference, std::string_view lang) {
  const auto colon = reference.find(':');
  if (colon != std::string_view::npos) {
    const auto kind = audit::parse_actor_kind(reference.substr(0, colon));
    if (kind) return resolve(*kind, reference.substr(colon + 1), lang);
  }
  return resolve(audit::ActorKind::system, reference, lang);
}

ActorName ActorNames::resolve(audit::ActorKind kind, std::string_view id, std::string_view lang) {
  ActorName out;
  switch (kind) {
    case audit::ActorKind::staff: {
      out.name = word(lang, "actor.staff_unknown");
      if (staff_ == nullptr || id.empty()) return out;
      auto account = staff_->account(std::string(id));
      if (!account) return out;
      out.name = account->display_name;
      out.tenant_id = account->tenant_id;
      out.known = true;
      std::vector<std::string> roles;
      for (auto r : account->roles) roles.push_back(word(lang, "ui.staff_role_" + std::string(to_string(r))));
      out.roles = text::join(roles, ", ");
      return out;
    }
    case audit::ActorKind::person: {
      out.name = word(lang, "actor.person_unknown");
      if (id.empty()) return out;
      if (auto p = people_.by_fiscal_code(std::string(id))) {
        auto full =
            p->given_name + (p->given_name.empty() || p->family_name.empty() ? "" : " ") + p->family_name;
        if (!full.empty()) {
          out.name = std::move(full);
          out.known = true;
        }
      }
      return out;
    }
    case audit::ActorKind::system:
      break;
  }
  constexpr std::string_view kApiKey = "api-key:";
  if (id.substr(0, kApiKey.size()) == kApiKey) {
    auto key = keys_.by_id(std::string(id.substr(kApiKey.size())));
    if (!key) {
      out.name = word(lang, "actor.api_key_unknown");
      return out;
    }
    out.name = i18n_.format(lang, "actor.api_key", {{"name", key->name}});
    out.tenant_id = key->tenant_id;
    out.known = true;
    return out;
  }
  // "cases", "demo", "register": a word each; an unknown system name is just "Sistema".
  const std::string key = "actor.system." + std::string(id);
  const auto& texts = i18n_.all(lang);
  if (!id.empty() && (texts.find(key) != texts.end() || i18n_.all(I18n::kDefault).count(key) > 0)) {
    out.name = word(lang, key);
    out.known = true;
  } else {
    out.name = word(lang, "actor.system");
  }
  return out;
}

}  // namespace sp::identity
