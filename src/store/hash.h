// Content hashes: the SHA-256 of a model file, written as 64 lower-case hex digits, which is
// what ModelVersion::hash holds (the caller computes it before AddModelVersion).
//
// Thread-safe (OpenSSL's one-shot digest keeps no shared state).
//
// Example:
//   Sha256Hex("abc") ==
//       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#pragma once

#include <string>
#include <string_view>

namespace leadq::store {

// The SHA-256 digest of `bytes` as lower-case hex. Never fails: a digest failure inside
// OpenSSL (out of memory) aborts the process.
std::string Sha256Hex(std::string_view bytes);

}  // namespace leadq::store
