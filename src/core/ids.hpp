#pragma once
// Identifiers: random tokens for anything a citizen can see in a URL (never guessable), hex request ids
// for logs, and UUIDv7 (time-ordered, so they index well) for rows (DESIGN.md, "Conventions").
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sp::ids {

// Fills `out` with cryptographically secure random bytes (libsodium; initialised once, thread-safe).
void random_bytes(void* out, std::size_t size);

// `bytes` random bytes as URL-safe base64 without padding (A-Z a-z 0-9 - _): 32 bytes give 43 characters.
std::string random_token(std::size_t bytes = 32);

// `bytes` random bytes as lower-case hex, for request ids in logs: 8 bytes give 16 characters.
std::string request_id(std::size_t bytes = 8);

// A UUIDv7 (RFC 9562 section 5.7) in the canonical lower-case 8-4-4-4-12 form: 48-bit Unix time in
// milliseconds, version 7, 12 bits rand_a, variant 0b10, 62 bits rand_b. Within this process the
// values are strictly increasing: rand_a holds a counter seeded at random each millisecond (RFC 9562
// section 6.2, method 1); if it overflows, the timestamp is advanced by one millisecond.
std::string uuid_v7();

// The 16 bytes of a UUIDv7 for a given time, with random rand_a and rand_b (no ordering guarantee
// within a millisecond). For tests and for back-dated records.
std::array<std::uint8_t, 16> uuid_v7_bytes(std::chrono::system_clock::time_point at);

// The canonical 8-4-4-4-12 lower-case text of 16 UUID bytes.
std::string uuid_to_string(const std::array<std::uint8_t, 16>& bytes);

}  // namespace sp::ids
