// Host-side erp_sink implementations: the host owns the buffer, the plugin
// writes into it (callee-writes-to-sink ownership, ABI rule 7).
#pragma once

#include <erp_plugin/erp_plugin.h>

#include <string>

namespace erp::host {

class BufferSink {
  public:
    explicit BufferSink(size_t limit = 64u * 1024u * 1024u);
    BufferSink(const BufferSink&) = delete;
    BufferSink& operator=(const BufferSink&) = delete;

    erp_sink* get() { return &sink_; }
    const std::string& str() const { return data_; }
    std::string take() { return std::move(data_); }
    bool overflowed() const { return overflowed_; }

  private:
    static erp_status write(void* ctx, const char* data, size_t len);
    erp_sink sink_;
    std::string data_;
    size_t limit_;
    bool overflowed_ = false;
};

// Turns what a plugin wrote to an error sink into one readable line:
// "<message> (code <code>, at <where>)", or the raw text when it isn't the
// documented JSON object, prefixed with the status name.
std::string describe_plugin_error(erp_status status, const std::string& error_text);
const char* status_name(erp_status status);

} // namespace erp::host
