// Per-plugin dead letters: events a plugin rejected or that outlived the retry
// budget, kept with the reason until an operator replays them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "event/event_record.hpp"

namespace productgraph::dispatch {

struct DeadLetter {
    event::EventRecordPtr record;
    std::string reason;
    int64_t dead_at_ms = 0;
    uint32_t attempts = 0;
};

/// With a directory, dead letters are JSON lines in `<dir>/<plugin>.jsonl`, appended
/// and fdatasync'ed, so they survive restarts. Without one (the in-memory queue) they
/// live in memory. Either way they hold at most `max_bytes` of JSON lines
/// (PRODUCTGRAPH_DEAD_LETTER_MAX_BYTES, replays in progress included): the oldest
/// are kept, and a dead letter that does not fit is dropped, counted and logged at
/// error level. Replay is crash-safe: the file is renamed to `<plugin>.replay.jsonl`
/// and deleted only once every replayed event is resolved; a replay file found at
/// start-up is replayed again (at least once). Thread-safe.
class DeadLetterStore {
public:
    static common::Result<std::unique_ptr<DeadLetterStore>> open(const std::filesystem::path &directory,
                                                                 const std::string &plugin, uint64_t max_bytes);

    /// Stores `letters` in order until the byte limit; returns how many were dropped.
    size_t add(std::vector<DeadLetter> letters);
    /// Newest first, at most `limit`.
    std::vector<DeadLetter> list(size_t limit) const;
    size_t count() const;
    /// Bytes held, as JSON lines, replays in progress included.
    uint64_t stored_bytes() const;

    /// Moves every stored dead letter into the replay set. Returns how many, or an
    /// error when a replay is still running.
    common::Result<size_t> start_replay();
    /// Up to `max` replayed events not yet handed out, for the worker.
    std::vector<DeadLetter> next_replay_chunk(size_t max);
    /// `count` handed-out events are resolved (delivered, rejected or dead again);
    /// the replay file goes when the last one is.
    void replay_resolved(size_t count);
    bool replay_in_progress() const;

private:
    DeadLetterStore(std::string plugin, std::filesystem::path file, std::filesystem::path replay_file,
                    uint64_t max_bytes);
    // Appends the file's letters to `into`; returns the bytes read.
    common::Result<uint64_t> load(const std::filesystem::path &file, std::vector<DeadLetter> &into);
    void append_to_file(const std::string &text);

    const std::string plugin_;
    const std::filesystem::path file_;  // empty: memory only
    const std::filesystem::path replay_file_;
    const uint64_t max_bytes_;
    mutable std::mutex mutex_;
    std::vector<DeadLetter> letters_;         // oldest first
    uint64_t letters_bytes_ = 0;              // their JSON lines
    std::vector<DeadLetter> replay_waiting_;  // not yet handed to the worker
    size_t replay_outstanding_ = 0;           // handed out, not yet resolved
    uint64_t replay_bytes_ = 0;               // held until the whole replay is resolved
    bool replaying_ = false;
};

/// One dead letter as a JSON object (also the file's line format).
std::string dead_letter_json(const DeadLetter &letter);

}  // namespace productgraph::dispatch
