// The model's periodic work: time-series points, rates, mailbox maxima, warnings, expiry.
#include <algorithm>
#include <charconv>
#include <string_view>
#include <cmath>
#include <cstdio>

#include "model_impl.hpp"
#include "actorscope/collector/history.hpp"

namespace actorscope::collector {

void Model::Impl::mark_warned(WarningKind kind, NodeKey node, uint64_t actor, bool raised) {
  const uint8_t flag = warned_flag(kind);
  if (flag == 0 || actor == 0) return;
  const NodeData* cn = std::as_const(*this).node(node);
  if (!cn) return;
  NodeData& n = *const_cast<NodeData*>(cn);
  const Row r = n.index.find(actor, n.rows);
  if (r == kNoRow) return;
  if (raised)
    n.rows[r].flags |= flag;
  else
    n.rows[r].flags &= static_cast<uint8_t>(~flag);
}

Warning* Model::Impl::raise_warning(WarningKind kind, NodeKey node, uint64_t actor, std::string_view text) {
  WarningKey key{kind, node, actor};
  auto it = active_warnings.find(key);
  if (it != active_warnings.end()) {
    it->second.seen_ns = now;
    it->second.text.assign(text);  // into its own buffer: confirmed every step, no allocation
    return &it->second;
  }
  if (active_warnings.size() >= settings.max_warnings) {
    ++warnings_over_cap;
    return nullptr;
  }
  Warning& l = active_warnings[key];
  l.kind = kind;
  l.node = node;
  l.actor = actor;
  l.text = std::string(text);
  l.since_ns = now;
  l.seen_ns = now;
  mark_warned(kind, node, actor, true);
  Event& e = push_event(EventKind::WarningRaised, node);
  e.actor = actor;
  e.detail = std::string(name(kind)) + ": " + l.text;
  return &l;
}

// Each mailbox warning has hysteresis: raised at its threshold, it holds until the figure
// falls to half of it (growth: to half of the deepest mailbox seen while raised), so that a
// backlog that stops growing but stays deep is still on screen.
void Model::Impl::check_mailbox(NodeData& n, const Actor& a) {
  const ModelSettings& s = settings;
  NodeKey key = n.info.key;
  char buf[200];
  auto count = [](uint64_t v) { return static_cast<unsigned long long>(v); };

  Warning* growing = active_warning(WarningKind::MailboxGrowing, key, a);
  bool grew = a.growth_streak >= s.mailbox_growth_samples && a.mailbox > a.growth_base + s.mailbox_growth_min;
  if (grew) {
    std::snprintf(buf, sizeof buf, "mailbox grew from %llu to %llu messages in %u samples in a row",
                  count(a.growth_base), count(a.mailbox), static_cast<unsigned>(a.growth_streak));
    growing = raise_warning(WarningKind::MailboxGrowing, key, a.id, buf);
  } else if (growing && a.mailbox * 2 >= growing->peak && a.mailbox > s.mailbox_growth_min) {
    std::snprintf(buf, sizeof buf, "mailbox at %llu messages (peak %llu): no longer growing, not yet drained",
                  count(a.mailbox), count(growing->peak));
    growing = raise_warning(WarningKind::MailboxGrowing, key, a.id, buf);
  } else {
    growing = nullptr;
  }
  if (growing) growing->peak = std::max(growing->peak, a.mailbox);

  if (s.mailbox_large != 0) {
    bool held = active_warning(WarningKind::MailboxLarge, key, a) != nullptr;
    if (a.mailbox >= s.mailbox_large || (held && a.mailbox * 2 >= s.mailbox_large)) {
      std::snprintf(buf, sizeof buf, "%llu messages in the mailbox (warning at %llu, cleared below %llu)",
                    count(a.mailbox), count(s.mailbox_large), count(s.mailbox_large / 2));
      if (Warning* w = raise_warning(WarningKind::MailboxLarge, key, a.id, buf)) w->peak = std::max(w->peak, a.mailbox);
    }
  }

  // Time to drain at the rate the actor processes now; no rate at all is stuck_actor's case.
  // Reductions/s say nothing of messages drained: a BEAM node has no drain rate to judge by.
  if (s.mailbox_wait_ns != 0 && a.messages_per_s > 0 && !n.info.rates_in_reductions) {
    double drain_s = static_cast<double>(a.mailbox) / a.messages_per_s;
    double limit_s = static_cast<double>(s.mailbox_wait_ns) / 1e9;
    bool held = active_warning(WarningKind::MailboxWait, key, a) != nullptr;
    if (drain_s >= limit_s || (held && drain_s * 2 >= limit_s)) {
      std::snprintf(buf, sizeof buf, "%llu messages waiting: about %.0f s to drain at %.1f messages/s",
                    count(a.mailbox), drain_s, static_cast<double>(a.messages_per_s));
      if (Warning* w = raise_warning(WarningKind::MailboxWait, key, a.id, buf)) w->peak = std::max(w->peak, a.mailbox);
    }
  }
}

void Model::tick(uint64_t now_ns) {
  Impl& m = *impl_;
  m.now = now_ns;
  AfterInput recorded([&] {
    if (history_) history_->on_tick(*this, now_ns);
  });
  // A restart budget changes with time alone (a restart leaves its period): the supervisors
  // with restarts inside their period are checked at every tick, not only at a step, so that
  // a viewer sees the new value within one tick of the change.
  for (auto& np : m.nodes) {
    if (!np) continue;
    NodeData& n = *np;
    size_t kept = 0;
    for (uint64_t id : n.budget_watch) {
      auto it = n.supervisors.find(id);
      if (it == n.supervisors.end()) continue;
      Supervisor& sup = it->second;
      auto inside = static_cast<uint32_t>(std::lround(restart_budget(sup, now_ns) * sup.intensity));
      if (inside != sup.budget_shown) {
        sup.budget_shown = inside;
        Row r = n.index.find(id, n.rows);
        if (r != kNoRow) m.note_actor(n, n.rows[r]);
      }
      if (inside == 0) {
        sup.budget_watched = false;
        continue;
      }
      n.budget_watch[kept++] = id;
    }
    n.budget_watch.resize(kept);
  }
  if (m.next_step_ns == 0) m.next_step_ns = now_ns;
  if (now_ns >= m.next_step_ns) {
    m.step(now_ns);
    m.next_step_ns = now_ns + m.settings.series_step_ns;
  }
  commit();
}

void Model::Impl::forget_node(NodeKey key) {
  NodeData& n = *nodes[key - 1];
  for (size_t i = 0; i < n.kept_incidents.size(); ++i) count_dropped_event(n.kept_incidents.at(i).kind);
  Event& e = push_event(EventKind::NodeForgotten, key);
  e.detail = n.info.name;
  note_change(key, ChangeKind::NodeRemoved, 0);
  by_name.erase(n.info.name);
  for (auto it = active_warnings.begin(); it != active_warnings.end();)
    it = it->first.node == key ? active_warnings.erase(it) : std::next(it);
  nodes[key - 1].reset();
  cached = {};
}

void Model::Impl::forget_gone_past_count() {
  disconnects_since_sweep = 0;
  std::vector<NodeKey> gone;
  for (auto& p : nodes)
    if (p && p->info.state == NodeState::Gone) gone.push_back(p->info.key);
  if (gone.size() <= settings.max_gone_nodes) return;
  size_t over = gone.size() - settings.max_gone_nodes;
  std::partial_sort(gone.begin(), gone.begin() + static_cast<std::ptrdiff_t>(over), gone.end(), [&](NodeKey a, NodeKey b) {
    return nodes[a - 1]->info.gone_at_ns < nodes[b - 1]->info.gone_at_ns;
  });
  for (size_t i = 0; i < over; ++i) forget_node(gone[i]);
}

void Model::Impl::step(uint64_t now_ns) {
  const ModelSettings& s = settings;
  char buf[160];
  std::vector<NodeKey> gone;
  for (auto& p : nodes) {
    if (!p) continue;
    NodeData& n = *p;
    NodeKey key = n.info.key;
    bool live = n.info.state == NodeState::Connected;

    step_flow(n, now_ns);
    // Mailbox maxima fall back here: recomputed from the actors with non-empty mailboxes.
    for (TypeAggregate& t : n.types) t.mailbox_max = 0;
    size_t kept = 0;
    for (Row r : n.watched) {
      Actor& a = n.rows[r];
      if (a.id == 0 || !(a.flags & kActorWatched)) continue;  // freed, or a duplicate entry
      a.flags &= static_cast<uint8_t>(~kActorWatched);
      if (a.mailbox == 0) continue;
      n.watched[kept++] = r;
      TypeAggregate& t = n.types[a.type_slot];
      t.mailbox_max = std::max(t.mailbox_max, a.mailbox);
      if (!live) continue;
      check_mailbox(n, a);
      if (now_ns >= a.last_progress_ns + s.stuck_after_ns) {
        // Without printf: every stuck actor's text is written again at every step.
        const uint64_t tenths = (now_ns - a.last_progress_ns) / 100'000'000;
        char* out = std::to_chars(buf, buf + 24, a.mailbox).ptr;
        constexpr std::string_view kMid = " messages waiting, none processed for ";
        out = std::copy(kMid.begin(), kMid.end(), out);
        out = std::to_chars(out, out + 24, tenths / 10).ptr;
        *out++ = '.';
        *out++ = static_cast<char>('0' + tenths % 10);
        *out++ = ' ';
        *out++ = 's';
        raise_warning(WarningKind::StuckActor, key, a.id, std::string_view(buf, static_cast<size_t>(out - buf)));
      }
    }
    n.watched.resize(kept);
    for (Row r : n.watched) n.rows[r].flags |= kActorWatched;

    // An idle actor sends no samples, so its last rate would stand forever: past the rate
    // window without a sample it reads 0, and the change is noted for readers.
    kept = 0;
    const uint64_t rate_window = n.info.rates_in_reductions ? s.reductions_rate_window_ns : s.actor_rate_window_ns;
    for (Row r : n.rated) {
      Actor& a = n.rows[r];
      if (a.id == 0 || !(a.flags & kActorRated)) continue;  // freed, or a duplicate entry
      a.flags &= static_cast<uint8_t>(~kActorRated);
      if (a.messages_per_s <= 0 && a.fill_per_s <= 0) continue;
      if (now_ns >= a.last_sample_ns + rate_window) {
        a.messages_per_s = 0;
        a.fill_per_s = 0;
        note_actor(n, a);
        continue;
      }
      n.rated[kept++] = r;
    }
    n.rated.resize(kept);
    for (Row r : n.rated) n.rows[r].flags |= kActorRated;

    // The restart budget changes with time alone (restarts leave the period): a changed
    // value is noted, so that readers that follow the journal resend it.
    for (auto& [id, sup] : n.supervisors) {
      auto inside = static_cast<uint32_t>(std::lround(restart_budget(sup, now_ns) * sup.intensity));
      if (inside == sup.budget_shown) continue;
      sup.budget_shown = inside;
      Row r = n.index.find(id, n.rows);
      if (r != kNoRow) note_actor(n, n.rows[r]);
    }
    if (live) {
      for (auto& [id, sup] : n.supervisors) {
        double used = restart_budget(sup, now_ns);
        if (sup.intensity > 0 && used >= s.restart_storm_ratio) {
          std::snprintf(buf, sizeof buf, "restart budget %.0f%% used (%u restarts allowed in %.1f s)", used * 100,
                        sup.intensity, sup.period_ms / 1000.0);
          raise_warning(WarningKind::RestartStorm, key, id, buf);
        }
      }
    }
    uint64_t drops = 0;
    for (uint64_t d : n.info.drops) drops += d;
    if (drops > n.drops_at_last_warning) {
      std::snprintf(buf, sizeof buf, "the agent dropped %llu records (%llu in total)",
                    static_cast<unsigned long long>(drops - n.drops_at_last_warning), static_cast<unsigned long long>(drops));
      raise_warning(WarningKind::AgentDrops, key, 0, buf);
      n.drops_at_last_warning = drops;
    }

    // One time-series point.
    uint64_t messages = 0, mailbox_total = 0, mailbox_max = 0;
    for (const TypeAggregate& t : n.types) {
      messages += t.processed();
      mailbox_total += t.mailbox_sum;
      mailbox_max = std::max(mailbox_max, t.mailbox_max);
    }
    // The first step of a node counts from its connect (on_hello sets prev_step_ns).
    double dt = now_ns > n.prev_step_ns ? static_cast<double>(now_ns - n.prev_step_ns) / 1e9 : 0;
    auto rate = [dt](uint64_t cur, uint64_t prev) {
      return dt > 0 && cur >= prev ? static_cast<float>(static_cast<double>(cur - prev) / dt) : 0.0f;
    };
    SeriesPoint& pt = n.series[n.series_next];
    pt.at_ns = now_ns;
    pt.seconds = static_cast<float>(dt);
    pt.live_actors = static_cast<float>(n.info.live_actors);
    pt.messages_per_s = rate(messages, n.prev_messages);
    pt.restarts_per_s = rate(n.info.restarts, n.prev_restarts);
    pt.crashes_per_s = rate(n.info.crashes, n.prev_crashes);
    pt.mailbox_total = static_cast<float>(mailbox_total);
    pt.mailbox_max = static_cast<float>(mailbox_max);
    pt.drops_per_s = rate(drops, n.prev_drops);
    pt.telemetry_per_s = rate(n.info.telemetry_events, n.prev_telemetry);
    n.series_next = (n.series_next + 1) % n.series.size();
    n.series_count = std::min(n.series_count + 1, n.series.size());
    for (TelemetryStats& t : n.telemetry) {
      t.rate = rate(t.count, t.count_at_step);
      t.count_at_step = t.count;
    }
    n.prev_step_ns = now_ns;
    n.prev_messages = messages;
    n.prev_restarts = n.info.restarts;
    n.prev_crashes = n.info.crashes;
    n.prev_drops = drops;
    n.prev_telemetry = n.info.telemetry_events;
    if (!live) gone.push_back(key);
  }

  // Warnings not confirmed this step clear (event-like ones after a hold time).
  for (auto it = active_warnings.begin(); it != active_warnings.end();) {
    const Warning& l = it->second;
    bool held = l.kind == WarningKind::SlowHandler || l.kind == WarningKind::AgentDrops;
    bool stale = held ? now_ns >= l.seen_ns + s.warning_hold_ns : l.seen_ns < now_ns;
    if (!stale) {
      ++it;
      continue;
    }
    Event& e = push_event(EventKind::WarningCleared, l.node);
    e.actor = l.actor;
    std::snprintf(buf, sizeof buf, " cleared after %.1f s", static_cast<double>(now_ns - l.since_ns) / 1e9);
    e.detail = std::string(name(l.kind)) + buf;
    if (l.peak != 0) e.detail += " (mailbox peak " + std::to_string(l.peak) + ")";
    mark_warned(l.kind, l.node, l.actor, false);
    it = active_warnings.erase(it);
  }
  warning_list.clear();
  for (const auto& [k, l] : active_warnings) warning_list.push_back(l);

  // Gone nodes: forgotten after their time, or oldest first past the count.
  std::sort(gone.begin(), gone.end(), [&](NodeKey a, NodeKey b) {
    return nodes[a - 1]->info.gone_at_ns < nodes[b - 1]->info.gone_at_ns;
  });
  size_t over = gone.size() > s.max_gone_nodes ? gone.size() - s.max_gone_nodes : 0;
  for (size_t i = 0; i < gone.size(); ++i) {
    const Node& info = nodes[gone[i] - 1]->info;
    if (i < over || now_ns >= info.gone_at_ns + s.gone_node_ttl_ns) forget_node(gone[i]);
  }
}

}  // namespace actorscope::collector
