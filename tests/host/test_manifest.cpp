#define BOOST_TEST_MODULE host_manifest
#include <boost/test/unit_test.hpp>

#include "manifest.hpp"
#include "sha256.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>

using erp::host::check_config_against_schema;
using erp::host::Manifest;
using erp::host::ManifestError;
using erp::test::TempDir;
using nlohmann::json;

namespace {

json valid_manifest() {
    return json{{"id", "acme"},
                {"name", "Acme Marketplace"},
                {"version", "2.1.0"},
                {"abi_version", "1.0"},
                {"library", "libacme.so"},
                {"sha256", std::string(64, 'a')},
                {"capabilities", {"jobs", "routes"}},
                {"config_schema", {{"type", "object"}}}};
}

std::string error_of(const std::string& text) {
    try {
        erp::host::parse_manifest(text, "/plugins/acme/manifest.json");
    } catch (const ManifestError& e) {
        return e.what();
    }
    BOOST_FAIL("expected a ManifestError for " + text);
    return "";
}

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_CASE(valid_manifest_is_parsed) {
    const Manifest m = erp::host::parse_manifest(valid_manifest().dump(), "/plugins/acme/manifest.json");
    BOOST_TEST(m.id == "acme");
    BOOST_TEST(m.version == "2.1.0");
    BOOST_TEST(m.abi_major == 1u);
    BOOST_TEST(m.abi_minor == 0u);
    BOOST_TEST(m.library_path().string() == "/plugins/acme/libacme.so");
    BOOST_TEST(m.capabilities.size() == 2u);
    BOOST_TEST(json::parse(m.config_schema_json)["type"] == "object");
}

BOOST_AUTO_TEST_CASE(malformed_json_names_the_file) {
    const auto msg = error_of("{\"id\": \"acme\", ");
    BOOST_TEST(contains(msg, "/plugins/acme/manifest.json"), msg);
    BOOST_TEST(contains(msg, "malformed JSON"), msg);
}

BOOST_AUTO_TEST_CASE(each_missing_field_is_named) {
    for (const char* field :
         {"id", "name", "version", "abi_version", "library", "sha256", "capabilities", "config_schema"}) {
        json m = valid_manifest();
        m.erase(field);
        const auto msg = error_of(m.dump());
        BOOST_TEST(contains(msg, std::string("\"") + field + "\""), msg);
        BOOST_TEST(contains(msg, "missing"), msg);
    }
}

BOOST_AUTO_TEST_CASE(bad_field_values_are_explained) {
    json m = valid_manifest();
    m["abi_version"] = "one";
    BOOST_TEST(contains(error_of(m.dump()), "MAJOR.MINOR"));
    m = valid_manifest();
    m["sha256"] = "abc";
    BOOST_TEST(contains(error_of(m.dump()), "64 hex digits"));
    m = valid_manifest();
    m["library"] = "../../evil.so";
    BOOST_TEST(contains(error_of(m.dump()), "\"library\""));
    m = valid_manifest();
    m["id"] = "Acme Plugin";
    BOOST_TEST(contains(error_of(m.dump()), "not a plugin id"));
    m = valid_manifest();
    m["capabilities"] = "jobs";
    BOOST_TEST(contains(error_of(m.dump()), "array of strings"));
    BOOST_TEST(contains(error_of("[1,2]"), "JSON object"));
}

BOOST_AUTO_TEST_CASE(library_presence_and_checksum_are_verified) {
    TempDir dir;
    erp::test::write_file(dir / "libacme.so", "not really a library");
    json m = valid_manifest();
    m["sha256"] = erp::host::sha256_file_hex((dir / "libacme.so").string());
    erp::test::write_file(dir / "manifest.json", m.dump());
    BOOST_CHECK_NO_THROW(erp::host::verify_library(erp::host::load_manifest(dir / "manifest.json")));

    erp::test::write_file(dir / "libacme.so", "tampered with");
    try {
        erp::host::verify_library(erp::host::load_manifest(dir / "manifest.json"));
        BOOST_FAIL("expected sha256 mismatch");
    } catch (const ManifestError& e) {
        BOOST_TEST(contains(e.what(), "sha256 mismatch"), e.what());
        BOOST_TEST(contains(e.what(), m["sha256"].get<std::string>()), e.what());
    }

    std::filesystem::remove(dir / "libacme.so");
    try {
        erp::host::verify_library(erp::host::load_manifest(dir / "manifest.json"));
        BOOST_FAIL("expected library not found");
    } catch (const ManifestError& e) {
        BOOST_TEST(contains(e.what(), "not found"), e.what());
    }
}

BOOST_AUTO_TEST_CASE(sha256_matches_known_vectors) {
    BOOST_TEST(erp::host::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(erp::host::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(config_is_checked_against_the_schema_subset) {
    const std::string schema = json{{"type", "object"},
                                    {"additionalProperties", false},
                                    {"required", {"accounts"}},
                                    {"properties",
                                     {{"accounts",
                                       {{"type", "array"},
                                        {"minItems", 1},
                                        {"items",
                                         {{"type", "object"},
                                          {"required", {"name", "platform"}},
                                          {"properties",
                                           {{"name", {{"type", "string"}, {"pattern", "^[a-z0-9_-]+$"}}},
                                            {"platform", {{"enum", {"ro", "bg", "hu"}}}}}}}}}},
                                      {"verbose", {{"type", "boolean"}}}}}}
                                   .dump();

    BOOST_TEST(check_config_against_schema(schema, R"({"accounts":[{"name":"ro1","platform":"ro"}]})").empty());

    auto problems = check_config_against_schema(schema, R"({"verbose":"yes","extra":1})");
    const std::string all = [&] {
        std::string s;
        for (const auto& p : problems) {
            s += p + "\n";
        }
        return s;
    }();
    BOOST_TEST(contains(all, "accounts: required key is missing"), all);
    BOOST_TEST(contains(all, "verbose: must be of type boolean"), all);
    BOOST_TEST(contains(all, "extra: unknown key"), all);

    problems = check_config_against_schema(schema, R"({"accounts":[{"name":"RO 1","platform":"pl"}]})");
    BOOST_TEST(problems.size() == 2u);
    BOOST_TEST(contains(problems[0] + problems[1], "accounts[0].name: does not match pattern"));
    BOOST_TEST(contains(problems[0] + problems[1], "accounts[0].platform: must be one of"));

    problems = check_config_against_schema(schema, R"({"accounts":[]})");
    BOOST_TEST(problems.size() == 1u);
    BOOST_TEST(contains(problems.at(0), "at least 1 items"));
}
