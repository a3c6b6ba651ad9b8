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
/// live in memory, at most `memory_limit` of them (the oldest are dropped with a log
/// line). Replay is crash-safe: the file is renamed to `<plugin>.replay.jsonl` and
/// deleted only once every replayed event is resolved; a replay file found at
/// start-up is replayed again (at least once). Thread-safe.
class DeadLetterStore {
public:
    static common::Result<std::unique_ptr<DeadLetterStore>> open(const std::filesystem::path &directory,
                                                                 const std::string &plugin, size_t memory_limit);

    void add(std::vector<DeadLetter> letters);
    /// Newest first, at most `limit`.
    std::vector<DeadLetter> list(size_t limit) const;
    size_t count() const;

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
    DeadLetterStore(std::filesystem::path file, std::filesystem::path replay_file, size_t memory_limit);
    common::Result<void> load(const std::filesystem::path &file, std::vector<DeadLetter> &into);
    void append_to_file(const std::vector<DeadLetter> &letters);

    const std::filesystem::path file_;  // empty: memory only
    const std::filesystem::path replay_file_;
    const size_t memory_limit_;
    mutable std::mutex mutex_;
    std::vector<DeadLetter> letters_;         // oldest first
    std::vector<DeadLetter> replay_waiting_;  // not yet handed to the worker
    size_t replay_outstanding_ = 0;           // handed out, not yet resolved
    bool replaying_ = false;
};

/// One dead letter as a JSON object (also the file's line format).
std::string dead_letter_json(const DeadLetter &letter);

}  // namespace productgraph::dispatch
