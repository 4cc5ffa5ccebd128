// What the benchmarks that run a separate emag-sandbox process share: the
// process itself (started, ready once it prints its URL, stopped) and the
// memory and CPU figures of this process or of a child (by pid). Header-only,
// for bench/ only; the including target defines EMAG_SANDBOX_BIN.
#pragma once

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace erp::bench {

// A field of a /proc/<...>/status file in MB ("VmRSS", "VmHWM"); -1 when
// the file or the field is missing.
inline double status_file_mb(const std::string& path, const char* field) {
    std::ifstream in(path);
    std::string line;
    const std::string prefix = std::string(field) + ":";
    while (std::getline(in, line)) {
        if (line.rfind(prefix, 0) == 0) {
            return std::stod(line.substr(prefix.size())) / 1024.0; // kB
        }
    }
    return -1;
}

// This process's field.
inline double status_mb(const char* field) {
    return status_file_mb("/proc/self/status", field);
}

// The same field of another process (e.g. a child this bench started); -1
// when the process or the field is gone.
inline double status_mb(const char* field, pid_t pid) {
    return status_file_mb("/proc/" + std::to_string(pid) + "/status", field);
}

// User + system CPU seconds of another process so far (/proc/<pid>/stat
// utime + stime); -1 when it cannot be read.
inline double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(in, text);
    // The command name (field 2) may hold spaces: fields count from its ')'.
    const std::size_t close = text.rfind(')');
    if (close == std::string::npos) {
        return -1;
    }
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) {
            utime = std::stoull(field);
        } else if (i == 15) {
            stime = std::stoull(field);
        }
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

inline double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The emag-sandbox process: started with its stdout on a pipe, ready once it
// printed its base URL; SIGTERMed by stop().
struct Sandbox {
    pid_t pid = -1;
    int out = -1; // read end of its stdout, kept open until it exits
    std::string base_url;
    uint16_t port = 0;

    void start(const std::vector<std::string>& args) {
        int fds[2];
        if (pipe(fds) != 0) {
            throw std::runtime_error("pipe failed");
        }
        std::vector<char*> argv;
        std::string bin = EMAG_SANDBOX_BIN;
        argv.push_back(bin.data());
        std::vector<std::string> copy = args;
        for (auto& a : copy) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        pid = fork();
        if (pid < 0) {
            throw std::runtime_error("fork failed");
        }
        if (pid == 0) {
            dup2(fds[1], STDOUT_FILENO);
            close(fds[0]);
            close(fds[1]);
            execv(argv[0], argv.data());
            _exit(127);
        }
        close(fds[1]);
        out = fds[0];
        // Read until the ready line (it may take a few seconds to generate).
        const std::string marker = "emag-sandbox listening on ";
        std::string text;
        char buf[256];
        const auto ready = [&] {
            const std::size_t at = text.find(marker);
            return at != std::string::npos && text.find('\n', at) != std::string::npos;
        };
        while (!ready()) {
            const ssize_t got = read(out, buf, sizeof buf);
            if (got <= 0) {
                throw std::runtime_error("emag-sandbox exited before it was ready: " + text);
            }
            text.append(buf, static_cast<std::size_t>(got));
        }
        const std::size_t at = text.find(marker) + marker.size();
        base_url = text.substr(at, text.find('\n', at) - at);
        const std::size_t colon = base_url.rfind(':');
        port = static_cast<uint16_t>(std::stoi(base_url.substr(colon + 1)));
    }

    void stop() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            int status = 0;
            waitpid(pid, &status, 0);
            pid = -1;
        }
        if (out >= 0) {
            close(out);
            out = -1;
        }
    }

    ~Sandbox() { stop(); }
};

} // namespace erp::bench
