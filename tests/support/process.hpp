// Running the project's real binaries from tests: spawn with stdout/stderr
// captured in files, wait with a deadline, read what they printed.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace erp::test {

struct Process {
    pid_t pid = -1;
    std::filesystem::path out, err;
};

// Starts `binary` with `args`; stdout and stderr go to files in `dir`.
Process spawn_process(const std::string& binary, const std::filesystem::path& dir, std::vector<std::string> args);

// Waits up to `timeout` for the process; returns its exit code (128 + signal
// when killed by one), or -1 after SIGKILLing it when the deadline passed.
int wait_exit(const Process& p, std::chrono::milliseconds timeout);

struct RunResult {
    int code;
    std::string out, err;
};

// spawn_process + wait_exit (120 s) + the captured output.
RunResult run_process(const std::string& binary, const std::filesystem::path& dir, std::vector<std::string> args);

// Waits until the process's stdout contains `needle` or the deadline passes;
// returns stdout so far (check with find()).
std::string wait_for_output(const Process& p, const std::string& needle, std::chrono::milliseconds timeout);

} // namespace erp::test
