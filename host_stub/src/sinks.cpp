#include "sinks.hpp"

#include <nlohmann/json.hpp>

namespace erp::host {

BufferSink::BufferSink(size_t limit) : limit_(limit) {
    sink_.struct_size = sizeof(erp_sink);
    sink_.ctx = this;
    sink_.write = &BufferSink::write;
}

erp_status BufferSink::write(void* ctx, const char* data, size_t len) {
    auto* self = static_cast<BufferSink*>(ctx);
    if (self == nullptr || (data == nullptr && len > 0)) {
        return ERP_E_INVALID_ARGUMENT;
    }
    if (self->data_.size() + len > self->limit_) {
        self->overflowed_ = true;
        return ERP_E_INVALID_ARGUMENT;
    }
    try {
        self->data_.append(data, len);
    } catch (...) {
        return ERP_E_INTERNAL; // never let bad_alloc cross back into the plugin
    }
    return ERP_OK;
}

const char* status_name(erp_status status) {
    switch (status) {
    case ERP_OK:
        return "ERP_OK";
    case ERP_E_INVALID_ARGUMENT:
        return "ERP_E_INVALID_ARGUMENT";
    case ERP_E_NOT_FOUND:
        return "ERP_E_NOT_FOUND";
    case ERP_E_UNSUPPORTED:
        return "ERP_E_UNSUPPORTED";
    case ERP_E_VERSION:
        return "ERP_E_VERSION";
    case ERP_E_CANCELLED:
        return "ERP_E_CANCELLED";
    case ERP_E_INTERNAL:
        return "ERP_E_INTERNAL";
    case ERP_E_IO:
        return "ERP_E_IO";
    case ERP_E_CONFIG:
        return "ERP_E_CONFIG";
    case ERP_E_CONFLICT:
        return "ERP_E_CONFLICT";
    case ERP_E_UNAVAILABLE:
        return "ERP_E_UNAVAILABLE";
    default:
        return "ERP_E_UNKNOWN";
    }
}

std::string describe_plugin_error(erp_status status, const std::string& error_text) {
    std::string out = std::string(status_name(status)) + ": ";
    const auto j = nlohmann::json::parse(error_text, nullptr, false);
    if (j.is_object() && j.contains("message") && j["message"].is_string()) {
        out += j["message"].get<std::string>();
        std::string extra;
        if (j.contains("code") && j["code"].is_string()) {
            extra += "code " + j["code"].get<std::string>();
        }
        if (j.contains("where") && j["where"].is_string() && !j["where"].get<std::string>().empty()) {
            extra += (extra.empty() ? "" : ", ") + std::string("at ") + j["where"].get<std::string>();
        }
        if (!extra.empty()) {
            out += " (" + extra + ")";
        }
    } else if (!error_text.empty()) {
        out += error_text;
    } else {
        out += "no details given";
    }
    return out;
}

} // namespace erp::host
