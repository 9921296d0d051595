#pragma once
// Which channels a message goes on, and in which order the others stand in when one fails (issue 17).
// Pure: the caller reads the person's verified contacts and choice first.
//
//   legal     PEC where the person has a verified one, and a courtesy copy on every other verified
//             channel (e-mail, SMS) unless the person chose "none" (then PEC only). No fallbacks: every
//             usable channel is used at once.
//   reminder, info
//             the channel the person chose for the type if it is usable, else their general preference
//             (e-mail, SMS, App IO), else the first usable of e-mail, SMS, PEC; the remaining usable
//             ones, in that order, are the fallbacks (a failed SMS becomes an e-mail). "none" as the
//             general preference and no choice for the type: nothing.
//   code      not routed (a code goes to the address it verifies).
// Usable: e-mail, SMS and PEC when verified; App IO when the fiscal code is known (a person not on IO
// gets the message by e-mail from the App IO channel itself: adapters/appio/sender.hpp).
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/messaging/message.hpp"
#include "messaging/model.hpp"

namespace sp::messaging {

struct Contacts {
  std::string fiscal_code;
  std::string email;                // verified, or ""
  std::string mobile;               // verified E.164, or ""
  std::string pec;                  // verified, or ""
  std::string preferred = "email";  // the profile's general choice: email | sms | io | none
};

struct Route {
  Channel channel = Channel::email;
  std::string recipient;
};

struct Plan {
  std::vector<Route> send;       // a message on each
  std::vector<Route> fallbacks;  // tried in order when the (single) message fails for good
};

// `choice`: the person's channel for this type ("email", "sms", "pec", "appio"), or "" for none.
Plan plan(const Contacts& c, const MessageType& type, std::string_view choice);

// Leaves out the App IO routes `fits` refuses (IO's limits: subject 10-120, text 80-10,000): a copy among
// others is just left out; when no route is left, the first fallback takes the place.
void drop_unfit_io(std::vector<Route>& routes, std::vector<Route>& fallbacks,
                   const std::function<bool(const Route&)>& fits);

// The channel names a person may choose for a type, given their contacts (for the preferences page):
// the usable ones.
std::vector<Channel> choosable(const Contacts& c);

}  // namespace sp::messaging
