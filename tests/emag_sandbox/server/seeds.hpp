// Seed derivation: every random stream of the sandbox (each account's data,
// mutation, faults) comes from --seed and a name, so a run is reproducible
// from --seed alone while accounts and streams differ from each other.
#pragma once

#include <cstdint>
#include <string>

namespace emag::sandbox {

// FNV-1a: a stable 64-bit hash of a name (std::hash is not stable across
// library versions, and seeds must be).
inline uint64_t fnv1a(const std::string& s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

// splitmix64 of (seed, name): spreads them into an unrelated seed.
inline uint64_t derive_seed(uint64_t seed, const std::string& name) {
    uint64_t z = seed ^ fnv1a(name);
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

} // namespace emag::sandbox
