// Where the sign-in and the language switch send the browser afterwards: only a path on this host.
// Browsers drop tabs and newlines from a URL and read a backslash as a slash, so "/\t/evil.example" or
// "/\\evil.example" in a Location header lead to another host (an open redirect).
#include <gtest/gtest.h>

#include "identity/sign_in.hpp"

namespace {

using sp::identity::SignInService;

TEST(SafeReturnTo, RefusesEverythingThatIsNotAPathOnThisHost) {
  const std::string hostile[] = {
      "", "https://evil.example/", "http:/evil.example", "javascript:alert(1)", "evil.example",
      "//evil.example/x", "///evil.example", "/\\evil.example", "\\\\evil.example",
      "/\t/evil.example",  // what /lang/it?next=/%09/evil.example used to answer
      "/\n/evil.example", "/\r/evil.example", "/\r\nSet-Cookie: x=1", std::string("/\0/evil.example", 16),
      "/\x01/evil.example", "/\x1f/evil.example", "/\x7f/evil.example", "\t//evil.example", " /evil.example",
      "/area-personale\\..\\evil", "/a\\b",
      // The same, percent-encoded (a proxy or a browser may decode them).
      "/%2F/evil.example", "/%2f/evil.example", "/%5Cevil.example", "/%5cevil.example", "/%09/evil.example",
      "/%0A/evil.example", "/%0d%0aSet-Cookie:%20x=1", "/%00", "/%7F", "/servizi?q=%5C",
      std::string("/") + std::string(2048, 'a'),  // longer than any link of ours
  };
  for (const auto& path : hostile) {
    EXPECT_EQ(SignInService::safe_return_to(path), "/") << "accepted: " << path;
  }
}

TEST(SafeReturnTo, KeepsOrdinaryLocalPaths) {
  const std::string local[] = {
      "/",
      "/area-personale",
      "/asti/servizi/iscrizione-scuola-primaria",
      "/servizi?q=mensa%20scolastica&pubblico=cittadini",
      "/asti/?pubblico=imprese#servizi",
      "/servizi?q=a%2Fb",  // an encoded slash inside the query is not at the start of the path
      "/a//b",
      "/citt%C3%A0",
      "/città",
  };
  for (const auto& path : local) {
    EXPECT_EQ(SignInService::safe_return_to(path), path);
  }
}

}  // namespace
