// The start-up credential check: which answers to an empty /import refuse the credentials.
#include <doctest/doctest.h>

#include "mixpanel_verify.hpp"

#include <string>

using namespace productgraph::mixpanel;

namespace {

CredentialCheck check(ApiMode api, long status, std::string body = {})
{
    HttpReply reply;
    reply.status = status;
    reply.body = std::move(body);
    if (status == 0) reply.transport_error = "Connection refused";
    return classify_credential_check(api, reply);
}

}  // namespace

TEST_CASE("401 and 403 to an empty import refuse the credentials with Mixpanel's reason")
{
    const auto refused = check(ApiMode::import, 401, R"({"code":401,"error":"Invalid credentials"})");
    CHECK(refused.verdict == CredentialCheck::Verdict::refused);
    CHECK(refused.reason.find("Invalid credentials") != std::string::npos);
    CHECK(check(ApiMode::import, 403, "{}").verdict == CredentialCheck::Verdict::refused);
}

TEST_CASE("an empty import answered 200 or 400 passed authentication")
{
    CHECK(check(ApiMode::import, 200, R"({"code":200,"num_records_imported":0})").verdict ==
          CredentialCheck::Verdict::accepted);
    CHECK(check(ApiMode::import, 400, "{}").verdict == CredentialCheck::Verdict::accepted);
}

TEST_CASE("no answer or 404 or 5xx proves nothing and /track can never be checked")
{
    for (const long status : {0L, 404L, 500L, 503L, 302L}) {
        const auto result = check(ApiMode::import, status, "x");
        CHECK(result.verdict == CredentialCheck::Verdict::inconclusive);
        CHECK_FALSE(result.reason.empty());
    }
    const auto track = check(ApiMode::track, 401);
    CHECK(track.verdict == CredentialCheck::Verdict::inconclusive);
    CHECK(track.reason.find("MIXPANEL_API=track") != std::string::npos);
}
