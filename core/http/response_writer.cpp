// Serialises the answer into the slot and wakes the connection's loop when the
// answer comes from another thread.
#include "http/response_writer.hpp"

#include <ctime>

namespace productgraph::http {
namespace {

// RFC 9110 §6.6.1: an origin server with a clock sends Date. Formatted once a second per thread.
std::string_view http_date()
{
    thread_local time_t cached_second = 0;
    thread_local char text[64] = {};
    const time_t now = time(nullptr);
    if (now != cached_second) {
        cached_second = now;
        tm parts{};
        gmtime_r(&now, &parts);
        strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
    }
    return text;
}

bool has_line_break(std::string_view text)
{
    return text.find_first_of("\r\n") != std::string_view::npos;
}

}  // namespace

ResponseWriter &ResponseWriter::operator=(ResponseWriter &&other) noexcept
{
    if (this != &other) {
        if (slot_ != nullptr) send(Status::internal_server_error, "{\"error\":\"internal error\"}");
        slot_ = std::move(other.slot_);
        headers_ = std::move(other.headers_);
    }
    return *this;
}

ResponseWriter::~ResponseWriter()
{
    if (slot_ != nullptr) {
        set_reason("internal error: the request got no answer");
        send(Status::internal_server_error, "{\"error\":\"internal error\"}");
    }
}

void ResponseWriter::add_header(std::string_view name, std::string_view value)
{
    if (slot_ == nullptr || has_line_break(name) || has_line_break(value)) return;
    headers_.append(name).append(": ").append(value).append("\r\n");
}

void ResponseWriter::set_route(std::string_view route_template)
{
    if (slot_ != nullptr) slot_->route = route_template;
}

void ResponseWriter::set_reason(std::string_view reason)
{
    if (slot_ != nullptr) slot_->reason.assign(reason);
}

void ResponseWriter::close_connection()
{
    if (slot_ != nullptr) slot_->close = true;
}

void ResponseWriter::send(Status status, std::string_view body, std::string_view content_type)
{
    if (slot_ == nullptr) return;
    std::shared_ptr<ResponseSlot> slot = std::move(slot_);
    const int code = static_cast<int>(status);
    const bool no_body = code == 204 || code == 304 || code < 200;
    if (!slot->keep_alive) slot->close = true;

    std::string &out = slot->bytes;
    out.reserve(160 + headers_.size() + body.size());
    out.append("HTTP/1.1 ").append(std::to_string(code)).append(" ").append(reason_phrase(code)).append("\r\n");
    out.append("Date: ").append(http_date()).append("\r\n");
    if (!no_body) {
        if (!content_type.empty() && !has_line_break(content_type)) {
            out.append("Content-Type: ").append(content_type).append("\r\n");
        }
        out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    }
    out.append(slot->close ? "Connection: close\r\n" : "Connection: keep-alive\r\n");
    out.append(headers_);
    out.append("\r\n");
    if (!no_body && !slot->head_request) out.append(body);

    slot->status = code;
    slot->body_bytes = no_body ? 0 : body.size();
    slot->duration =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - slot->started);
    const uint64_t id = slot->connection_id;
    std::shared_ptr<LoopInbox> inbox = slot->inbox;
    slot->ready.store(true, std::memory_order_release);
    // On the loop's own thread the connection flushes after the handler returns.
    if (inbox != nullptr && !inbox->on_owner_thread()) inbox->post(id);
}

}  // namespace productgraph::http
