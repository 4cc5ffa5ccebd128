#include "process.hpp"

#include "test_support.hpp"

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace erp::test {

Process spawn_process(const std::string& binary, const std::filesystem::path& dir, std::vector<std::string> args) {
    static std::atomic<unsigned> counter{0};
    const unsigned n = counter++;
    Process p;
    p.out = dir / ("proc" + std::to_string(n) + ".out");
    p.err = dir / ("proc" + std::to_string(n) + ".err");
    args.insert(args.begin(), binary);
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, p.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, p.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int rc = posix_spawn(&p.pid, binary.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        throw std::runtime_error("cannot start " + binary);
    }
    return p;
}

int wait_exit(const Process& p, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (waitpid(p.pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(p.pid, SIGKILL);
            waitpid(p.pid, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20)); // poll interval, not a timing assumption
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

RunResult run_process(const std::string& binary, const std::filesystem::path& dir, std::vector<std::string> args) {
    const Process p = spawn_process(binary, dir, std::move(args));
    const int code = wait_exit(p, std::chrono::seconds(120));
    return {code, read_file(p.out), read_file(p.err)};
}

std::string wait_for_output(const Process& p, const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string out;
    while (std::chrono::steady_clock::now() < deadline) {
        out = read_file(p.out);
        if (out.find(needle) != std::string::npos) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20)); // poll interval
    }
    return out;
}

} // namespace erp::test
