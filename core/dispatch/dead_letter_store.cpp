// Dead letters on disk as JSON lines: rare, so simple and durable beats fast.
#include "dispatch/dead_letter_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/json_text.hpp"
#include "common/log.hpp"

namespace productgraph::dispatch {
namespace {

std::string_view string_member(const rapidjson::Value &object, const char *name)
{
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) return {};
    return {it->value.GetString(), it->value.GetStringLength()};
}

int64_t int_member(const rapidjson::Value &object, const char *name)
{
    const auto it = object.FindMember(name);
    return it != object.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

}  // namespace

std::string dead_letter_json(const DeadLetter &letter)
{
    using common::append_json_string;
    const event::EventRecord &r = *letter.record;
    std::string out = "{\"event_id\":";
    append_json_string(out, r.event_id());
    out += ",\"reason\":";
    append_json_string(out, letter.reason);
    out += ",\"dead_at_ms\":" + std::to_string(letter.dead_at_ms) + ",\"attempts\":" + std::to_string(letter.attempts);
    const std::pair<const char *, std::string_view> fields[] = {
        {"type", r.type()},
        {"name", r.name()},
        {"user_id", r.user_id()},
        {"device_id", r.device_id()},
        {"session_id", r.session_id()},
        {"client_ip", r.client_ip()},
        {"user_agent", r.user_agent()},
    };
    for (const auto &[key, value] : fields) {
        out += ",\"";
        out += key;
        out += "\":";
        append_json_string(out, value);
    }
    out += ",\"timestamp_ms\":" + std::to_string(r.timestamp_ms()) +
           ",\"received_ms\":" + std::to_string(r.received_ms()) + ",\"event\":";
    out += r.json();  // already canonical JSON
    out += "}";
    return out;
}

common::Result<std::unique_ptr<DeadLetterStore>> DeadLetterStore::open(const std::filesystem::path &directory,
                                                                       const std::string &plugin, uint64_t max_bytes)
{
    std::unique_ptr<DeadLetterStore> store;
    if (directory.empty()) {
        store.reset(new DeadLetterStore(plugin, {}, {}, max_bytes));
        return store;
    }
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) {
        return common::fail("PRODUCTGRAPH_QUEUE_DIR: cannot create " + directory.string() + ": " + error.message());
    }
    store.reset(new DeadLetterStore(plugin, directory / (plugin + ".jsonl"), directory / (plugin + ".replay.jsonl"),
                                    max_bytes));
    auto loaded = store->load(store->file_, store->letters_);
    if (!loaded) return tl::unexpected(loaded.error());
    store->letters_bytes_ = *loaded;
    if (std::filesystem::exists(store->replay_file_)) {
        auto replay = store->load(store->replay_file_, store->replay_waiting_);
        if (!replay) return tl::unexpected(replay.error());
        store->replay_bytes_ = *replay;
        store->replaying_ = true;
        common::log_info("resuming an interrupted dead-letter replay",
                         {{"plugin", plugin}, {"events", store->replay_waiting_.size()}});
    }
    return store;
}

DeadLetterStore::DeadLetterStore(std::string plugin, std::filesystem::path file, std::filesystem::path replay_file,
                                 uint64_t max_bytes)
    : plugin_(std::move(plugin)), file_(std::move(file)), replay_file_(std::move(replay_file)), max_bytes_(max_bytes)
{}

common::Result<uint64_t> DeadLetterStore::load(const std::filesystem::path &file, std::vector<DeadLetter> &into)
{
    std::ifstream in(file);
    if (!in) return uint64_t{0};  // none yet
    std::string line;
    size_t line_number = 0;
    uint64_t bytes = 0;
    while (std::getline(in, line)) {
        ++line_number;
        bytes += line.size() + 1;
        rapidjson::Document document;
        document.Parse(line.c_str(), line.size());
        const auto event = document.IsObject() ? document.FindMember("event") : rapidjson::Value::MemberIterator();
        if (document.HasParseError() || !document.IsObject() || event == document.MemberEnd() ||
            !event->value.IsObject()) {
            // A torn last line after a crash, or damage: skip it, say so, go on.
            common::log_warn("skipping an unreadable dead letter", {{"file", file.string()}, {"line", line_number}});
            continue;
        }
        rapidjson::StringBuffer json;
        rapidjson::Writer<rapidjson::StringBuffer> writer(json);
        event->value.Accept(writer);
        event::EventFields fields;
        fields.json = std::string_view(json.GetString(), json.GetSize());
        fields.event_id = string_member(document, "event_id");
        fields.type = string_member(document, "type");
        fields.name = string_member(document, "name");
        fields.user_id = string_member(document, "user_id");
        fields.device_id = string_member(document, "device_id");
        fields.session_id = string_member(document, "session_id");
        fields.client_ip = string_member(document, "client_ip");
        fields.user_agent = string_member(document, "user_agent");
        fields.timestamp_ms = int_member(document, "timestamp_ms");
        fields.received_ms = int_member(document, "received_ms");
        into.push_back(DeadLetter{std::make_shared<const event::EventRecord>(fields),
                                  std::string(string_member(document, "reason")), int_member(document, "dead_at_ms"),
                                  static_cast<uint32_t>(int_member(document, "attempts"))});
    }
    return bytes;
}

void DeadLetterStore::append_to_file(const std::string &text)
{
    const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    bool ok = fd >= 0;
    for (size_t written = 0; ok && written < text.size();) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n <= 0)
            ok = false;
        else
            written += static_cast<size_t>(n);
    }
    ok = ok && ::fdatasync(fd) == 0;
    const int error = errno;
    if (fd >= 0) ::close(fd);
    if (!ok) {
        // The events stay listed in memory; only their persistence failed.
        common::log_error("cannot write dead letters", {{"file", file_.string()}, {"error", std::strerror(error)}});
    }
}

size_t DeadLetterStore::add(std::vector<DeadLetter> letters)
{
    if (letters.empty()) return 0;
    std::lock_guard lock(mutex_);
    std::string text;
    size_t kept = 0;
    uint64_t held = letters_bytes_ + replay_bytes_;
    for (; kept < letters.size(); ++kept) {
        const std::string line = dead_letter_json(letters[kept]) + "\n";
        if (held + line.size() > max_bytes_) break;
        held += line.size();
        text += line;
    }
    if (!file_.empty() && kept > 0) append_to_file(text);
    letters_bytes_ += text.size();
    for (size_t i = 0; i < kept; ++i) {
        // A copy of its own: the record shares one block with its request's other
        // events, which a dead letter would otherwise keep in memory for as long as it.
        letters[i].record = std::make_shared<const event::EventRecord>(letters[i].record->fields());
        letters_.push_back(std::move(letters[i]));
    }
    const size_t dropped = letters.size() - kept;
    if (dropped > 0) {
        // The one place an accepted event is lost: loud, counted by the caller.
        common::log_error("dead letters full (PRODUCTGRAPH_DEAD_LETTER_MAX_BYTES); events dropped",
                          {{"plugin", plugin_},
                           {"events", dropped},
                           {"first_event_id", letters[kept].record->event_id()},
                           {"max_bytes", max_bytes_}});
    }
    return dropped;
}

std::vector<DeadLetter> DeadLetterStore::list(size_t limit) const
{
    std::lock_guard lock(mutex_);
    std::vector<DeadLetter> newest;
    for (auto it = letters_.rbegin(); it != letters_.rend() && newest.size() < limit; ++it) newest.push_back(*it);
    return newest;
}

size_t DeadLetterStore::count() const
{
    std::lock_guard lock(mutex_);
    return letters_.size();
}

uint64_t DeadLetterStore::stored_bytes() const
{
    std::lock_guard lock(mutex_);
    return letters_bytes_ + replay_bytes_;
}

common::Result<size_t> DeadLetterStore::start_replay()
{
    std::lock_guard lock(mutex_);
    if (replaying_) return common::fail("a replay of this plugin's dead letters is still running");
    if (!file_.empty() && !letters_.empty()) {
        std::error_code error;
        std::filesystem::rename(file_, replay_file_, error);
        if (error) return common::fail("cannot start the replay: " + error.message());
    }
    const size_t count = letters_.size();
    replay_waiting_ = std::move(letters_);
    letters_.clear();
    replay_bytes_ = letters_bytes_;
    letters_bytes_ = 0;
    replaying_ = count > 0;
    return count;
}

std::vector<DeadLetter> DeadLetterStore::next_replay_chunk(size_t max)
{
    std::lock_guard lock(mutex_);
    const size_t n = std::min(max, replay_waiting_.size());
    std::vector<DeadLetter> chunk(std::make_move_iterator(replay_waiting_.begin()),
                                  std::make_move_iterator(replay_waiting_.begin() + static_cast<std::ptrdiff_t>(n)));
    replay_waiting_.erase(replay_waiting_.begin(), replay_waiting_.begin() + static_cast<std::ptrdiff_t>(n));
    replay_outstanding_ += n;
    return chunk;
}

void DeadLetterStore::replay_resolved(size_t count)
{
    std::lock_guard lock(mutex_);
    replay_outstanding_ -= std::min(count, replay_outstanding_);
    if (replaying_ && replay_outstanding_ == 0 && replay_waiting_.empty()) {
        replaying_ = false;
        replay_bytes_ = 0;
        if (!replay_file_.empty()) {
            std::error_code ignored;
            std::filesystem::remove(replay_file_, ignored);
        }
    }
}

bool DeadLetterStore::replay_in_progress() const
{
    std::lock_guard lock(mutex_);
    return replaying_;
}

}  // namespace productgraph::dispatch
