// O_DIRECT group commits: frames built in pending chunks, written whole blocks at a time.
#include <doctest/doctest.h>

#include <cstring>
#include <future>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "disk_queue_test_support.hpp"
#include "queue/pending_writes.hpp"

using namespace queue_test;
using namespace std::chrono_literals;

namespace {

// Everything written to stderr (where log lines go) while it lives.
class StderrCapture {
public:
    explicit StderrCapture(const std::filesystem::path &file)
        : file_(file), saved_(::dup(STDERR_FILENO)), fd_(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644))
    {
        REQUIRE(saved_ >= 0);
        REQUIRE(fd_ >= 0);
        ::dup2(fd_, STDERR_FILENO);
    }
    ~StderrCapture() { restore(); }
    StderrCapture(const StderrCapture &) = delete;
    StderrCapture &operator=(const StderrCapture &) = delete;

    std::string text()
    {
        restore();
        return read_file(file_);
    }

private:
    void restore()
    {
        if (saved_ < 0) return;
        ::dup2(saved_, STDERR_FILENO);
        ::close(saved_);
        ::close(fd_);
        saved_ = -1;
    }
    std::filesystem::path file_;
    int saved_;
    int fd_;
};

SegmentFilePtr new_segment(const std::filesystem::path &path)
{
    auto file = SegmentFile::open(path, true, true);
    REQUIRE(file.has_value());
    return *file;
}

// Reserves room for `bytes`, fills it and commits it.
void add_frames(PendingWrites &pending, const SegmentFilePtr &file, uint64_t position, const std::string &bytes,
                uint64_t end_offset)
{
    const PendingWrites::Reservation reservation = pending.reserve(file, position, bytes.size(), end_offset);
    std::memcpy(reservation.frames(), bytes.data(), bytes.size());
    pending.commit(reservation);
}

std::string pattern(size_t size, char seed)
{
    std::string bytes(size, '\0');
    for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(seed + static_cast<char>(i % 61));
    return bytes;
}

std::vector<std::string> ids_of(const std::vector<QueuedRecord> &all)
{
    std::vector<std::string> ids;
    for (const QueuedRecord &queued : all) ids.emplace_back(queued.record->event_id());
    return ids;
}

}  // namespace

TEST_CASE("pending frames reach their file only when written out and then byte for byte")
{
    TempDir dir;
    const auto path = dir.path() / "0.seg";
    const SegmentFilePtr file = new_segment(path);
    if (!file->writes_direct()) MESSAGE("this filesystem refuses O_DIRECT: the page-cache path is tested instead");
    PendingWrites pending;
    const std::string first = pattern(5000, 'a');
    const std::string second = pattern(3000, 'A');
    add_frames(pending, file, 0, first, 7);
    add_frames(pending, file, first.size(), second, 9);
    CHECK(std::filesystem::file_size(path) == 0);

    const auto out = pending.write_out();
    REQUIRE(out.has_value());
    CHECK(out->end_offset == 9);
    REQUIRE(out->files.size() == 1);
    CHECK(out->files[0].file == file);
    CHECK(out->files[0].end == 8000);
    const std::string bytes = read_file(path);
    CHECK(bytes.substr(0, 8000) == first + second);
    if (file->writes_direct()) {
        CHECK(bytes.size() == 8192);  // whole blocks: the last one padded with zeros
        CHECK(bytes.substr(8000) == std::string(192, '\0'));
    }

    const auto nothing = pending.write_out();
    REQUIRE(nothing.has_value());
    CHECK(nothing->end_offset == 0);
    CHECK(nothing->files.empty());
}

TEST_CASE("a write out that starts inside a block keeps the frames already in that block")
{
    TempDir dir;
    const auto path = dir.path() / "0.seg";
    const SegmentFilePtr file = new_segment(path);
    const std::string first = pattern(4196, 'a');  // ends 100 bytes into the second block
    const std::string second = pattern(50, 'A');
    const std::string third = pattern(9000, 'k');
    {
        PendingWrites pending;
        add_frames(pending, file, 0, first, 1);
        REQUIRE(pending.write_out().has_value());
        add_frames(pending, file, first.size(), second, 2);  // the head comes from the block it kept
        REQUIRE(pending.write_out().has_value());
        CHECK(read_file(path).substr(0, first.size() + second.size()) == first + second);
    }
    // A new PendingWrites, as after a restart, reads the head back from the file.
    PendingWrites restarted;
    add_frames(restarted, file, first.size() + second.size(), third, 3);
    const auto out = restarted.write_out();
    REQUIRE(out.has_value());
    CHECK(out->files[0].end == first.size() + second.size() + third.size());
    CHECK(read_file(path).substr(0, out->files[0].end) == first + second + third);
}

TEST_CASE("frames larger than a chunk and frames for two files are written in order and each file synced")
{
    TempDir dir;
    const SegmentFilePtr old_segment = new_segment(dir.path() / "0.seg");
    const SegmentFilePtr new_segment_file = new_segment(dir.path() / "1.seg");
    PendingWrites pending;
    const std::string large = pattern(5 << 20, 'x');  // more than twice the default chunk
    const std::string small = pattern(700, 'y');
    add_frames(pending, old_segment, 0, small, 1);
    add_frames(pending, old_segment, small.size(), large, 2);
    add_frames(pending, new_segment_file, 0, small, 3);
    const auto out = pending.write_out();
    REQUIRE(out.has_value());
    CHECK(out->end_offset == 3);
    REQUIRE(out->files.size() == 2);
    CHECK(out->files[0].file == old_segment);
    CHECK(out->files[0].end == small.size() + large.size());
    CHECK(out->files[1].file == new_segment_file);
    CHECK(out->files[1].end == small.size());
    CHECK(read_file(old_segment->path()).substr(0, small.size() + large.size()) == small + large);
    CHECK(read_file(new_segment_file->path()).substr(0, small.size()) == small);
}

TEST_CASE("write out waits for frames that are still being built")
{
    TempDir dir;
    const auto path = dir.path() / "0.seg";
    const SegmentFilePtr file = new_segment(path);
    PendingWrites pending;
    const std::string frames = pattern(2000, 'q');
    const PendingWrites::Reservation reservation = pending.reserve(file, 0, frames.size(), 1);
    auto writing = std::async(std::launch::async, [&] { return pending.write_out(); });
    CHECK(writing.wait_for(100ms) == std::future_status::timeout);
    std::memcpy(reservation.frames(), frames.data(), frames.size());
    pending.commit(reservation);
    const auto out = writing.get();
    REQUIRE(out.has_value());
    CHECK(out->end_offset == 1);
    CHECK(read_file(path).substr(0, frames.size()) == frames);
}

TEST_CASE("with O_DIRECT writes every record survives restarts and roll-overs and a reused segment")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.segment_bytes = 64 << 10;
    options.max_bytes = 2 << 20;
    std::vector<std::string> expected;
    {
        auto queue = open_queue(options);
        const CursorId cursor = queue->open_cursor("a");
        // Synchronous appends (one write out each) and concurrent asynchronous ones (several
        // per write out), of sizes that end anywhere in a block.
        for (int i = 0; i < 20; ++i) {
            const std::string prefix = "s" + std::to_string(i) + "-";
            REQUIRE(queue->append(records(1 + i % 4, 100 + 377 * i, prefix)) == AppendStatus::appended);
            for (int j = 0; j < 1 + i % 4; ++j) expected.push_back(prefix + std::to_string(j));
        }
        std::atomic<int> answered{0};
        std::atomic<int> failed{0};
        const auto appender = [&](const std::string &name) {
            for (int i = 0; i < 40; ++i) {
                queue->append_async(records(3, 50 + 211 * i, name + std::to_string(i) + "-"), [&](AppendStatus status) {
                    if (status != AppendStatus::appended) ++failed;
                    ++answered;
                });
            }
        };
        std::thread left(appender, "l");
        std::thread right(appender, "r");
        left.join();
        right.join();
        REQUIRE(eventually([&] { return answered.load() == 80; }));
        CHECK(failed.load() == 0);
        const auto all = read_all(*queue, cursor);
        REQUIRE(all.size() == expected.size() + 240);
        CHECK(segment_files(options.directory).size() > 3);  // rolled over several times
        // The asynchronous appends interleave; the synchronous ones came first, in order.
        const auto ids = ids_of(all);
        CHECK(std::vector<std::string>(ids.begin(), ids.begin() + static_cast<long>(expected.size())) == expected);
        expected = ids;
    }
    StderrCapture log(dir.path() / "stderr.log");
    {
        auto queue = open_queue(options);
        const CursorId cursor = queue->open_cursor("a");
        const auto all = read_all(*queue, cursor);
        CHECK(ids_of(all) == expected);
        CHECK(offsets_of(all).back() == expected.size() - 1);
        // Consume everything: the oldest segment becomes the spare, and the appends below
        // roll into it.
        queue->acknowledge(cursor, expected.size());
        queue->persist_cursors();
        CHECK(std::filesystem::exists(options.directory / "spare.segment"));
        for (int i = 0; i < 30; ++i) {
            const std::string prefix = "after" + std::to_string(i) + "-";
            REQUIRE(queue->append(records(2, 1500, prefix)) == AppendStatus::appended);
            expected.push_back(prefix + "0");
            expected.push_back(prefix + "1");
        }
        CHECK_FALSE(std::filesystem::exists(options.directory / "spare.segment"));  // taken by a roll-over
    }
    auto queue = open_queue(options);
    const auto after = read_all(*queue, queue->open_cursor("a"));
    REQUIRE(after.size() == 60);
    CHECK(ids_of(after) == std::vector<std::string>(expected.end() - 60, expected.end()));
    // The zeros after the last frame of each segment are padding, not damage.
    const std::string logged = log.text();
    INFO(logged);
    CHECK(logged.find("corrupted") == std::string::npos);
    CHECK(logged.find("truncated") == std::string::npos);
    CHECK(logged.find("not a record") == std::string::npos);
}

TEST_CASE("a clean close trims the zero padding and after a crash recovery drops it quietly")
{
    TempDir dir;
    const DiskQueueOptions options = options_in(dir.path());
    std::filesystem::path segment;
    std::string at_crash;
    uint64_t frames = 0;
    {
        auto queue = open_queue(options);
        queue->open_cursor("a");
        REQUIRE(queue->append(records(3, 300)) == AppendStatus::appended);
        frames = queue->stats().depth_bytes;
        segment = segment_files(options.directory).back();
        at_crash = read_file(segment);  // what a power loss now would leave
    }
    CHECK(std::filesystem::file_size(segment) == frames);
    if (at_crash.size() == frames) {
        MESSAGE("this filesystem refuses O_DIRECT: nothing was padded");
    } else {
        CHECK(at_crash.size() % direct_write_alignment == 0);
        CHECK(at_crash.substr(frames) == std::string(at_crash.size() - frames, '\0'));
    }

    write_file(segment, at_crash);
    StderrCapture log(dir.path() / "stderr.log");
    {
        auto queue = open_queue(options);
        CHECK(std::filesystem::file_size(segment) == frames);
        REQUIRE(queue->append(records(1, 300, "next")) == AppendStatus::appended);
    }
    auto queue = open_queue(options);
    const auto all = read_all(*queue, queue->open_cursor("a"));
    CHECK(offsets_of(all) == std::vector<uint64_t>{0, 1, 2, 3});
    CHECK(all.back().record->event_id() == "next0");
    const std::string logged = log.text();
    INFO(logged);
    CHECK(logged.find("truncated") == std::string::npos);
}

TEST_CASE("a full disk refuses appends and once there is room again they are accepted without a restart")
{
    TempDir dir;
    const auto mount_point = dir.path() / "small-disk";
    std::filesystem::create_directories(mount_point);
    if (::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=1m") != 0) {
        MESSAGE("cannot mount a 1 MiB tmpfs here (needs root): skipped");
        return;
    }
    struct Unmount {
        std::filesystem::path path;
        ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
    } unmount{mount_point};

    DiskQueueOptions options = options_in(mount_point);
    options.segment_bytes = 256 << 10;
    options.max_bytes = 64 << 20;  // the disk fills first
    StderrCapture log(dir.path() / "stderr.log");
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    int appended = 0;
    AppendStatus status = AppendStatus::appended;
    for (; appended < 200; ++appended) {
        status = queue->append(records(1, 20'000, "r" + std::to_string(appended) + "-"));
        if (status != AppendStatus::appended) break;
    }
    CHECK(status == AppendStatus::full);
    CHECK(appended > 10);
    CHECK(queue->stats().refusing);
    // Everything accepted before is still there.
    const auto all = read_all(*queue, cursor);
    CHECK(all.size() == static_cast<size_t>(appended));

    // Delivering frees the older segments; the next append gets their space.
    queue->acknowledge(cursor, all.size());
    queue->persist_cursors();
    CHECK(queue->append(records(1, 20'000, "after-")) == AppendStatus::appended);
    CHECK_FALSE(queue->stats().refusing);
    const auto after = read_all(*queue, cursor, all.size());
    REQUIRE(after.size() == 1);
    CHECK(after[0].record->event_id() == "after-0");
    queue.reset();
    const std::string logged = log.text();
    INFO(logged);
    CHECK(logged.find("appends are refused until writes succeed again") != std::string::npos);
    CHECK(logged.find("queue writes succeed again") != std::string::npos);
    CHECK(logged.find("until restart") == std::string::npos);
}

TEST_CASE("under fsync always readers get records only once the group commit has written and synced them")
{
    TempDir dir;
    DiskQueueOptions options = options_in(dir.path());
    options.recent_records_bytes = 1 << 20;  // a reader could take them from memory at once
    // Every batch counts as busy, so the first sync waits for the gathering to end:
    // 1.5 s after the queue opened.
    options.gathering = GroupGathering{0, 1000, std::chrono::milliseconds(1500)};
    auto queue = open_queue(options);
    const CursorId cursor = queue->open_cursor("a");
    std::atomic<int> answered{0};
    queue->append_async(records(2, 100, "slow-"), [&](AppendStatus status) {
        CHECK(status == AppendStatus::appended);
        ++answered;
    });
    CHECK(queue->read(cursor, 0, {10, 0}, 0ms).empty());
    CHECK(queue->sync_count() == 0);
    const auto batch = queue->read(cursor, 0, {10, 0}, 10s);
    CHECK(queue->sync_count() >= 1);
    REQUIRE(batch.size() == 2);
    CHECK(batch[0].record->event_id() == "slow-0");
    CHECK(eventually([&] { return answered.load() == 1; }));
}
