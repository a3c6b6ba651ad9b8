// Disk queue durability policies: group commit under always, background syncs, never.
#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "disk_queue_test_support.hpp"

using namespace queue_test;
using namespace std::chrono_literals;

TEST_CASE("concurrent appenders under always share fdatasyncs")
{
    TempDir dir;
    const DiskQueueOptions options = options_in(dir.path());  // fsync always is the default
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    constexpr int threads = 8;
    constexpr int appends_per_thread = 200;
    std::vector<std::thread> appenders;
    std::atomic<int> refused{0};
    for (int t = 0; t < threads; ++t) {
        appenders.emplace_back([&, t] {
            for (int i = 0; i < appends_per_thread; ++i) {
                if (queue->append(records(1, 50, "t" + std::to_string(t) + "-")) != AppendStatus::appended) ++refused;
            }
        });
    }
    for (std::thread &appender : appenders) appender.join();
    CHECK(refused.load() == 0);
    const uint64_t syncs = queue->sync_count();
    MESSAGE("fdatasync calls for " << threads * appends_per_thread << " appends: " << syncs);
    CHECK(syncs >= 1);
    CHECK(syncs < uint64_t(threads * appends_per_thread));

    const auto all = read_all(*queue, cursor);
    REQUIRE(all.size() == size_t(threads * appends_per_thread));
    for (size_t i = 0; i < all.size(); ++i) CHECK(all[i].offset == i);
}

TEST_CASE("an append under always has been synced when it returns")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    queue->open_cursor("a");
    CHECK(queue->sync_count() == 0);
    REQUIRE(queue->append(records(5)) == AppendStatus::appended);
    CHECK(queue->sync_count() == 1);
}

TEST_CASE("the interval policy returns after the write and syncs in the background")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.fsync = *parse_fsync_policy("interval:5");
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    REQUIRE(queue->append(records(3)) == AppendStatus::appended);
    CHECK(queue->read(cursor, 0, {10, 0}, 0ms).size() == 3);
    CHECK(eventually([&] { return queue->sync_count() >= 1; }));
}

TEST_CASE("the never policy writes without syncing")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.fsync = *parse_fsync_policy("never");
    options.segment_bytes = 300;  // roll-overs do not sync either
    {
        auto queue = open_queue(options);
        queue->open_cursor("a");
        for (int i = 0; i < 5; ++i) REQUIRE(queue->append(records(1, 100)) == AppendStatus::appended);
        CHECK(queue->sync_count() == 0);
        queue->close();
        CHECK(queue->sync_count() == 0);
    }
    auto queue = open_queue(options);
    CHECK(read_all(*queue, queue->open_cursor("a")).size() == 5);
}

TEST_CASE("records in older segments are synced before a new segment starts")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.fsync = *parse_fsync_policy("interval:3600000");  // the background sync never comes
    options.segment_bytes = 300;
    auto queue = open_queue(options);
    queue->open_cursor("a");
    for (int i = 0; i < 4; ++i) queue->append(records(1, 100));
    CHECK(queue->sync_count() == 3);  // one per roll-over
}

TEST_CASE("async appends under always are answered once each after a shared fdatasync")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    const CursorId cursor = queue->open_cursor("a");
    constexpr int appends = 500;
    std::atomic<int> appended{0};
    std::atomic<int> answers{0};
    std::atomic<uint64_t> syncs_seen_before_answer{0};
    for (int i = 0; i < appends; ++i) {
        queue->append_async(records(1, 50, "a" + std::to_string(i) + "-"), [&](AppendStatus status) {
            if (status == AppendStatus::appended) ++appended;
            if (queue->sync_count() > 0) ++syncs_seen_before_answer;  // answered only after a sync
            ++answers;
        });
    }
    REQUIRE(eventually([&] { return answers.load() == appends; }));
    CHECK(appended.load() == appends);
    CHECK(syncs_seen_before_answer.load() == uint64_t(appends));
    MESSAGE("fdatasync calls for " << appends << " async appends: " << queue->sync_count());
    CHECK(queue->sync_count() < uint64_t(appends));
    CHECK(read_all(*queue, cursor).size() == size_t(appends));
}

TEST_CASE("under always a waiting reader is woken by the sync that makes an async append durable")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    const CursorId cursor = queue->open_cursor("a");
    std::atomic<bool> got{false};
    const auto started = std::chrono::steady_clock::now();
    std::thread reader([&] {
        // Without a wake this sleeps the whole 5 s before it looks again.
        got = queue->read(cursor, 0, {10, 0}, 5s).size() == 1;
    });
    std::this_thread::sleep_for(100ms);  // the reader is waiting by now (if not, it reads at once)
    queue->append_async(records(1), [](AppendStatus) {});
    reader.join();
    CHECK(got.load());
    CHECK(std::chrono::steady_clock::now() - started < 3s);
}

TEST_CASE("closing the queue still answers pending async appends")
{
    TempDir dir;
    std::atomic<int> answers{0};
    {
        auto queue = open_queue(options_in(dir.path()));
        queue->open_cursor("a");
        for (int i = 0; i < 50; ++i) {
            queue->append_async(records(1), [&](AppendStatus) { ++answers; });
        }
    }
    CHECK(answers.load() == 50);
}

TEST_CASE("close returns only after every async append has been answered")
{
    TempDir dir;
    auto queue = open_queue(options_in(dir.path()));
    queue->open_cursor("a");
    std::atomic<int> answers{0};
    std::vector<std::thread> appenders;
    for (int t = 0; t < 4; ++t) {
        appenders.emplace_back([&] {
            for (int i = 0; i < 50; ++i) queue->append_async(records(1), [&](AppendStatus) { ++answers; });
        });
    }
    for (std::thread &appender : appenders) appender.join();
    queue->close();
    CHECK(answers.load() == 200);  // nothing is answered after close, when connections are gone
}

TEST_CASE("async appends from many threads are each written whole and in each thread's order")
{
    // One appender writes what the others staged meanwhile: none may be lost, split or
    // reordered, whichever thread writes it and whatever the fsync policy.
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    SUBCASE("always") {}
    SUBCASE("never")
    {
        options.fsync = FsyncPolicy{FsyncPolicy::Mode::never, {}};
    }
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    constexpr int threads = 8;
    constexpr int appends_per_thread = 100;
    constexpr int records_per_append = 5;
    std::atomic<int> answers{0};
    std::atomic<int> appended{0};
    std::vector<std::thread> appenders;
    for (int t = 0; t < threads; ++t) {
        appenders.emplace_back([&, t] {
            for (int i = 0; i < appends_per_thread; ++i) {
                const std::string prefix = "t" + std::to_string(t) + "-a" + std::to_string(i) + "-";
                queue->append_async(records(records_per_append, 20, prefix), [&](AppendStatus status) {
                    if (status == AppendStatus::appended) ++appended;
                    ++answers;
                });
            }
        });
    }
    for (std::thread &appender : appenders) appender.join();
    REQUIRE(eventually([&] { return answers.load() == threads * appends_per_thread; }));
    CHECK(appended.load() == threads * appends_per_thread);

    const auto all = read_all(*queue, cursor);
    REQUIRE(all.size() == size_t(threads * appends_per_thread * records_per_append));
    std::vector<int> next_append(threads, 0);
    for (size_t at = 0; at < all.size(); at += records_per_append) {
        const std::string first(all[at].record->event_id());
        const int t = std::stoi(first.substr(1));
        const std::string prefix = "t" + std::to_string(t) + "-a" + std::to_string(next_append[t]++) + "-";
        for (int r = 0; r < records_per_append; ++r) {
            CHECK(all[at + r].offset == at + r);
            CHECK(all[at + r].record->event_id() == prefix + std::to_string(r));
        }
    }
    for (int t = 0; t < threads; ++t) CHECK(next_append[t] == appends_per_thread);
}

TEST_CASE("an async append made while another thread writes is staged and written by that thread")
{
    // Under never, the writing thread answers inline: holding its first answer holds it
    // inside the write, so the next appends can only be staged, and must not block.
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.fsync = FsyncPolicy{FsyncPolicy::Mode::never, {}};
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    std::atomic<bool> writer_answering{false};
    std::atomic<bool> release{false};
    std::thread writer([&] {
        queue->append_async(records(1, 10, "first-"), [&](AppendStatus) {
            writer_answering = true;
            while (!release.load()) std::this_thread::sleep_for(1ms);
        });
    });
    REQUIRE(eventually([&] { return writer_answering.load(); }));

    std::atomic<int> answers{0};
    for (int i = 0; i < 10; ++i) {
        queue->append_async(records(1, 10, "staged" + std::to_string(i) + "-"), [&](AppendStatus status) {
            if (status == AppendStatus::appended) ++answers;
        });
    }
    CHECK(answers.load() == 0);  // staged, not written: the writer is still busy
    release = true;
    writer.join();
    REQUIRE(eventually([&] { return answers.load() == 10; }));

    const auto all = read_all(*queue, cursor);
    REQUIRE(all.size() == 11);
    CHECK(all[0].record->event_id() == "first-0");
    for (int i = 0; i < 10; ++i) CHECK(all[size_t(i) + 1].record->event_id() == "staged" + std::to_string(i) + "-0");
}
