// Known traffic: fixed-rate sends between named actors, with the sender given to the agent.
#include "known_traffic.hpp"

#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include "actorscope/agent.h"

namespace loadgen {

bool parse_traffic_edge(const std::string& spec, TrafficEdge& out) {
  const size_t arrow = spec.find('>');
  const size_t colon = spec.rfind(':');
  if (arrow == std::string::npos || colon == std::string::npos || colon < arrow) return false;
  TrafficEdge e;
  e.from = spec.substr(0, arrow);
  e.to = spec.substr(arrow + 1, colon - arrow - 1);
  const std::string rate = spec.substr(colon + 1);
  if (e.from.empty() || e.to.empty() || rate.empty() || e.from == e.to) return false;
  char* end = nullptr;
  e.rate = std::strtod(rate.c_str(), &end);
  if (*end || !(e.rate > 0) || e.rate > 1e7) return false;
  out = e;
  return true;
}

void run_known_traffic(std::vector<TrafficEdge>& edges, double seconds, bool (*stop)()) {
  using Clock = std::chrono::steady_clock;
  // One actor per name: a root of its own type, as a runtime's named service would be.
  std::map<std::string, actorscope_actor*> actors;
  uint64_t next_id = 1ull << 40;  // apart from the supervision tree's ids
  auto actor = [&](const std::string& name) {
    auto [it, fresh] = actors.try_emplace(name, nullptr);
    if (fresh) {
      actorscope_spawn_info info{};
      info.id = next_id++;
      info.kind = ACTORSCOPE_WORKER;
      info.name = name.c_str();
      info.type = name.c_str();
      it->second = actorscope_spawn(&info);
    }
    return it->second;
  };
  for (const TrafficEdge& e : edges) actor(e.from), actor(e.to);
  const actorscope_msg_type type = actorscope_message_type("request");
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (TrafficEdge& e : edges) {
    actorscope_actor* from = actors[e.from];
    actorscope_actor* to = actors[e.to];
    threads.emplace_back([&e, from, to, type, start, end, stop] {
      // Message i leaves at start + i / rate: the count sent by any time is exact.
      for (uint64_t i = 0;; ++i) {
        const Clock::time_point due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(i / e.rate));
        if (due >= end || stop()) break;
        while (Clock::now() < due && !stop()) std::this_thread::sleep_until(std::min(due, Clock::now() + std::chrono::milliseconds(20)));
        actorscope_enqueue_from(to, from, type);
        actorscope_dequeue(to);
        ++e.sent;
      }
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace loadgen
