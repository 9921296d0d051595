#include "messaging/routing.hpp"

#include <algorithm>
#include <optional>

namespace sp::messaging {
namespace {

std::optional<Route> route_for(const Contacts& c, Channel ch) {
  switch (ch) {
    case Channel::email:
      if (!c.email.empty()) return Route{ch, c.email};
      break;
    case Channel::sms:
      if (!c.mobile.empty()) return Route{ch, c.mobile};
      break;
    case Channel::pec:
      if (!c.pec.empty()) return Route{ch, c.pec};
      break;
    case Channel::appio:
      if (!c.fiscal_code.empty()) return Route{ch, c.fiscal_code};
      break;
  }
  return std::nullopt;
}

bool has(const std::vector<Route>& v, Channel ch) {
  return std::any_of(v.begin(), v.end(), [&](const Route& r) { return r.channel == ch; });
}

std::optional<Channel> general(std::string_view preferred) {
  if (preferred == "email") return Channel::email;
  if (preferred == "sms") return Channel::sms;
  if (preferred == "io") return Channel::appio;
  return std::nullopt;
}

}  // namespace

std::vector<Channel> choosable(const Contacts& c) {
  std::vector<Channel> out;
  for (auto ch : {Channel::email, Channel::sms, Channel::pec, Channel::appio})
    if (route_for(c, ch)) out.push_back(ch);
  return out;
}

Plan plan(const Contacts& c, const MessageType& type, std::string_view choice) {
  Plan p;
  if (type.cls == TypeClass::code) return p;
  if (type.cls == TypeClass::legal) {
    if (auto r = route_for(c, Channel::pec)) p.send.push_back(*r);
    if (c.preferred == "none") return p;
    for (auto ch : {Channel::email, Channel::sms})
      if (auto r = route_for(c, ch)) p.send.push_back(*r);
    // A person who chose App IO gets a copy there too: as remote content when it carries the act's
    // letters (the text and the PDFs stay at the hub, served to them only: docs/messaging.md).
    if (c.preferred == "io")
      if (auto r = route_for(c, Channel::appio)) p.send.push_back(*r);
    return p;
  }
  std::optional<Route> primary;
  if (auto ch = parse_channel(choice)) primary = route_for(c, *ch);
  if (!primary) {
    if (choice.empty() && c.preferred == "none") return p;
    if (auto ch = general(c.preferred)) primary = route_for(c, *ch);
  }
  if (!primary) {
    for (auto ch : {Channel::email, Channel::sms, Channel::pec}) {
      if ((primary = route_for(c, ch))) break;
    }
  }
  if (!primary) return p;
  p.send.push_back(*primary);
  for (auto ch : {Channel::email, Channel::sms, Channel::pec}) {
    if (ch == primary->channel || has(p.fallbacks, ch)) continue;
    if (auto r = route_for(c, ch)) p.fallbacks.push_back(*r);
  }
  return p;
}

void drop_unfit_io(std::vector<Route>& routes, std::vector<Route>& fallbacks,
                   const std::function<bool(const Route&)>& fits) {
  for (auto it = routes.begin(); it != routes.end();) {
    if (it->channel == Channel::appio && !fits(*it)) {
      it = routes.erase(it);
      if (routes.empty() && !fallbacks.empty()) {
        routes.push_back(fallbacks.front());
        fallbacks.erase(fallbacks.begin());
        it = routes.begin();
      }
    } else {
      ++it;
    }
  }
}

}  // namespace sp::messaging
