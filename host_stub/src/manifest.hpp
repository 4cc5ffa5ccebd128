// Manifest: a plugin's manifest.json, checked before its library is touched.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace erp::host {

struct Manifest {
    std::filesystem::path path; // the manifest file
    std::filesystem::path dir;  // its directory
    std::string id;
    std::string name;
    std::string version;
    std::string description;
    uint32_t abi_major = 0;
    uint32_t abi_minor = 0;
    std::string library; // file name relative to dir
    std::string sha256;  // lower-case hex
    std::vector<std::string> capabilities;
    std::string config_schema_json; // JSON Schema object text

    std::filesystem::path library_path() const { return dir / library; }
    std::string abi_string() const { return std::to_string(abi_major) + "." + std::to_string(abi_minor); }
};

// Thrown with a message that says what is wrong and where (file and field).
class ManifestError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Parses and checks the fields. Does not read the library.
Manifest load_manifest(const std::filesystem::path& manifest_path);
Manifest parse_manifest(const std::string& text, const std::filesystem::path& manifest_path);

// Verifies that the library exists and its sha256 matches. Throws ManifestError.
void verify_library(const Manifest& m);

// Checks a plugin's config (JSON text) against the manifest's config_schema,
// supporting the JSON Schema subset manifests use: type, properties, required,
// additionalProperties, items, enum, minItems, minLength, pattern. Returns the
// problems, each "path: reason"; empty when valid.
std::vector<std::string> check_config_against_schema(const std::string& schema_json, const std::string& config_json);

} // namespace erp::host
