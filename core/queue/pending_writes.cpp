// Staging frames in aligned chunks and writing each chunk in one call, whole blocks at a time.
#include "queue/pending_writes.hpp"

#include <algorithm>
#include <cstring>
#include <new>

#include <sys/mman.h>

namespace productgraph::queue {
namespace {

// Big enough for the requests of one group commit at saturation (about 20 of 24 KB),
// so a write_out usually makes one write call per file; one huge page (map_chunk).
constexpr size_t default_chunk_bytes = 2 << 20;
// Written-out chunks kept for reuse: allocating fresh megabytes per group commit would
// cost page faults on every one of its pages.
constexpr size_t spare_chunks_kept = 2;

// Chunk memory is mapped, not malloc'ed: megabyte blocks freed by another thread than
// the one that allocated them fragmented malloc's arenas, and resident memory crept up
// under sustained load (bench/README.md, session 5). A mapping goes back to the system
// whole, and is page-aligned as O_DIRECT needs.
struct Unmap {
    size_t bytes = 0;
    void operator()(char *memory) const { ::munmap(memory, bytes); }
};

using ChunkMemory = std::unique_ptr<char, Unmap>;

constexpr size_t huge_page_bytes = 2 << 20;

// Whole huge pages, aligned, and asked to be backed by transparent huge pages: each
// O_DIRECT write pins the chunk's pages for the disk, and pinning one 2 MiB page instead
// of 512 small ones took the durability thread from 7.1-7.7 to 5.3-6.3 us per request
// (bench/README.md, session 5). Where THP is off, small pages work as before. Chunks
// are kept and reused, so the allocation (which may compact memory) is rare.
ChunkMemory map_chunk(size_t bytes)
{
    bytes = (bytes + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
    void *mapped = ::mmap(nullptr, bytes + huge_page_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<uintptr_t>(mapped);
    const uintptr_t aligned = (start + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
    if (aligned > start) ::munmap(mapped, aligned - start);
    ::munmap(reinterpret_cast<void *>(aligned + bytes), start + huge_page_bytes - aligned);
    ::madvise(reinterpret_cast<void *>(aligned), bytes, MADV_HUGEPAGE);
    return ChunkMemory(reinterpret_cast<char *>(aligned), Unmap{bytes});
}

}  // namespace

struct PendingWrites::Chunk {
    SegmentFilePtr file;
    uint64_t position = 0;  // in the file, of the first frame byte reserved here
    size_t head = 0;        // bytes of the block before `position` (filled in by write_chunk)
    size_t used = 0;        // frame bytes reserved after the head
    size_t capacity = 0;
    uint64_t end_offset = 0;
    int building = 0;  // reservations not committed yet
    ChunkMemory memory;

    char *frames() { return memory.get() + head; }
    bool fits(size_t bytes) const { return round_up_to_block(head + used + bytes) <= capacity; }
};

struct PendingWrites::Block {
    std::weak_ptr<const SegmentFile> file;  // weak: a consumed segment must not stay open for it
    uint64_t position = 0;                  // where the block starts in the file
    size_t size = 0;                        // bytes of frames at its start
    char bytes[direct_write_alignment];
};

PendingWrites::PendingWrites() : last_block_(std::make_unique<Block>()) {}

PendingWrites::~PendingWrites() = default;

std::unique_ptr<PendingWrites::Chunk> PendingWrites::new_chunk(const SegmentFilePtr &file, uint64_t position,
                                                               size_t frame_bytes)
{
    const size_t head = position % direct_write_alignment;
    std::unique_ptr<Chunk> chunk;
    if (round_up_to_block(head + frame_bytes) <= default_chunk_bytes && !spare_chunks_.empty()) {
        chunk = std::move(spare_chunks_.back());
        spare_chunks_.pop_back();
    } else {
        chunk = std::make_unique<Chunk>();
        chunk->capacity = std::max(default_chunk_bytes, round_up_to_block(head + frame_bytes));
        chunk->memory = map_chunk(chunk->capacity);
    }
    chunk->file = file;
    chunk->position = position;
    chunk->head = head;
    chunk->used = 0;
    return chunk;
}

PendingWrites::Reservation PendingWrites::reserve(const SegmentFilePtr &file, uint64_t position, size_t bytes,
                                                  uint64_t end_offset)
{
    std::lock_guard lock(mutex_);
    const bool follows =
        filling_ != nullptr && filling_->file == file && filling_->position + filling_->used == position;
    if (!follows || !filling_->fits(bytes)) {
        if (filling_ != nullptr) full_.push_back(std::move(filling_));
        filling_ = new_chunk(file, position, bytes);
    }
    Reservation reservation;
    reservation.frames_ = filling_->frames() + filling_->used;
    reservation.chunk_ = filling_.get();
    filling_->used += bytes;
    filling_->end_offset = end_offset;
    ++filling_->building;
    return reservation;
}

void PendingWrites::commit(const Reservation &reservation)
{
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        wake = --reservation.chunk_->building == 0 && awaiting_commits_;
    }
    if (wake) committed_.notify_all();
}

common::Result<WrittenOut> PendingWrites::write_out()
{
    std::vector<std::unique_ptr<Chunk>> chunks;
    {
        std::unique_lock lock(mutex_);
        chunks.swap(full_);
        if (filling_ != nullptr) chunks.push_back(std::move(filling_));
        // An appender builds its frames just after reserving room for them, a few
        // microseconds; the chunk is written once the last of them is built.
        awaiting_commits_ = true;
        committed_.wait(lock, [&] {
            for (const std::unique_ptr<Chunk> &chunk : chunks) {
                if (chunk->building > 0) return false;
            }
            return true;
        });
        awaiting_commits_ = false;
    }
    WrittenOut out;
    for (const std::unique_ptr<Chunk> &chunk : chunks) {
        if (auto written = write_chunk(*chunk); !written) return tl::unexpected(written.error());
        out.end_offset = chunk->end_offset;
        if (out.files.empty() || out.files.back().file != chunk->file) out.files.push_back(WrittenEnd{chunk->file, 0});
        out.files.back().end = chunk->position + chunk->used;
    }
    for (const WrittenEnd &written : out.files) {
        if (auto synced = written.file->sync(); !synced) return tl::unexpected(synced.error());
    }
    std::lock_guard lock(mutex_);
    for (std::unique_ptr<Chunk> &chunk : chunks) {
        if (chunk->capacity != default_chunk_bytes || spare_chunks_.size() >= spare_chunks_kept) continue;
        chunk->file.reset();
        spare_chunks_.push_back(std::move(chunk));
    }
    return out;
}

common::Result<void> PendingWrites::write_chunk(Chunk &chunk)
{
    if (!chunk.file->writes_direct()) return chunk.file->write_at(chunk.position, {chunk.frames(), chunk.used});
    const uint64_t start = chunk.position - chunk.head;
    char *memory = chunk.memory.get();
    if (chunk.head > 0) {
        // The block's first bytes are frames written before: usually by the previous
        // chunk, whose last block is kept; otherwise (the first write after start-up)
        // they are read back from the file.
        const Block &last = *last_block_;
        if (last.file.lock() == chunk.file && last.position == start && last.size == chunk.head) {
            std::memcpy(memory, last.bytes, chunk.head);
        } else {
            auto read = chunk.file->read_at(memory, chunk.head, start);
            if (!read) return tl::unexpected(read.error());
            if (*read != chunk.head) {
                return common::fail("queue segment " + chunk.file->path().string() +
                                    " is shorter than the records it holds");
            }
        }
    }
    const size_t end = chunk.head + chunk.used;
    const size_t padded = round_up_to_block(end);
    std::memset(memory + end, 0, padded - end);
    if (auto written = chunk.file->write_direct_at(start, memory, padded); !written) return written;
    const size_t last_start = end - end % direct_write_alignment;
    Block &last = *last_block_;
    last.file = chunk.file;
    last.position = start + last_start;
    last.size = end - last_start;
    std::memcpy(last.bytes, memory + last_start, last.size);
    return {};
}

}  // namespace productgraph::queue
