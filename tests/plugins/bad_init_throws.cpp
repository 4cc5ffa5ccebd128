// A deliberately broken C++ plugin: its init (the constructor) throws a
// std::runtime_error. The exception fence of erp_plugin.hpp must turn that into
// ERP_E_INTERNAL with {"code","message","where":"init"}; the host must report
// it with the plugin id and the step and keep serving without the plugin.
#include <erp_plugin/erp_plugin.hpp>

#include <stdexcept>
#include <string_view>

namespace {

class BadInitThrows {
  public:
    BadInitThrows(erp::plugin::HostApi, std::string_view, erp::plugin::Registrations&) {
        throw std::runtime_error("boom: init failed on purpose");
    }
};

} // namespace

ERP_CPP_PLUGIN(BadInitThrows, "bad_init_throws", "1.0.0")
