// SHA-256 hex digests (OpenSSL), for plugin checksums and migration checksums.
#pragma once

#include <string>
#include <string_view>

namespace erp::host {

std::string sha256_hex(std::string_view data);
// Throws std::runtime_error naming the file when it cannot be read.
std::string sha256_file_hex(const std::string& path);

} // namespace erp::host
