// Every response leaves through here: JSON bodies, the keep-alive fix, CORS headers.
#pragma once

#include <string>
#include <string_view>

#include <pistache/http.h>

namespace productgraph::http {

/// Response headers Pistache 0.0.5 has no typed class for (addRaw is silently dropped).
class RetryAfterHeader : public Pistache::Http::Header::Header {
public:
    NAME("Retry-After")
    RetryAfterHeader() = default;
    explicit RetryAfterHeader(long seconds) : seconds_(seconds) {}
    void parse(const std::string &text) override { seconds_ = std::stol(text); }
    void write(std::ostream &os) const override { os << seconds_; }

private:
    long seconds_ = 0;
};

class VaryHeader : public Pistache::Http::Header::Header {
public:
    NAME("Vary")
    VaryHeader() = default;
    explicit VaryHeader(std::string value) : value_(std::move(value)) {}
    void parse(const std::string &text) override { value_ = text; }
    void write(std::ostream &os) const override { os << value_; }

private:
    std::string value_;
};

class MaxAgeHeader : public Pistache::Http::Header::Header {
public:
    NAME("Access-Control-Max-Age")
    MaxAgeHeader() = default;
    explicit MaxAgeHeader(long seconds) : seconds_(seconds) {}
    void parse(const std::string &text) override { seconds_ = std::stol(text); }
    void write(std::ostream &os) const override { os << seconds_; }

private:
    long seconds_ = 0;
};

/// Sets Connection: keep-alive unless the client asked to close. Pistache otherwise
/// answers "Connection: Close" to requests without the header yet keeps the socket
/// open, which makes clients reconnect for every request (toolchain.md §3.2).
void set_connection_header(const Pistache::Http::Request &request, Pistache::Http::ResponseWriter &response);

/// Sends `body` (JSON text) with `code`.
void send_json(Pistache::Http::ResponseWriter &response, Pistache::Http::Code code, const std::string &body);

/// Sends {"error": message} with `code`.
void send_error(Pistache::Http::ResponseWriter &response, Pistache::Http::Code code, std::string_view message);

}  // namespace productgraph::http
