// The file side of backups: gzip streams written and read a line at a time
// (zlib), the sha256 of a file's bytes as written (OpenSSL EVP), and writes
// that are on disk before they count (fsync of files and directories), so a
// backup renamed into place survives a crash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace erp::emag {

// What a finished file holds: the hex sha256 and the size of its bytes.
struct FileDigest {
    std::string sha256;
    std::uint64_t bytes = 0;
};

// Compresses what is written into a new gzip file (refuses to overwrite),
// hashing the compressed bytes as they go out. Throws std::runtime_error
// naming the file on any failure; a writer destroyed unfinished leaves a
// partial file for the caller to remove.
class GzipWriter {
  public:
    explicit GzipWriter(const std::filesystem::path& path);
    ~GzipWriter();
    GzipWriter(const GzipWriter&) = delete;
    GzipWriter& operator=(const GzipWriter&) = delete;

    void write(std::string_view data);
    // Ends the stream, fsyncs and closes the file.
    FileDigest finish();

  private:
    struct State;
    std::unique_ptr<State> s_;
};

// Reads a gzip file back line by line (the '\n' removed). Throws
// std::runtime_error naming the file when it is not valid gzip or a line
// is longer than max_line bytes.
class GzipLineReader {
  public:
    explicit GzipLineReader(const std::filesystem::path& path, std::size_t max_line = 256u << 20);
    ~GzipLineReader();
    GzipLineReader(const GzipLineReader&) = delete;
    GzipLineReader& operator=(const GzipLineReader&) = delete;

    // False at the end of the data (a last line without '\n' is still a line).
    bool next(std::string& line);

  private:
    struct State;
    std::unique_ptr<State> s_;
};

// The sha256 and size of a file's bytes.
FileDigest digest_file(const std::filesystem::path& path);

// Creates `path` (refuses to overwrite) with `text`, fsynced.
void write_file_synced(const std::filesystem::path& path, std::string_view text);

// Makes the entries of a directory (new files, renames) durable.
void sync_directory(const std::filesystem::path& dir);

} // namespace erp::emag
