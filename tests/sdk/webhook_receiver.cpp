// The receiver: a Pistache handler that records and answers from the script.
#include "webhook_receiver.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>

namespace productgraph::testing {
namespace {

using namespace Pistache;

// Pistache writes only typed headers into responses (toolchain.md §3.5).
class RetryAfter : public Http::Header::Header {
public:
    NAME("Retry-After")
    RetryAfter() = default;
    explicit RetryAfter(int seconds) : seconds_(seconds) {}
    void parse(const std::string &data) override { seconds_ = std::stoi(data); }
    void write(std::ostream &os) const override { os << seconds_; }

private:
    int seconds_ = 0;
};

}  // namespace

class WebhookReceiver::Handler : public Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)
    explicit Handler(WebhookReceiver &receiver) : receiver_(&receiver) {}

    void onRequest(const Http::Request &request, Http::ResponseWriter response) override
    {
        ReceivedPost post;
        post.path = request.resource();
        post.body = request.body();
        post.at = std::chrono::steady_clock::now();
        if (const auto raw = request.headers().tryGetRaw("Authorization")) post.authorization = raw->value();
        const Scripted answer = receiver_->next_answer();
        post.status = answer.status;
        receiver_->record(std::move(post));
        response.headers().add<Http::Header::Connection>(Http::ConnectionControl::KeepAlive);
        if (answer.retry_after_seconds) response.headers().add<RetryAfter>(*answer.retry_after_seconds);
        response.send(static_cast<Http::Code>(answer.status), "{}", MIME(Application, Json));
    }

private:
    WebhookReceiver *receiver_;
};

WebhookReceiver::WebhookReceiver()
{
    endpoint_ = std::make_unique<Http::Endpoint>(Address(IP::loopback(), Port(0)));
    endpoint_->init(Http::Endpoint::options().threads(2).flags(Tcp::Options::ReuseAddr).maxRequestSize(16 << 20));
    endpoint_->setHandler(std::make_shared<Handler>(*this));
    endpoint_->serveThreaded();
    port_ = static_cast<int>(static_cast<uint16_t>(endpoint_->getPort()));
}

WebhookReceiver::~WebhookReceiver()
{
    endpoint_->shutdown();
}

std::string WebhookReceiver::url() const
{
    return "http://127.0.0.1:" + std::to_string(port_) + "/hook";
}

void WebhookReceiver::answer_next(int status, std::optional<int> retry_after_seconds)
{
    std::lock_guard lock(mutex_);
    scripts_.push_back({status, retry_after_seconds});
}

void WebhookReceiver::answer_always(int status)
{
    std::lock_guard lock(mutex_);
    always_ = status;
}

WebhookReceiver::Scripted WebhookReceiver::next_answer()
{
    std::lock_guard lock(mutex_);
    if (scripts_.empty()) return {always_, std::nullopt};
    const Scripted next = scripts_.front();
    scripts_.pop_front();
    return next;
}

void WebhookReceiver::record(ReceivedPost post)
{
    std::lock_guard lock(mutex_);
    posts_.push_back(std::move(post));
}

std::vector<ReceivedPost> WebhookReceiver::posts() const
{
    std::lock_guard lock(mutex_);
    return posts_;
}

}  // namespace productgraph::testing
