#pragma once
// A TLS front for a plain-HTTP server on loopback: accepts TLS on its own port and relays the bytes to
// `backend_port` on 127.0.0.1, both ways, until either side closes. With `client_ca_file` set it asks
// every client for a certificate and refuses the handshake without one that chains to that CA (mutual
// TLS, as ANPR's services do: the ANPR simulator uses it, adapters/anpr/simulator.hpp). The relay knows
// nothing of HTTP; the server behind it sees loopback connections.
//
// For simulators and tests: production TLS ends at the reverse proxy (docs/deployment.md).
#include <cstdint>
#include <memory>
#include <string>

namespace sp::http {

struct TlsFrontOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;      // 0: a free one
  std::string cert_file;       // the server's certificate (PEM, chain after it)
  std::string key_file;        // its key (PEM)
  std::string client_ca_file;  // empty: no client certificate asked for
  std::uint16_t backend_port = 0;
};

class TlsFront {
 public:
  // Listens at once and relays in a thread of its own. Throws std::runtime_error (files, port).
  explicit TlsFront(TlsFrontOptions options);
  ~TlsFront();
  TlsFront(const TlsFront&) = delete;
  TlsFront& operator=(const TlsFront&) = delete;
  [[nodiscard]] std::uint16_t port() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sp::http
