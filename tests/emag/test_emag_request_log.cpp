#define BOOST_TEST_MODULE emag_request_log
#include <boost/test/unit_test.hpp>

// The eMAG client's redaction of logged text and its request log: one JSON
// line per call in daily UTC files, pruned after the retention period. Time
// is injected, so rotation and retention are tested on fixed dates.

#include "api/redact.hpp"
#include "api/request_log.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using erp::emag::redact;
using erp::emag::RequestLog;
using erp::emag::RequestLogEntry;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::chrono::system_clock::time_point at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int ms = 0) {
    using namespace std::chrono;
    const sys_days date{year{y} / month{mo} / day{d}};
    return time_point_cast<system_clock::duration>(date + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms});
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

std::vector<std::string> read_lines(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "cannot open " << p);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
    }
    return lines;
}

// Valid UTF-8 (no stray continuation byte, no truncated sequence).
bool valid_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size()) {
            return false;
        }
        for (std::size_t k = 1; k < len; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
                return false;
            }
        }
        i += len;
    }
    return true;
}

RequestLogEntry sample_entry() {
    RequestLogEntry e;
    e.time = at(2026, 11, 29, 22, 48, 7, 123);
    e.account = "ro1";
    e.method = "POST";
    e.route = "order/read";
    e.group = "orders";
    e.status = 200;
    e.outcome = "ok";
    e.ms = 1234.56;
    e.attempt = 2;
    e.bytes_out = 321;
    e.bytes_in = 98765;
    e.wait_ms = 0.04;
    return e;
}

std::set<std::string> keys_of(const json& j) {
    std::set<std::string> keys;
    for (const auto& [k, v] : j.items()) {
        keys.insert(k);
    }
    return keys;
}

void touch(const fs::path& p) {
    erp::test::write_file(p, "{}\n");
}

} // namespace

// ---------------------------------------------------------------- redact()

BOOST_AUTO_TEST_CASE(redact_replaces_secrets) {
    const std::vector<std::string> secrets{"s3cr3t!Pw", "c2VsbGVyQGV4YW1wbGUucm86czNjcjN0IVB3", ""};
    BOOST_TEST(redact("login failed for password s3cr3t!Pw (again: s3cr3t!Pw)", secrets) ==
               "login failed for password <redacted> (again: <redacted>)");
    BOOST_TEST(redact("credential c2VsbGVyQGV4YW1wbGUucm86czNjcjN0IVB3 rejected", secrets) ==
               "credential <redacted> rejected");
    // An empty secret is ignored, not matched everywhere.
    BOOST_TEST(redact("nothing secret here", {""}) == "nothing secret here");
    // A secret containing another one is replaced whole.
    BOOST_TEST(redact("x abcdef y", {"cd", "abcdef"}) == "x <redacted> y");
}

BOOST_AUTO_TEST_CASE(redact_replaces_authorization_tokens) {
    BOOST_TEST(redact("Authorization: Basic dXNlcjpwYXNz==") == "Authorization: Basic <redacted>");
    BOOST_TEST(redact("Authorization: Basic dXNlcjpwYXNz== sent") == "Authorization: Basic <redacted> sent");
    BOOST_TEST(redact("header bearer eyJhbGciOi.J9eyJzdWIi_Ox-y") == "header bearer <redacted>");
    BOOST_TEST(redact("Bearer  abc/def+ghi") == "Bearer <redacted>");
    // Only the scheme as a whole word, and only with a token after it.
    BOOST_TEST(redact("BasicAuth is on") == "BasicAuth is on");
    BOOST_TEST(redact("the basic") == "the basic");
}

BOOST_AUTO_TEST_CASE(redact_replaces_emails) {
    BOOST_TEST(redact("Contact ion.popescu+shop@example.co.uk now.") == "Contact <email> now.");
    BOOST_TEST(redact("<ana_m@mail-server.ro>, bob@x.com") == "<<email>>, <email>");
    BOOST_TEST(redact("Scrie la client.1990@yahoo.com.") == "Scrie la <email>.");
    // Not addresses: no domain with a dot, no local part.
    BOOST_TEST(redact("user@localhost and @handle and a@.ro") == "user@localhost and @handle and a@.ro");
}

BOOST_AUTO_TEST_CASE(redact_replaces_phone_numbers) {
    BOOST_TEST(redact("Sună la 0722 123 456 azi") == "Sună la <phone> azi");
    BOOST_TEST(redact("tel: +40 722-123-456.") == "tel: <phone>.");
    BOOST_TEST(redact("0722123456") == "<phone>");
    BOOST_TEST(redact("tel 0722.123.456, fax 021-555-12-34") == "tel <phone>, fax <phone>");
    // Decision: a '(' right before the leading 0/+ belongs to the number when
    // its ')' is inside the number ("(021) 555.12.34" is one phone) ...
    BOOST_TEST(redact("fix (021) 555.12.34") == "fix <phone>");
    BOOST_TEST(redact("fix (+40) 21 555 12 34") == "fix <phone>");
    // ... and stays when it encloses the whole number.
    BOOST_TEST(redact("client (0722 123 456)") == "client (<phone>)");
    // Next to an e-mail.
    BOOST_TEST(redact("0722123456@sms.ro / 0722123456") == "<email> / <phone>");
}

BOOST_AUTO_TEST_CASE(redact_keeps_ids_and_short_numbers) {
    BOOST_TEST(redact("order 4294967295 offer 171958974 product 1000000001") ==
               "order 4294967295 offer 171958974 product 1000000001");
    // A 0 inside a number does not start a phone.
    BOOST_TEST(redact("id 1710722123456") == "id 1710722123456");
    BOOST_TEST(redact("id 17-0722123456") == "id 17-0722123456");
    // Fewer than 9 digits.
    BOOST_TEST(redact("code 0123 4567, qty 0.5, +40 72") == "code 0123 4567, qty 0.5, +40 72");
    // dd.mm.yyyy dates are not phones even with the time after them.
    BOOST_TEST(redact("livrare 05.12.2026 10:00") == "livrare 05.12.2026 10:00");
    BOOST_TEST(redact("ids 171958974 0722123456") == "ids 171958974 <phone>");
}

BOOST_AUTO_TEST_CASE(redact_replaces_control_characters_and_invalid_utf8) {
    BOOST_TEST(redact("line1\nline2\r\n\ttab\x01\x7f"
                      "end") == "line1 line2   tab  end");
    // C1 control U+0085 and line separator U+2028 are line breaks too.
    BOOST_TEST(redact("a\xC2\x85"
                      "b\xE2\x80\xA8"
                      "c") == "a b c");
    // Invalid UTF-8 bytes become U+FFFD, valid text is kept.
    BOOST_TEST(redact("ok\xFF\xC3 ș") == "ok\xEF\xBF\xBD\xEF\xBF\xBD ș");
    BOOST_TEST(redact("Comanda nu a fost găsită: ăîșț ĂÎȘȚ") == "Comanda nu a fost găsită: ăîșț ĂÎȘȚ");
}

BOOST_AUTO_TEST_CASE(redact_truncates_on_utf8_boundary) {
    const std::string ro = "ăîșț"; // 4 characters, 2 bytes each
    BOOST_TEST(ro.size() == 8u);
    // 10 bytes: 7 for the text, cut back to the boundary at 6, then "…".
    BOOST_TEST(redact(ro + ro, {}, 10) == "ăîș…");
    BOOST_TEST(redact(ro + ro, {}, 11) == "ăîșț…");
    BOOST_TEST(redact(ro, {}, 8) == ro); // fits: untouched
    for (std::size_t max = 0; max <= 20; ++max) {
        const std::string r = redact("xăîșțăîșț", {}, max);
        BOOST_TEST(r.size() <= max, "max " << max);
        BOOST_TEST(valid_utf8(r), "max " << max);
    }
    const std::string longer(600, 'a');
    const std::string r = redact(longer);
    BOOST_TEST(r.size() == 500u);
    BOOST_TEST(r == std::string(497, 'a') + "…");
    // Redaction happens before the cut: a secret at the cut point never leaks
    // a prefix.
    const std::string cut = redact(std::string(495, 'a') + "TOPSECRET", {"TOPSECRET"}, 500);
    BOOST_TEST(!contains(cut, "TOP"));
    BOOST_TEST(cut == std::string(495, 'a') + "<r…");
}

// ---------------------------------------------------------------- RequestLog

BOOST_AUTO_TEST_CASE(file_name_uses_utc_date) {
    BOOST_TEST(RequestLog::file_name(at(2026, 11, 29, 22, 48, 7, 123)) == "emag-requests-2026-11-29.jsonl");
    BOOST_TEST(RequestLog::file_name(at(2026, 12, 31, 23, 59, 59, 999)) == "emag-requests-2026-12-31.jsonl");
    BOOST_TEST(RequestLog::file_name(at(2027, 1, 1)) == "emag-requests-2027-01-01.jsonl");
}

BOOST_AUTO_TEST_CASE(line_has_documented_keys_and_values) {
    erp::test::TempDir tmp;
    const auto now = at(2026, 11, 29, 23);
    RequestLog log(tmp.path(), 30, {"s3cr3t"}, [&] { return now; });

    RequestLogEntry e = sample_entry();
    e.messages = {"ignored for ok calls"};
    const std::string line = log.format(e);
    BOOST_TEST(!contains(line, "\n"));
    const json j = json::parse(line);
    const std::set<std::string> expected{"time",    "account", "method",  "route",     "group",    "status",
                                         "outcome", "ms",      "attempt", "bytes_out", "bytes_in", "wait_ms"};
    BOOST_TEST(keys_of(j) == expected);
    BOOST_TEST(j["time"] == "2026-11-29T22:48:07.123Z");
    BOOST_TEST(j["account"] == "ro1");
    BOOST_TEST(j["method"] == "POST");
    BOOST_TEST(j["route"] == "order/read");
    BOOST_TEST(j["group"] == "orders");
    BOOST_TEST(j["status"].get<unsigned>() == 200u);
    BOOST_TEST(j["outcome"] == "ok");
    BOOST_TEST(j["ms"].get<double>() == 1234.6);
    BOOST_TEST(j["attempt"].get<unsigned>() == 2u);
    BOOST_TEST(j["bytes_out"].get<std::uint64_t>() == 321u);
    BOOST_TEST(j["bytes_in"].get<std::uint64_t>() == 98765u);
    BOOST_TEST(j["wait_ms"].get<double>() == 0.0);
    // Keys in the documented order, numbers rounded to 0.1 in the text.
    BOOST_TEST(line.find("\"time\"") < line.find("\"account\""));
    BOOST_TEST(line.find("\"bytes_in\"") < line.find("\"wait_ms\""));
    BOOST_TEST(contains(line, "\"ms\":1234.6,"));

    RequestLogEntry fail = sample_entry();
    fail.status = 0;
    fail.outcome = "transient";
    fail.ms = 30000.049;
    fail.wait_ms = 12.25;
    fail.messages = {"timeout", "retry later"};
    const json f = json::parse(log.format(fail));
    auto with_messages = expected;
    with_messages.insert("messages");
    BOOST_TEST(keys_of(f) == with_messages);
    BOOST_TEST(f["status"].get<unsigned>() == 0u);
    BOOST_TEST(f["outcome"] == "transient");
    BOOST_TEST(f["ms"].get<double>() == 30000.0);
    BOOST_TEST(f["wait_ms"].get<double>() == 12.3);
    BOOST_TEST(f["messages"] == json::array({"timeout", "retry later"}));
}

BOOST_AUTO_TEST_CASE(messages_are_redacted_in_the_file) {
    erp::test::TempDir tmp;
    const auto now = at(2026, 11, 29, 23);
    RequestLog log(tmp.path(), 30, {"s3cr3t!Pw"}, [&] { return now; });
    log.add_secrets({"c2VsbGVyOnMzY3IzdCFQdw=="});

    RequestLogEntry e = sample_entry();
    e.status = 401;
    e.outcome = "auth";
    e.messages = {"Invalid password s3cr3t!Pw for seller@example.ro",
                  "Authorization c2VsbGVyOnMzY3IzdCFQdw== rejected\nsecond line, call 0722 123 456"};
    log.write(e);
    BOOST_TEST(log.write_failures() == 0u);

    const fs::path file = tmp / "emag-requests-2026-11-29.jsonl";
    const std::string text = erp::test::read_file(file);
    BOOST_TEST(!contains(text, "s3cr3t"));
    BOOST_TEST(!contains(text, "c2VsbGVyOnMzY3IzdCFQdw"));
    BOOST_TEST(!contains(text, "seller@example.ro"));
    BOOST_TEST(!contains(text, "0722"));
    const auto lines = read_lines(file);
    BOOST_REQUIRE_EQUAL(lines.size(), 1u);
    const json j = json::parse(lines[0]);
    BOOST_TEST(j["messages"] == json::array({"Invalid password <redacted> for <email>",
                                             "Authorization <redacted> rejected second line, call <phone>"}));
}

BOOST_AUTO_TEST_CASE(appends_to_existing_file) {
    erp::test::TempDir tmp;
    const fs::path file = tmp / "emag-requests-2026-11-29.jsonl";
    erp::test::write_file(file, "{\"earlier\":true}\n");
    RequestLog log(tmp.path(), 30, {}, [] { return at(2026, 11, 29, 23); });
    log.write(sample_entry());
    log.write(sample_entry());
    const auto lines = read_lines(file);
    BOOST_REQUIRE_EQUAL(lines.size(), 3u);
    BOOST_TEST(lines[0] == "{\"earlier\":true}");
    BOOST_TEST(json::parse(lines[2])["account"] == "ro1");
}

BOOST_AUTO_TEST_CASE(rotates_daily_by_utc_date) {
    erp::test::TempDir tmp;
    std::atomic<std::chrono::system_clock::time_point> now{at(2026, 11, 29, 23, 59)};
    RequestLog log(tmp.path(), 30, {}, [&] { return now.load(); });

    RequestLogEntry e = sample_entry();
    e.time = at(2026, 11, 29, 23, 59, 59, 500);
    e.route = "before-midnight";
    log.write(e);
    now = at(2026, 11, 30, 0, 0, 1);
    e.time = at(2026, 11, 30, 0, 0, 0, 200);
    e.route = "after-midnight-1";
    log.write(e);
    e.time = at(2026, 11, 30, 0, 0, 0, 900);
    e.route = "after-midnight-2";
    log.write(e);
    BOOST_TEST(log.write_failures() == 0u);

    const auto day1 = read_lines(tmp / "emag-requests-2026-11-29.jsonl");
    const auto day2 = read_lines(tmp / "emag-requests-2026-11-30.jsonl");
    BOOST_REQUIRE_EQUAL(day1.size(), 1u);
    BOOST_REQUIRE_EQUAL(day2.size(), 2u);
    BOOST_TEST(json::parse(day1[0])["route"] == "before-midnight");
    BOOST_TEST(json::parse(day1[0])["time"] == "2026-11-29T23:59:59.500Z");
    BOOST_TEST(json::parse(day2[0])["route"] == "after-midnight-1");
    BOOST_TEST(json::parse(day2[0])["time"] == "2026-11-30T00:00:00.200Z");
    BOOST_TEST(json::parse(day2[1])["route"] == "after-midnight-2");
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(tmp.path())) {
        ++files;
    }
    BOOST_TEST(files == 2u);
}

BOOST_AUTO_TEST_CASE(retention_deletes_only_old_log_files) {
    erp::test::TempDir tmp;
    const std::vector<std::string> old{"emag-requests-2025-12-31.jsonl", "emag-requests-2026-10-28.jsonl",
                                       "emag-requests-2026-10-29.jsonl"};
    const std::vector<std::string> recent{"emag-requests-2026-10-30.jsonl", "emag-requests-2026-10-31.jsonl",
                                          "emag-requests-2026-11-29.jsonl"};
    const std::vector<std::string> unrelated{"emag-requests-2026-01-01.jsonl.bak", "emag-requests-2026-1-01.jsonl",
                                             "emag-requests-2026-02-30.jsonl",     "old-emag-requests-2026-01-01.jsonl",
                                             "emag-requests-2026-01-01.json",      "notes.txt"};
    for (const auto& n : old) {
        touch(tmp / n);
    }
    for (const auto& n : recent) {
        touch(tmp / n);
    }
    for (const auto& n : unrelated) {
        touch(tmp / n);
    }
    // A directory with a log file's name is not a log file.
    fs::create_directory(tmp / "emag-requests-2026-01-02.jsonl");

    std::atomic<std::chrono::system_clock::time_point> now{at(2026, 11, 29, 12)};
    RequestLog log(tmp.path(), 30, {}, [&] { return now.load(); });
    // At construction: keep 2026-10-30..2026-11-29, delete 2026-10-29 and older.
    for (const auto& n : old) {
        BOOST_TEST(!fs::exists(tmp / n), n);
    }
    for (const auto& n : recent) {
        BOOST_TEST(fs::exists(tmp / n), n);
    }
    for (const auto& n : unrelated) {
        BOOST_TEST(fs::exists(tmp / n), n);
    }
    BOOST_TEST(fs::is_directory(tmp / "emag-requests-2026-01-02.jsonl"));

    // Nothing is pruned while the date stays the same ...
    RequestLogEntry e = sample_entry();
    e.time = at(2026, 11, 29, 23);
    log.write(e);
    now = at(2026, 11, 30, 0, 0, 5);
    touch(tmp / "emag-requests-2026-10-01.jsonl");
    e.time = at(2026, 11, 29, 23, 59);
    log.write(e);
    BOOST_TEST(fs::exists(tmp / "emag-requests-2026-10-01.jsonl"));
    // ... and at the date change the window moves by a day.
    e.time = at(2026, 11, 30, 0, 0, 4);
    log.write(e);
    BOOST_TEST(!fs::exists(tmp / "emag-requests-2026-10-01.jsonl"));
    BOOST_TEST(!fs::exists(tmp / "emag-requests-2026-10-30.jsonl"));
    BOOST_TEST(fs::exists(tmp / "emag-requests-2026-10-31.jsonl"));
    BOOST_TEST(fs::exists(tmp / "emag-requests-2026-11-29.jsonl"));
    BOOST_TEST(fs::exists(tmp / "emag-requests-2026-11-30.jsonl"));
    for (const auto& n : unrelated) {
        BOOST_TEST(fs::exists(tmp / n), n);
    }
    BOOST_TEST(log.write_failures() == 0u);
}

BOOST_AUTO_TEST_CASE(concurrent_writes_give_whole_lines) {
    erp::test::TempDir tmp;
    RequestLog log(tmp.path(), 30, {}, [] { return at(2026, 11, 29, 23); });
    constexpr int kThreads = 8;
    constexpr int kWrites = 500;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&log, t] {
            RequestLogEntry e = sample_entry();
            e.account = "thread-" + std::to_string(t);
            e.outcome = "validation";
            for (int i = 0; i < kWrites; ++i) {
                e.attempt = static_cast<unsigned>(i);
                e.messages = {std::string(200 + i, 'x')};
                log.write(e);
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    BOOST_TEST(log.write_failures() == 0u);

    const auto lines = read_lines(tmp / "emag-requests-2026-11-29.jsonl");
    BOOST_REQUIRE_EQUAL(lines.size(), static_cast<std::size_t>(kThreads * kWrites));
    std::set<std::pair<std::string, unsigned>> seen;
    for (const auto& line : lines) {
        const json j = json::parse(line); // throws (fails the test) on a torn line
        const auto attempt = j["attempt"].get<unsigned>();
        BOOST_REQUIRE_EQUAL(j["messages"][0].get<std::string>().size(), std::min<std::size_t>(200 + attempt, 500));
        seen.emplace(j["account"].get<std::string>(), attempt);
    }
    BOOST_TEST(seen.size() == static_cast<std::size_t>(kThreads * kWrites));
}

BOOST_AUTO_TEST_CASE(unusable_directory_throws_with_path) {
    erp::test::TempDir tmp;
    erp::test::write_file(tmp / "plain-file", "not a directory");
    const fs::path dir = tmp / "plain-file" / "logs";
    try {
        RequestLog log(dir);
        BOOST_FAIL("no exception for " << dir);
    } catch (const std::runtime_error& e) {
        BOOST_TEST(contains(e.what(), dir.string()), e.what());
    }
    // The directory itself being a regular file.
    try {
        RequestLog log(tmp / "plain-file");
        BOOST_FAIL("no exception for a regular file");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(contains(e.what(), (tmp / "plain-file").string()), e.what());
    }
}

BOOST_AUTO_TEST_CASE(write_failure_is_counted_not_thrown) {
    erp::test::TempDir tmp;
    const fs::path dir = tmp / "logs";
    RequestLog log(dir, 30, {}, [] { return at(2026, 11, 29, 23); });
    BOOST_TEST(log.dir() == dir);
    fs::remove_all(dir); // the file cannot be opened any more
    BOOST_CHECK_NO_THROW(log.write(sample_entry()));
    BOOST_CHECK_NO_THROW(log.write(sample_entry()));
    BOOST_TEST(log.write_failures() == 2u);
    // Once the directory is back, writing resumes.
    fs::create_directories(dir);
    log.write(sample_entry());
    BOOST_TEST(log.write_failures() == 2u);
    BOOST_TEST(read_lines(dir / "emag-requests-2026-11-29.jsonl").size() == 1u);
}
