#include "backup/backup_files.hpp"

#include <openssl/evp.h>
#include <zlib.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

namespace erp::emag {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

std::runtime_error file_error(const std::string& what, const std::filesystem::path& path, int err) {
    return std::runtime_error(what + " " + path.string() + ": " + std::strerror(err));
}

// A file descriptor closed on destruction.
class Fd {
  public:
    Fd() = default;
    Fd(const std::filesystem::path& path, int flags, const char* what) : fd_(::open(path.c_str(), flags, 0644)) {
        if (fd_ < 0) {
            throw file_error(std::string("cannot ") + what, path, errno);
        }
    }
    ~Fd() { close(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    int close() {
        const int rc = fd_ >= 0 ? ::close(fd_) : 0;
        fd_ = -1;
        return rc;
    }

  private:
    int fd_ = -1;
};

void write_all(int fd, const unsigned char* data, std::size_t size, const std::filesystem::path& path) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw file_error("cannot write", path, errno);
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

void fsync_or_throw(int fd, const std::filesystem::path& path) {
    if (::fsync(fd) != 0) {
        throw file_error("cannot fsync", path, errno);
    }
}

// Incremental sha256 of bytes as they pass.
class Sha256 {
  public:
    Sha256() : ctx_(EVP_MD_CTX_new()) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
            EVP_MD_CTX_free(ctx_);
            throw std::runtime_error("cannot start a sha256 digest");
        }
    }
    ~Sha256() { EVP_MD_CTX_free(ctx_); }
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(const void* data, std::size_t size) { EVP_DigestUpdate(ctx_, data, size); }
    std::string hex() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(ctx_, md, &len);
        static const char* digits = "0123456789abcdef";
        std::string out;
        for (unsigned int i = 0; i < len; ++i) {
            out += digits[md[i] >> 4];
            out += digits[md[i] & 15];
        }
        return out;
    }

  private:
    EVP_MD_CTX* ctx_;
};

} // namespace

struct GzipWriter::State {
    std::filesystem::path path;
    std::optional<Fd> fd;
    z_stream z{};
    bool z_open = false;
    Sha256 sha;
    std::uint64_t bytes = 0;
    std::vector<unsigned char> out = std::vector<unsigned char>(kChunk);

    // Runs deflate over the pending input and writes what it produced.
    void pump(int flush) {
        do {
            z.next_out = out.data();
            z.avail_out = static_cast<uInt>(out.size());
            const int rc = deflate(&z, flush);
            if (rc == Z_STREAM_ERROR) {
                throw std::runtime_error("gzip compression failed for " + path.string());
            }
            const std::size_t have = out.size() - z.avail_out;
            write_all(fd->get(), out.data(), have, path);
            sha.update(out.data(), have);
            bytes += have;
        } while (z.avail_out == 0);
    }
};

GzipWriter::GzipWriter(const std::filesystem::path& path) : s_(std::make_unique<State>()) {
    s_->path = path;
    s_->fd.emplace(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, "create");
    // windowBits 15 + 16: a gzip header and trailer rather than raw zlib, so
    // `zcat` reads the files. Level 6: zlib's default balance.
    if (deflateInit2(&s_->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("cannot start gzip compression for " + path.string());
    }
    s_->z_open = true;
}

GzipWriter::~GzipWriter() {
    if (s_ && s_->z_open) {
        deflateEnd(&s_->z);
    }
}

void GzipWriter::write(std::string_view data) {
    s_->z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    s_->z.avail_in = static_cast<uInt>(data.size());
    s_->pump(Z_NO_FLUSH);
}

FileDigest GzipWriter::finish() {
    s_->z.next_in = nullptr;
    s_->z.avail_in = 0;
    s_->pump(Z_FINISH);
    deflateEnd(&s_->z);
    s_->z_open = false;
    fsync_or_throw(s_->fd->get(), s_->path);
    if (s_->fd->close() != 0) {
        throw file_error("cannot close", s_->path, errno);
    }
    return {s_->sha.hex(), s_->bytes};
}

struct GzipLineReader::State {
    std::filesystem::path path;
    std::size_t max_line = 0;
    std::optional<Fd> fd;
    z_stream z{};
    bool z_open = false;
    bool eof = false;       // no more input bytes
    bool in_member = false; // inside a gzip member: its end not seen yet
    std::vector<unsigned char> in = std::vector<unsigned char>(kChunk);
    std::vector<char> out = std::vector<char>(kChunk);
    std::size_t out_pos = 0, out_len = 0;

    [[noreturn]] void bad(const std::string& why) const {
        throw std::runtime_error(path.string() + " is not a valid gzip file (" + why + ")");
    }

    // Refills `out`; false at the end of the data.
    bool fill() {
        for (;;) {
            if (z.avail_in == 0) {
                if (eof) {
                    if (in_member) {
                        bad("the data ends in the middle of the compressed stream");
                    }
                    return false;
                }
                ssize_t n;
                do {
                    n = ::read(fd->get(), in.data(), in.size());
                } while (n < 0 && errno == EINTR);
                if (n < 0) {
                    throw file_error("cannot read", path, errno);
                }
                eof = n == 0;
                z.next_in = in.data();
                z.avail_in = static_cast<uInt>(n);
                continue;
            }
            z.next_out = reinterpret_cast<Bytef*>(out.data());
            z.avail_out = static_cast<uInt>(out.size());
            const int rc = inflate(&z, Z_NO_FLUSH);
            in_member = true;
            if (rc == Z_STREAM_END) {
                // Concatenated gzip members are one stream (as zcat reads them).
                inflateReset(&z);
                in_member = false;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                bad(z.msg ? z.msg : "zlib error " + std::to_string(rc));
            }
            out_pos = 0;
            out_len = out.size() - z.avail_out;
            if (out_len > 0) {
                return true;
            }
        }
    }
};

GzipLineReader::GzipLineReader(const std::filesystem::path& path, std::size_t max_line)
    : s_(std::make_unique<State>()) {
    s_->path = path;
    s_->max_line = max_line;
    s_->fd.emplace(path, O_RDONLY | O_CLOEXEC, "open");
    if (inflateInit2(&s_->z, 15 + 16) != Z_OK) {
        throw std::runtime_error("cannot start gzip decompression for " + path.string());
    }
    s_->z_open = true;
}

GzipLineReader::~GzipLineReader() {
    if (s_ && s_->z_open) {
        inflateEnd(&s_->z);
    }
}

bool GzipLineReader::next(std::string& line) {
    line.clear();
    bool any = false;
    for (;;) {
        if (s_->out_pos == s_->out_len && !s_->fill()) {
            return any;
        }
        const char* begin = s_->out.data() + s_->out_pos;
        const char* end = s_->out.data() + s_->out_len;
        const char* nl = static_cast<const char*>(std::memchr(begin, '\n', static_cast<std::size_t>(end - begin)));
        line.append(begin, nl ? nl : end);
        any = true;
        if (line.size() > s_->max_line) {
            throw std::runtime_error(s_->path.string() + " has a line longer than " + std::to_string(s_->max_line) +
                                     " bytes");
        }
        s_->out_pos = static_cast<std::size_t>((nl ? nl + 1 : end) - s_->out.data());
        if (nl) {
            return true;
        }
    }
}

FileDigest digest_file(const std::filesystem::path& path) {
    Fd fd(path, O_RDONLY | O_CLOEXEC, "open");
    Sha256 sha;
    std::vector<unsigned char> buf(kChunk);
    std::uint64_t bytes = 0;
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw file_error("cannot read", path, errno);
        }
        if (n == 0) {
            break;
        }
        sha.update(buf.data(), static_cast<std::size_t>(n));
        bytes += static_cast<std::uint64_t>(n);
    }
    return {sha.hex(), bytes};
}

void write_file_synced(const std::filesystem::path& path, std::string_view text) {
    Fd fd(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, "create");
    write_all(fd.get(), reinterpret_cast<const unsigned char*>(text.data()), text.size(), path);
    fsync_or_throw(fd.get(), path);
    if (fd.close() != 0) {
        throw file_error("cannot close", path, errno);
    }
}

void sync_directory(const std::filesystem::path& dir) {
    Fd fd(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, "open directory");
    fsync_or_throw(fd.get(), dir);
}

} // namespace erp::emag
