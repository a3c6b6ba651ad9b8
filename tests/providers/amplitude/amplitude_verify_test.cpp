// The start-up key check: which answers to an empty request refuse the key.
#include "amplitude_verify.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace productgraph::amplitude;

namespace {

constexpr const char *key = "AMP_TEST_API_KEY_0123456789abcdef";

CredentialCheck check(long status, std::string body, std::string transport_error = {})
{
    HttpReply reply;
    reply.status = status;
    reply.body = std::move(body);
    reply.transport_error = std::move(transport_error);
    return classify_credential_check(reply, key);
}

}  // namespace

TEST_CASE("the key check sends the key with no events")
{
    CHECK(credential_check_body(key, 1) ==
          std::string(R"({"api_key":")") + key + R"(","events":[],"options":{"min_id_length":1}})");
}

TEST_CASE("Invalid API key refuses the key without quoting it")
{
    const auto result = check(400, std::string(R"({"code":400,"error":"Invalid API key: )") + key + "\"}");
    CHECK(result.verdict == CredentialCheck::Verdict::refused);
    CHECK(result.reason.find("AMPLITUDE_API_KEY") != std::string::npos);
    CHECK(result.reason.find(key) == std::string::npos);
    CHECK(check(401, "").verdict == CredentialCheck::Verdict::refused);
}

TEST_CASE("a 400 that only misses the events or a 200 accepts the key")
{
    CHECK(check(400, R"({"code":400,"error":"Request missing required field","missing_field":"events"})").verdict ==
          CredentialCheck::Verdict::accepted);
    CHECK(check(200, R"({"code":200,"events_ingested":0})").verdict == CredentialCheck::Verdict::accepted);
}

TEST_CASE("no answer or 5xx or 404 or the WAF's 403 or another 400 proves nothing")
{
    for (const auto &result : {check(0, "", "Connection refused"), check(503, "down"), check(404, "<html>"),
                               check(403, R"({"code":403,"error":"Forbidden"})"),
                               check(400, R"({"code":400,"error":"Invalid request path"})"), check(400, "<html>")}) {
        CHECK(result.verdict == CredentialCheck::Verdict::inconclusive);
        CHECK_FALSE(result.reason.empty());
    }
    CHECK(check(0, "", "Connection refused").reason.find("Connection refused") != std::string::npos);
}
