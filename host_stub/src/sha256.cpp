#include "sha256.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace erp::host {
namespace {

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

MdCtx new_ctx() {
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("sha256: cannot initialise OpenSSL digest");
    }
    return ctx;
}

std::string finish_hex(EVP_MD_CTX* ctx) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx, md.data(), &len) != 1) {
        throw std::runtime_error("sha256: digest failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(kHex[md[i] >> 4]);
        out.push_back(kHex[md[i] & 0xF]);
    }
    return out;
}

} // namespace

std::string sha256_hex(std::string_view data) {
    auto ctx = new_ctx();
    EVP_DigestUpdate(ctx.get(), data.data(), data.size());
    return finish_hex(ctx.get());
}

std::string sha256_file_hex(const std::string& path) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) {
        throw std::runtime_error("cannot read " + path);
    }
    auto ctx = new_ctx();
    std::array<char, 1 << 16> buf{};
    size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) {
        EVP_DigestUpdate(ctx.get(), buf.data(), n);
    }
    if (std::ferror(f.get())) {
        throw std::runtime_error("error reading " + path);
    }
    return finish_hex(ctx.get());
}

} // namespace erp::host
