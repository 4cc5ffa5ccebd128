// A minimal streaming JSON writer. Orders are rendered straight into the
// response string (no intermediate nlohmann objects): a 100-order page must
// cost well under a millisecond so the sandbox is never a client's bottleneck.
// UTF-8 passes through unescaped (as nlohmann's dump() does); only '"', '\\'
// and control characters are escaped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace emag::sandbox {

class JsonWriter {
  public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }

    void key(std::string_view k) {
        separate();
        quote(k);
        out_ += ':';
        after_key_ = true;
    }
    void string(std::string_view v) {
        separate();
        quote(v);
    }
    void integer(int64_t v) {
        separate();
        out_ += std::to_string(v);
    }
    void boolean(bool v) {
        separate();
        out_ += v ? "true" : "false";
    }
    void null() {
        separate();
        out_ += "null";
    }
    // Pre-rendered JSON (e.g. an order rendered earlier).
    void raw(std::string_view json) {
        separate();
        out_ += json;
    }

    // Shorthands for "key": value.
    void field(std::string_view k, std::string_view v) {
        key(k);
        string(v);
    }
    void field(std::string_view k, const char* v) { field(k, std::string_view(v)); }
    void field(std::string_view k, const std::string& v) { field(k, std::string_view(v)); }
    void field(std::string_view k, int64_t v) {
        key(k);
        integer(v);
    }
    void field(std::string_view k, uint64_t v) { field(k, static_cast<int64_t>(v)); }
    void field(std::string_view k, int v) { field(k, static_cast<int64_t>(v)); }
    void field(std::string_view k, unsigned v) { field(k, static_cast<int64_t>(v)); }
    void field(std::string_view k, bool v) {
        key(k);
        boolean(v);
    }

  private:
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (!first_.empty()) {
            if (!first_.back())
                out_ += ',';
            first_.back() = false;
        }
    }
    void open(char c) {
        separate();
        out_ += c;
        first_.push_back(true);
    }
    void close(char c) {
        out_ += c;
        first_.pop_back();
    }
    void quote(std::string_view v) {
        out_ += '"';
        for (char ch : v) {
            const auto c = static_cast<unsigned char>(ch);
            switch (c) {
            case '"':
                out_ += "\\\"";
                break;
            case '\\':
                out_ += "\\\\";
                break;
            case '\n':
                out_ += "\\n";
                break;
            case '\r':
                out_ += "\\r";
                break;
            case '\t':
                out_ += "\\t";
                break;
            case '\b':
                out_ += "\\b";
                break;
            case '\f':
                out_ += "\\f";
                break;
            default:
                if (c < 0x20) {
                    static constexpr char kHex[] = "0123456789abcdef";
                    out_ += "\\u00";
                    out_ += kHex[c >> 4];
                    out_ += kHex[c & 15];
                } else {
                    out_ += ch;
                }
            }
        }
        out_ += '"';
    }

    std::string& out_;
    std::vector<bool> first_;
    bool after_key_ = false;
};

} // namespace emag::sandbox
