// Router: the host's HTTP surface — /health, /metrics, /api/*, plugin routes
// under /plugins/<id>/ and their static files. Transport-free: HttpRequest in,
// HttpResponse out (the server owns sockets and /ws).
#pragma once

#include "http_types.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace erp::host {

class HostApp;

class Router {
  public:
    explicit Router(const HostApp& app) : app_(app) {}
    HttpResponse handle(const HttpRequest& req) const;

  private:
    HttpResponse health() const;
    HttpResponse metrics() const;
    HttpResponse plugins() const;
    HttpResponse jobs() const;
    HttpResponse run_job(const std::string& job_id, const HttpRequest& req) const;
    HttpResponse validate(const std::string& kind, const HttpRequest& req) const;
    HttpResponse plugin_request(const std::string& plugin_id, const std::string& rest, const HttpRequest& req) const;
    bool authorized(const HttpRequest& req) const;
    HttpResponse unauthorized() const;

    const HostApp& app_;
};

// Matches "/a/{id}/b" segments against a path; fills params on success.
bool match_route(const std::vector<std::string>& pattern_segments, const std::string& path,
                 std::map<std::string, std::string>& params);

// Serves `rel` (URL path below the static prefix) from `root`, refusing any
// path that escapes it; directories answer with index.html. nullopt = 404.
std::optional<HttpResponse> serve_static(const std::filesystem::path& root, const std::string& rel, bool head);

std::string content_type_for(const std::filesystem::path& p);

} // namespace erp::host
