#include "route_double.hpp"

#include <erp_plugin/erp_plugin.hpp>

#include <boost/test/unit_test.hpp>

namespace erp::test {

RouteHost::RouteHost() {
    registrar.struct_size = sizeof(registrar);
    registrar.ctx = reinterpret_cast<erp_registrar_ctx*>(this);
    registrar.add_route = [](erp_registrar_ctx* ctx, const erp_route_def* def, erp_sink*) -> erp_status {
        reinterpret_cast<RouteHost*>(ctx)->routes.push_back(
            {def->method, def->pattern, def->flags, def->user, def->handle});
        return ERP_OK;
    };
}

Reply call(const RouteHost& host, const std::string& method, const std::string& pattern, const nlohmann::json& params,
           const std::string& query, const std::string& body) {
    for (const auto& r : host.routes) {
        if (r.method != method || r.pattern != pattern) {
            continue;
        }
        const std::string params_s = params.dump();
        erp_http_request req{};
        req.struct_size = sizeof(req);
        req.method = method.c_str();
        req.path = pattern.c_str();
        req.query = query.c_str();
        req.params_json = params_s.c_str();
        req.headers_json = "{}";
        req.body = body.data();
        req.body_len = body.size();
        Reply reply;
        erp::plugin::StringSink sink, error;
        erp_http_response resp{};
        resp.struct_size = sizeof(resp);
        resp.ctx = &reply;
        resp.set_status = [](void* ctx, uint32_t s) { static_cast<Reply*>(ctx)->status = static_cast<int>(s); };
        resp.set_header = [](void* ctx, const char* n, const char* v) { static_cast<Reply*>(ctx)->headers[n] = v; };
        resp.body = sink.get();
        const erp_status st = r.handle(r.user, &req, &resp, error.get());
        BOOST_TEST_REQUIRE(st == ERP_OK, error.str());
        reply.body = sink.str();
        return reply;
    }
    BOOST_FAIL("no route " << method << " " << pattern);
    return {};
}

} // namespace erp::test
