// Dead letters: persistence across reopen, damaged lines, and crash-safe replay.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "dispatch/dead_letter_store.hpp"

using namespace productgraph::dispatch;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir()
    {
        std::string pattern = (fs::temp_directory_path() / "pg-dead-XXXXXX").string();
        path = mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path); }
};

DeadLetter letter(const std::string &id, const std::string &reason = "rejected: bad")
{
    productgraph::event::EventFields fields;
    const std::string json = R"({"event_id":")" + id + R"(","metadata":{"k":[1,2]}})";
    fields.json = json;
    fields.event_id = id;
    fields.type = "custom";
    fields.session_id = "s1";
    fields.user_agent = "ua \"quoted\"";
    fields.timestamp_ms = 1705314615000;
    fields.received_ms = 1705314616000;
    return DeadLetter{std::make_shared<const productgraph::event::EventRecord>(fields), reason, 42, 3};
}

std::unique_ptr<DeadLetterStore> open_store(const fs::path &dir)
{
    auto store = DeadLetterStore::open(dir, "acme", 1000);
    REQUIRE(store.has_value());
    return std::move(*store);
}

}  // namespace

TEST_CASE("dead letters survive a reopen with every field intact")
{
    TempDir dir;
    open_store(dir.path)->add({letter("a"), letter("b", "retry budget exhausted")});
    const auto reopened = open_store(dir.path);
    REQUIRE(reopened->count() == 2);
    const auto newest = reopened->list(10);
    CHECK(newest[0].record->event_id() == "b");
    CHECK(newest[0].reason == "retry budget exhausted");
    CHECK(newest[1].record->json() == R"({"event_id":"a","metadata":{"k":[1,2]}})");
    CHECK(newest[1].record->user_agent() == "ua \"quoted\"");
    CHECK(newest[1].record->timestamp_ms() == 1705314615000);
    CHECK(newest[1].attempts == 3);
}

TEST_CASE("a torn line in the dead-letter file is skipped")
{
    TempDir dir;
    open_store(dir.path)->add({letter("a")});
    std::ofstream(dir.path / "acme.jsonl", std::ios::app) << R"({"event_id":"torn","reas)";
    const auto reopened = open_store(dir.path);
    CHECK(reopened->count() == 1);
}

TEST_CASE("a replay hands out every dead letter and removes them once resolved")
{
    TempDir dir;
    auto store = open_store(dir.path);
    store->add({letter("a"), letter("b"), letter("c")});
    REQUIRE(store->start_replay() == size_t{3});
    CHECK(store->count() == 0);
    CHECK_FALSE(store->start_replay().has_value());  // one replay at a time
    const auto first = store->next_replay_chunk(2);
    CHECK(first.size() == 2);
    store->replay_resolved(2);
    CHECK(store->replay_in_progress());
    CHECK(store->next_replay_chunk(2).size() == 1);
    store->replay_resolved(1);
    CHECK_FALSE(store->replay_in_progress());
    CHECK_FALSE(fs::exists(dir.path / "acme.replay.jsonl"));
}

TEST_CASE("an interrupted replay is resumed at the next start")
{
    TempDir dir;
    {
        auto store = open_store(dir.path);
        store->add({letter("a"), letter("b")});
        REQUIRE(store->start_replay() == size_t{2});
        store->next_replay_chunk(2);  // handed out, then the daemon died
    }
    const auto restarted = open_store(dir.path);
    CHECK(restarted->replay_in_progress());
    CHECK(restarted->next_replay_chunk(10).size() == 2);
}

TEST_CASE("past the byte limit the oldest dead letters are kept and the rest dropped and counted")
{
    const uint64_t line = dead_letter_json(letter("a")).size() + 1;
    for (const bool on_disk : {false, true}) {
        TempDir dir;
        auto store = DeadLetterStore::open(on_disk ? dir.path : fs::path(), "acme", 2 * line + 1);
        REQUIRE(store.has_value());
        CHECK((*store)->add({letter("a"), letter("b"), letter("c")}) == 1);
        CHECK((*store)->count() == 2);
        CHECK((*store)->list(10).front().record->event_id() == "b");
        CHECK((*store)->stored_bytes() == 2 * line);
        CHECK((*store)->add({letter("d")}) == 1);
        if (on_disk) CHECK(open_store(dir.path)->count() == 2);
    }
}

TEST_CASE("a replay in progress counts against the byte limit until it is resolved")
{
    const uint64_t line = dead_letter_json(letter("a")).size() + 1;
    TempDir dir;
    auto opened = DeadLetterStore::open(dir.path, "acme", 2 * line);
    REQUIRE(opened.has_value());
    auto &store = **opened;
    store.add({letter("a"), letter("b")});
    REQUIRE(store.start_replay() == size_t{2});
    CHECK(store.stored_bytes() == 2 * line);
    CHECK(store.add({letter("c")}) == 1);
    store.next_replay_chunk(2);
    store.replay_resolved(2);
    CHECK(store.stored_bytes() == 0);
    CHECK(store.add({letter("c")}) == 0);
    CHECK(DeadLetterStore::open(dir.path, "acme", 2 * line).value()->stored_bytes() == line);
}
