#include "audit/model.hpp"

namespace sp::audit {

std::string_view to_string(ActorKind k) {
  switch (k) {
    case ActorKind::person:
      return "person";
    case ActorKind::staff:
      return "staff";
    case ActorKind::system:
      return "system";
  }
  return "system";
}

std::string_view to_string(Channel c) {
  switch (c) {
    case Channel::web:
      return "web";
    case Channel::api:
      return "api";
    case Channel::counter:
      return "counter";
    case Channel::system:
      return "system";
  }
  return "system";
}

std::optional<ActorKind> parse_actor_kind(std::string_view text) {
  if (text == "person") return ActorKind::person;
  if (text == "staff") return ActorKind::staff;
  if (text == "system") return ActorKind::system;
  return std::nullopt;
}

std::optional<Channel> parse_channel(std::string_view text) {
  if (text == "web") return Channel::web;
  if (text == "api") return Channel::api;
  if (text == "counter") return Channel::counter;
  if (text == "system") return Channel::system;
  return std::nullopt;
}

bool is_read_action(std::string_view action) {
  constexpr std::string_view suffix = ".read";
  return action.size() > suffix.size() && action.substr(action.size() - suffix.size()) == suffix;
}

}  // namespace sp::audit
