// Shared helpers for the disk queue tests: a temporary directory per test, records, file surgery.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "queue/byte_order.hpp"
#include "queue/disk_queue.hpp"
#include "queue/encoded_frames.hpp"

namespace queue_test {

using namespace productgraph::queue;

/// A fresh directory under $TMPDIR, removed with everything in it at the end of the test.
class TempDir {
public:
    TempDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "pg-disk-queue-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    const std::filesystem::path &path() const { return path_; }

private:
    std::filesystem::path path_;
};

inline DiskQueueOptions options_in(const std::filesystem::path &dir)
{
    DiskQueueOptions options;
    options.directory = dir / "queue";
    // Every read goes to the segment files, which is what most tests are about; the
    // in-memory window of recent records has its own tests (disk_queue_recent_test.cpp).
    options.recent_records_bytes = 0;
    return options;
}

// For tests that edit or measure the segment files byte by byte: frames are written
// through the page cache, so a file ends at its last frame (O_DIRECT writes pad the
// last block with zeros; disk_queue_direct_test.cpp covers those).
inline DiskQueueOptions exact_layout_options(const std::filesystem::path &dir)
{
    DiskQueueOptions options = options_in(dir);
    options.direct_writes = false;
    return options;
}

// About one 100-byte record per segment: every append after the first starts a segment.
inline DiskQueueOptions small_segments(const TempDir &dir)
{
    DiskQueueOptions options = exact_layout_options(dir.path());
    options.segment_bytes = 300;
    return options;
}

inline std::unique_ptr<DiskQueue> open_queue(const DiskQueueOptions &options)
{
    auto queue = DiskQueue::open(options);
    if (!queue) throw std::runtime_error("DiskQueue::open failed: " + queue.error().message);
    return std::move(*queue);
}

/// `n` records with event ids "<prefix><i>" and `json_size` bytes of JSON.
inline std::vector<RecordPtr> records(int n, size_t json_size = 10, const std::string &prefix = "e")
{
    std::vector<RecordPtr> out;
    const std::string json = "{\"p\":\"" + std::string(json_size > 8 ? json_size - 8 : 0, 'x') + "\"}";
    for (int i = 0; i < n; ++i) {
        const std::string id = prefix + std::to_string(i);
        productgraph::event::EventFields fields;
        fields.json = json;
        fields.event_id = id;
        fields.type = "track";
        fields.timestamp_ms = 1'700'000'000'000 + i;
        out.push_back(std::make_shared<const productgraph::event::EventRecord>(fields));
    }
    return out;
}

// The batch frame(s) the queue writes for one append of `batch`, first offset `first_offset`.
inline std::string batch_frames(uint64_t first_offset, const std::vector<RecordPtr> &batch)
{
    EncodedFrames frames(batch);
    frames.stamp(first_offset);
    return std::string(frames.bytes());
}

// How often the frame magic `magic` occurs in a segment file's `bytes`: its frames of that format.
inline size_t count_magic(const std::string &bytes, uint32_t magic)
{
    char needle[4];
    productgraph::queue::store_u32(needle, magic);
    size_t count = 0;
    for (size_t at = bytes.find(needle, 0, 4); at != std::string::npos; at = bytes.find(needle, at + 1, 4)) ++count;
    return count;
}

/// Every record the cursor can read from `from` on, in as many reads as it takes.
inline std::vector<QueuedRecord> read_all(EventQueue &queue, CursorId cursor, uint64_t from = 0)
{
    std::vector<QueuedRecord> all;
    while (true) {
        auto batch = queue.read(cursor, from, {1000, 0}, std::chrono::milliseconds(0));
        if (batch.empty()) return all;
        from = batch.back().offset + 1;
        all.insert(all.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
    }
}

inline std::vector<uint64_t> offsets_of(const std::vector<QueuedRecord> &batch)
{
    std::vector<uint64_t> offsets;
    for (const QueuedRecord &queued : batch) offsets.push_back(queued.offset);
    return offsets;
}

/// The segment files in the queue directory, in offset order.
inline std::vector<std::filesystem::path> segment_files(const std::filesystem::path &queue_dir)
{
    std::vector<std::filesystem::path> files;
    for (const auto &entry : std::filesystem::directory_iterator(queue_dir)) {
        if (entry.path().extension() == ".seg") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

inline std::string read_file(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path &path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// Polls `done` until it holds or `limit` passes; true when it held.
inline bool eventually(const std::function<bool()> &done, std::chrono::milliseconds limit = std::chrono::seconds(10))
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling, not synchronisation
    }
    return true;
}

}  // namespace queue_test
