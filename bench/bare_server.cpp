// Bench baseline: a bare Pistache server that answers every request 202 without reading the body.
//
// It has the daemon's HTTP edge settings (2 workers, 11 MB request limit) and nothing else, so
// daemon/bare in the same run shows what parsing, validation and queueing cost on top of Pistache.
#include <pistache/endpoint.h>
#include <pistache/http.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace {

class AcceptAllHandler : public Pistache::Http::Handler {
public:
    HTTP_PROTOTYPE(AcceptAllHandler)

    // The body is left untouched on purpose: this server measures Pistache's own cost
    // (accept, buffering, header parsing, reply), which the daemon cannot go below.
    void onRequest(const Pistache::Http::Request & /*request*/, Pistache::Http::ResponseWriter response) override
    {
        response.send(Pistache::Http::Code::Accepted, R"({"accepted":0})", MIME(Application, Json));
    }
};

}  // namespace

int main(int argc, char **argv)
{
    try {
        const unsigned long requested = argc > 1 ? std::stoul(argv[1]) : 0UL;
        if (requested > 65535UL) {
            std::fprintf(stderr, "port out of range: %lu\n", requested);
            return 2;
        }

        // Signals must be blocked before Pistache starts its threads, so that only
        // sigwait below receives them (toolchain.md §3.10).
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);

        Pistache::Http::Endpoint endpoint(
            Pistache::Address(Pistache::Ipv4::any(), Pistache::Port(static_cast<uint16_t>(requested))));
        // The default limit is 4096 bytes for headers plus body, which 413s a 17 KB batch;
        // 11 MB leaves room for the daemon's 10 MB body limit plus headers.
        endpoint.init(Pistache::Http::Endpoint::options()
                          .threads(2)
                          .flags(Pistache::Tcp::Options::ReuseAddr)
                          .maxRequestSize(11UL * 1024UL * 1024UL));
        endpoint.setHandler(Pistache::Http::make_handler<AcceptAllHandler>());
        endpoint.serveThreaded();

        // The bench script reads this line to learn the port when it asked for port 0.
        std::printf("{\"port\":%u}\n", static_cast<unsigned>(static_cast<uint16_t>(endpoint.getPort())));
        std::fflush(stdout);

        int received = 0;
        sigwait(&signals, &received);
        endpoint.shutdown();
        return 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bare_server: %s\n", e.what());
        return 1;
    }
}
