// The traffic actor: the outside world of the demo. Requests at --rate with bursts,
// sessions coming and going, malformed records at --crash-rate, and restart storms.
#include <algorithm>
#include <cmath>
#include <random>

#include "actorscope/caf/supervisor.hpp"
#include "messages.hpp"
#include "service.hpp"

namespace demo {

namespace {
constexpr auto kTick = std::chrono::milliseconds(50);
constexpr double kTickSeconds = 0.05;
constexpr double kBurstPeriod = 7;   // every 7 s ...
constexpr double kBurstLength = 1;   // ... one second at ...
constexpr double kBurstFactor = 6;   // ... six times the rate
constexpr uint32_t kStormCrashes = 4;  // one more than the parser pool's intensity
}  // namespace

caf::behavior traffic(caf::event_based_actor* self, options opt) {
  struct state {
    std::mt19937_64 rng;
    std::vector<caf::actor> sessions;
    uint32_t starting = 0;
    uint64_t next_request = 0;
    double elapsed = 0;
    double carry = 0;
    double next_storm = 0;
    bool quiet = false;
    bool ticking = true;  // a tick is on its way (a pause ends the loop at the next one)
  };
  publish(self, "traffic");
  auto st = std::make_shared<state>();
  st->rng.seed(opt.seed);
  st->next_storm = opt.storm_every;
  self->set_down_handler([st](caf::down_msg& m) {
    auto& v = st->sessions;
    v.erase(std::remove_if(v.begin(), v.end(), [&](const caf::actor& a) { return a.address() == m.source; }), v.end());
  });
  self->send(self, tick_atom::value);
  return {
      [self, st, opt](tick_atom) {
        if (st->quiet) {
          st->ticking = false;
          return;
        }
        self->delayed_send(self, kTick, tick_atom::value);
        st->elapsed += kTickSeconds;
        auto uniform = [&] { return std::uniform_real_distribution<double>(0, 1)(st->rng); };
        // Keep --sessions sessions alive; each lives 0.5 to 4 s.
        if (auto sup = lookup(self->system(), "sessions")) {
          while (st->sessions.size() + st->starting < opt.sessions) {
            ++st->starting;
            auto lifetime = static_cast<uint32_t>(500 + uniform() * 3500);
            self->request(sup, std::chrono::seconds(5), actorscope::caf::start_child_atom::value, caf::make_message(lifetime))
                .then(
                    [self, st](caf::actor& a) {
                      --st->starting;
                      if (st->quiet) {  // started after the pause began: ended at once
                        if (auto owner = lookup(self->system(), "sessions"))
                          self->request(owner, std::chrono::seconds(5), actorscope::caf::terminate_child_atom::value, a)
                              .then([](bool) {}, [](caf::error&) {});
                        return;
                      }
                      self->monitor(a);
                      st->sessions.push_back(std::move(a));
                    },
                    [st](caf::error&) { --st->starting; });
          }
        }
        if (st->sessions.empty()) return;
        bool burst = std::fmod(st->elapsed, kBurstPeriod) < kBurstLength;
        double expected = opt.rate * kTickSeconds * (burst ? kBurstFactor : 1) + st->carry;
        auto n = static_cast<uint64_t>(expected);
        st->carry = expected - static_cast<double>(n);
        bool malformed_due = uniform() < opt.crash_rate * kTickSeconds;
        for (uint64_t i = 0; i < n; ++i) {
          auto& s = st->sessions[st->rng() % st->sessions.size()];
          bool malformed = malformed_due && i == 0;
          self->send(s, request_atom::value, ++st->next_request, malformed);
        }
        // Now and then a session's connection breaks (a crash, restarted: transient).
        if (uniform() < opt.crash_rate * kTickSeconds * 0.2)
          self->send(st->sessions[st->rng() % st->sessions.size()], crash_atom::value);
        if (opt.storm_every > 0 && st->elapsed >= st->next_storm) {
          st->next_storm += opt.storm_every;
          self->send(self, storm_atom::value, kStormCrashes);
        }
      },
      [self, st, opt](storm_atom, uint32_t left) {
        if (st->quiet || left == 0) return;
        std::string name = "parser" + std::to_string(st->rng() % opt.parsers + 1);
        if (auto p = lookup(self->system(), name.c_str())) self->send(p, crash_atom::value);
        self->delayed_send(self, std::chrono::milliseconds(40), storm_atom::value, left - 1);
      },
      [self, st](quiesce_atom) {
        st->quiet = true;
        if (auto sup = lookup(self->system(), "sessions"))
          // A request, not a send: the supervisor answers (a bool), and an answer to a plain
          // send would come back as an unexpected message, bounced back to the supervisor,
          // which then crashes with unexpected_message.
          for (auto& s : st->sessions)
            self->request(sup, std::chrono::seconds(5), actorscope::caf::terminate_child_atom::value, s)
                .then([](bool) {}, [](caf::error&) {});
        st->sessions.clear();
        return true;
      },
      [self, st](resume_atom) {
        st->quiet = false;
        if (!st->ticking) {
          st->ticking = true;
          self->send(self, tick_atom::value);
        }
        return true;
      },
  };
}

}  // namespace demo
