// The durability thread's group gathering: a busy daemon's syncs wait for more waiters,
// a quiet daemon's do not. The sync here is a stand-in the test holds and releases, so
// which waiters share a sync does not depend on the machine's speed.
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "disk_queue_test_support.hpp"
#include "queue/durability_notifier.hpp"
#include "queue/group_commit.hpp"

using namespace queue_test;
using namespace std::chrono_literals;

namespace {

// A sync that blocks while held, and counts the syncs that finished.
class HeldSync {
public:
    productgraph::common::Result<void> sync()
    {
        std::unique_lock lock(mutex_);
        ++started_;
        released_.wait(lock, [this] { return !held_; });
        ++finished_;
        return {};
    }
    void hold(bool held)
    {
        {
            std::lock_guard lock(mutex_);
            held_ = held;
        }
        released_.notify_all();
    }
    int started()
    {
        std::lock_guard lock(mutex_);
        return started_;
    }
    int finished()
    {
        std::lock_guard lock(mutex_);
        return finished_;
    }

private:
    std::mutex mutex_;
    std::condition_variable released_;
    bool held_ = false;
    int started_ = 0;
    int finished_ = 0;
};

struct NotifierRig {
    explicit NotifierRig(productgraph::queue::GroupGathering gathering)
        : group_commit([this] { return sync.sync(); }),
          notifier(
              group_commit, [](const productgraph::common::Error &) {}, [] {}, gathering)
    {}

    // One appender's records up to `position` are written and wait to be durable.
    void wait_for(uint64_t position)
    {
        group_commit.note_written(position);
        notifier.notify_when_durable(position, [this](AppendStatus status) {
            if (status == AppendStatus::appended) ++answered;
        });
    }

    // Three waiters answered by one sync: the daemon looks busy from then on.
    void make_busy()
    {
        sync.hold(true);
        wait_for(1);
        REQUIRE(eventually([&] { return sync.started() == 1; }));
        for (uint64_t position = 2; position <= 4; ++position) wait_for(position);
        sync.hold(false);
        REQUIRE(eventually([&] { return answered.load() == 4; }));
        REQUIRE(sync.finished() == 2);  // {1} alone, then {2, 3, 4} together
    }

    HeldSync sync;
    productgraph::queue::GroupCommit group_commit;
    std::atomic<int> answered{0};
    productgraph::queue::DurabilityNotifier notifier;
};

}  // namespace

TEST_CASE("a busy durability thread waits for a full group before it syncs")
{
    NotifierRig rig({3, 16, 10s});
    rig.make_busy();

    rig.wait_for(5);
    std::this_thread::sleep_for(100ms);
    CHECK(rig.answered.load() == 4);  // gathering, not synced alone
    CHECK(rig.sync.finished() == 2);

    for (uint64_t position = 6; position <= 20; ++position) rig.wait_for(position);
    REQUIRE(eventually([&] { return rig.answered.load() == 20; }));
    CHECK(rig.sync.finished() == 3);  // the 16 waiters shared one sync
}

TEST_CASE("a gathering durability thread syncs what it has after its longest wait")
{
    NotifierRig rig({3, 16, 200ms});
    rig.make_busy();

    const auto started = std::chrono::steady_clock::now();
    rig.wait_for(5);
    REQUIRE(eventually([&] { return rig.answered.load() == 5; }, 5s));
    const auto waited = std::chrono::steady_clock::now() - started;
    CHECK(waited >= 150ms);
    CHECK(waited < 5s);
    CHECK(rig.sync.finished() == 3);
}

TEST_CASE("a quiet durability thread syncs a lone waiter at once")
{
    NotifierRig rig({3, 16, 10s});
    for (uint64_t position = 1; position <= 5; ++position) {
        const auto started = std::chrono::steady_clock::now();
        rig.wait_for(position);
        REQUIRE(eventually([&] { return rig.answered.load() == int(position); }, 5s));
        CHECK(std::chrono::steady_clock::now() - started < 2s);  // gathering would take 10 s
    }
    CHECK(rig.sync.finished() == 5);
}
