#pragma once
// Small real files of each kind, built in memory: enough for libmagic to recognise them.
#include <string>

namespace sp::files::testing {

inline std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

inline std::string pdf() {
  return "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
}
// A 1x1 grey PNG (signature, IHDR, IDAT, IEND).
inline std::string png() {
  return from_hex(
      "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b550000000a49444154789c636000000002"
      "000148afa4710000000049454e44ae426082");
}
// A JFIF header and the end-of-image marker.
inline std::string jpeg() {
  return from_hex("ffd8ffe000104a46494600010100000100010000ffd9");
}
inline std::string text() {
  return "Domanda di accesso agli atti.\nCitt\xC3\xA0 di Roma, 2 marzo 2026.\n";
}
// A ZIP archive holding a.txt = "hello".
inline std::string zip() {
  return from_hex(
      "504b03041400000000005c0d785d86a61036050000000500000005000000612e74787468656c6c6f504b010214031400"
      "000000005c0d785d86a610360500000005000000050000000000000000000000800100000000612e747874504b050600"
      "0000000100010033000000280000000000");
}
// The 64-byte header of an x86-64 ELF executable (e_type = ET_EXEC).
inline std::string elf() {
  std::string h = from_hex(
      "7f454c460201010000000000000000000200"
      "3e0001000000");
  h.resize(64, '\0');
  return h;
}
// A DOS stub pointing at a PE header (x86-64): a Windows program.
inline std::string windows_exe() {
  std::string h = "MZ";
  h.resize(0x3c, '\0');
  h += from_hex("40000000");  // e_lfanew = 0x40
  h += from_hex(
      "50450000"
      "6486"
      "0000"
      "00000000"
      "00000000"
      "00000000"
      "f000"
      "2200");
  h.resize(h.size() + 0xf0, '\0');
  return h;
}

}  // namespace sp::files::testing
