#include "core/ids.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

#include "core/crypto/encoding.hpp"

namespace sp::ids {
namespace {

void ensure_sodium() {
  // sodium_init() must run before randombytes_buf(); a function-local static runs it exactly once
  // even with many threads. Failure means no usable entropy source: a process-edge error.
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
    return true;
  }();
  (void)ready;
}

// Fills in a UUIDv7 from a millisecond timestamp, the 12-bit rand_a and random bits for rand_b.
std::array<std::uint8_t, 16> layout(std::uint64_t unix_ms, std::uint16_t rand_a) {
  std::array<std::uint8_t, 16> b{};
  random_bytes(b.data() + 8, 8);  // rand_b
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(unix_ms >> (8 * (5 - i)));
  b[6] = static_cast<std::uint8_t>(0x70 | ((rand_a >> 8) & 0x0F));  // version 7
  b[7] = static_cast<std::uint8_t>(rand_a & 0xFF);
  b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3F));  // variant 0b10
  return b;
}

std::uint64_t unix_ms(std::chrono::system_clock::time_point at) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  return static_cast<std::uint64_t>(ms) & 0xFFFF'FFFF'FFFFull;
}

}  // namespace

void random_bytes(void* out, std::size_t size) {
  ensure_sodium();
  randombytes_buf(out, size);
}

std::string random_token(std::size_t bytes) {
  std::string raw(bytes, '\0');
  random_bytes(raw.data(), raw.size());
  return crypto::base64url_encode(raw);
}

std::string request_id(std::size_t bytes) {
  std::string raw(bytes, '\0');
  random_bytes(raw.data(), raw.size());
  std::string out(bytes * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  out.resize(bytes * 2);
  return out;
}

std::array<std::uint8_t, 16> uuid_v7_bytes(std::chrono::system_clock::time_point at) {
  std::uint16_t rand_a = 0;
  random_bytes(&rand_a, sizeof rand_a);
  return layout(unix_ms(at), rand_a & 0x0FFF);
}

std::string uuid_v7() {
  static std::mutex mutex;
  static std::uint64_t last_ms = 0;
  static std::uint16_t counter = 0;  // rand_a, 12 bits
  std::uint64_t ms = unix_ms(std::chrono::system_clock::now());
  std::uint16_t rand_a = 0;
  {
    std::lock_guard lock(mutex);
    if (ms > last_ms) {
      // A new millisecond: seed the counter at random but in the lower half, leaving room to count up.
      random_bytes(&counter, sizeof counter);
      counter &= 0x07FF;
      last_ms = ms;
    } else if (++counter > 0x0FFF) {  // same (or earlier: clock stepped back) millisecond
      ++last_ms;
      random_bytes(&counter, sizeof counter);
      counter &= 0x07FF;
    }
    ms = last_ms;
    rand_a = counter;
  }
  return uuid_to_string(layout(ms, rand_a));
}

std::string uuid_to_string(const std::array<std::uint8_t, 16>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0x0F];
  }
  return out;
}

}  // namespace sp::ids
