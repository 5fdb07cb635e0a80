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
  note_warnings_changed();
  WarningKey key{kind, node, actor};
  auto it = other_warnings.find(key);
  if (it != other_warnings.end()) {
    it->second.seen_ns = now;
    it->second.text.assign(text);  // into its own buffer: no allocation
    return &it->second;
  }
  if (warnings_active() >= settings.max_warnings) {
    ++warnings_over_cap;
    return nullptr;
  }
  Warning& l = other_warnings[key];
  l.kind = kind;
  l.node = node;
  l.actor = actor;
  l.text = std::string(text);
  l.since_ns = now;
  l.seen_ns = now;
  log_raised(l);
  return &l;
}

// The row's flag says whether the warning is held, so that a refusal (a full table) costs no
// look-up; only while rows of the same ids may have been replaced (a new incarnation, an
// actor gone since the step) is the table asked whatever the flag says.
RowWarning* Model::Impl::row_warning_now(NodeData& n, Actor& a, WarningKind kind, bool& fresh) {
  fresh = false;
  const uint8_t flag = warned_flag(kind);
  const WarningKey key{kind, n.info.key, a.id};
  note_warnings_changed();
  if (warnings_active() >= settings.max_warnings) {
    if ((a.flags & flag) || n.rows_reset || left_since_step(n, a.id)) {
      auto it = row_warnings.find(key);
      if (it != row_warnings.end()) {
        it->second.w.seen_ns = now;
        a.flags |= flag;
        return &it->second;
      }
    }
    ++warnings_over_cap;
    return nullptr;
  }
  auto [it, inserted] = row_warnings.try_emplace(key);
  RowWarning& rw = it->second;
  a.flags |= flag;
  if (!inserted) {
    rw.w.seen_ns = now;
    return &rw;
  }
  ++n.row_warnings;
  rw.w.kind = kind;
  rw.w.node = key.node;
  rw.w.actor = a.id;
  rw.w.since_ns = now;
  rw.w.seen_ns = now;
  fresh = true;
  return &rw;
}

void Model::Impl::log_raised(const Warning& w) {
  Event& e = push_event(EventKind::WarningRaised, w.node);
  e.actor = w.actor;
  e.detail = std::string(name(w.kind)) + ": " + w.text;
}

void Model::Impl::erase_warning(const WarningKey& key) {
  note_warnings_changed();
  if (is_row_kind(key.kind)) {
    if (row_warnings.erase(key) == 0) return;
    if (NodeData* n = key.node <= nodes.size() ? nodes[key.node - 1].get() : nullptr) --n->row_warnings;
  } else {
    other_warnings.erase(key);
  }
  mark_warned(key.kind, key.node, key.actor, false);
}

void Model::Impl::clear_at_step(NodeData& n, WarningKind kind, Row r, Actor& a) {
  if (!(a.flags & warned_flag(kind))) return;
  clearing.push_back({WarningKey{kind, n.info.key, a.id}, r});
}

void Model::Impl::clear_unconfirmed_row_warnings(NodeKey key, uint64_t now_ns) {
  for (const auto& [k, rw] : row_warnings)
    if (k.node == key && rw.w.seen_ns < now_ns) clearing.push_back({k, kNoRow});
}

// A warning's text, written without printf (a step may write thousands of them): numbers as
// printf's %llu and %.Nf write them.
class TextOut {
 public:
  TextOut& operator<<(std::string_view s) {
    const size_t n = std::min(s.size(), static_cast<size_t>(end_ - p_));
    p_ = std::copy_n(s.data(), n, p_);
    return *this;
  }
  TextOut& operator<<(uint64_t v) {
    p_ = std::to_chars(p_, end_, v).ptr;  // fails only past the end: then nothing is written
    return *this;
  }
  TextOut& fixed(double v, int decimals) {
    auto r = std::to_chars(p_, end_, v, std::chars_format::fixed, decimals);
    if (r.ec == std::errc()) p_ = r.ptr;
    return *this;
  }
  TextOut& tenths(uint64_t ns) {  // a duration in seconds with one decimal, rounded down
    const uint64_t t = ns / 100'000'000;
    *this << t / 10 << ".";
    if (p_ != end_) *p_++ = static_cast<char>('0' + t % 10);
    return *this;
  }
  std::string_view view() const { return std::string_view(buf_, static_cast<size_t>(p_ - buf_)); }

 private:
  char buf_[400];
  char* p_ = buf_;
  char* const end_ = buf_ + sizeof buf_;
};

// "N messages waiting, none processed for S s": a stuck actor's text at instant at_ns.
static void write_stuck_text(TextOut& t, uint64_t mailbox, uint64_t progress_ns, uint64_t at_ns) {
  t << mailbox << " messages waiting, none processed for ";
  t.tenths(at_ns > progress_ns ? at_ns - progress_ns : 0) << " s";
}

Warning Model::Impl::warning_as_read(const RowWarning& rw) const {
  Warning w = rw.w;
  // Looked at when its actor last changed, and standing since: confirmed at the last step.
  w.seen_ns = std::max(w.seen_ns, last_step_ns);
  if (w.kind == WarningKind::StuckActor && rw.stuck_numbers) {
    TextOut t;
    write_stuck_text(t, rw.stuck_mailbox, rw.stuck_progress_ns, w.seen_ns);
    w.text.assign(t.view());
  }
  return w;
}

const std::vector<Warning>& Model::Impl::warning_list_as_read() const {
  if (!warning_list.valid) {
    warning_list.list.clear();
    warning_list.list.reserve(warnings_active());
    for_each_warning([&](const Warning& w) { warning_list.list.push_back(w); });
    warning_list.valid = true;
  }
  return warning_list.list;
}

// Each mailbox warning has hysteresis: raised at its threshold, it holds until the figure
// falls to half of it (growth: to half of the deepest mailbox seen while raised), so that a
// backlog that stops growing but stays deep is still on screen. An actor is looked at when
// its row changed since the last step (or its stuck deadline came): what decides a mailbox
// warning is in the row, but for stuck_actor's time, which its deadline covers.
void Model::Impl::check_mailbox(NodeData& n, Row r, Actor& a, uint64_t now_ns) {
  const ModelSettings& s = settings;
  NodeKey key = n.info.key;
  const uint64_t refused_before = warnings_over_cap;
  if (a.mailbox == 0) {  // nothing waits: every mailbox warning clears
    for (WarningKind k : {WarningKind::MailboxGrowing, WarningKind::MailboxLarge, WarningKind::MailboxWait, WarningKind::StuckActor})
      clear_at_step(n, k, r, a);
    return;
  }
  // Raised or confirmed with the text `write` makes (only when there is room for it).
  auto raise = [&](WarningKind kind, auto&& write) -> RowWarning* {
    bool fresh = false;
    RowWarning* rw = row_warning_now(n, a, kind, fresh);
    if (!rw) return nullptr;
    TextOut t;
    write(t, *rw);
    rw->w.text.assign(t.view());
    if (fresh) log_raised(rw->w);
    return rw;
  };

  Warning* growing = active_warning(WarningKind::MailboxGrowing, key, a);
  const bool grew = a.growth_streak >= s.mailbox_growth_samples && a.mailbox > a.growth_base + s.mailbox_growth_min;
  RowWarning* grown = nullptr;
  if (grew) {
    grown = raise(WarningKind::MailboxGrowing, [&](TextOut& t, RowWarning&) {
      t << "mailbox grew from " << a.growth_base << " to " << a.mailbox << " messages in " << uint64_t{a.growth_streak}
        << " samples in a row";
    });
  } else if (growing && a.mailbox * 2 >= growing->peak && a.mailbox > s.mailbox_growth_min) {
    grown = raise(WarningKind::MailboxGrowing, [&](TextOut& t, RowWarning& rw) {
      rw.w.peak = std::max(rw.w.peak, a.mailbox);  // the text says the peak with this sample
      t << "mailbox at " << a.mailbox << " messages (peak " << rw.w.peak << "): no longer growing, not yet drained";
    });
  } else {
    clear_at_step(n, WarningKind::MailboxGrowing, r, a);
  }
  if (grown) grown->w.peak = std::max(grown->w.peak, a.mailbox);

  bool large = false;
  if (s.mailbox_large != 0) {
    const bool held = a.flags & kActorWarnedLarge;
    if (a.mailbox >= s.mailbox_large || (held && a.mailbox * 2 >= s.mailbox_large)) {
      large = true;
      raise(WarningKind::MailboxLarge, [&](TextOut& t, RowWarning& rw) {
        t << a.mailbox << " messages in the mailbox (warning at " << s.mailbox_large << ", cleared below "
          << s.mailbox_large / 2 << ")";
        rw.w.peak = std::max(rw.w.peak, a.mailbox);
      });
    }
  }
  if (!large) clear_at_step(n, WarningKind::MailboxLarge, r, a);

  // Time to drain at the rate the actor processes now; no rate at all is stuck_actor's case.
  // Reductions/s say nothing of messages drained: a BEAM node has no drain rate to judge by.
  bool wait = false;
  if (s.mailbox_wait_ns != 0 && a.messages_per_s > 0 && !n.info.rates_in_reductions) {
    const double drain_s = static_cast<double>(a.mailbox) / a.messages_per_s;
    const double limit_s = static_cast<double>(s.mailbox_wait_ns) / 1e9;
    const bool held = a.flags & kActorWarnedWait;
    if (drain_s >= limit_s || (held && drain_s * 2 >= limit_s)) {
      wait = true;
      raise(WarningKind::MailboxWait, [&](TextOut& t, RowWarning& rw) {
        t << a.mailbox << " messages waiting: about ";
        t.fixed(drain_s, 0) << " s to drain at ";
        t.fixed(static_cast<double>(a.messages_per_s), 1) << " messages/s";
        rw.w.peak = std::max(rw.w.peak, a.mailbox);
      });
    }
  }
  if (!wait) clear_at_step(n, WarningKind::MailboxWait, r, a);

  if (now_ns >= a.last_progress_ns + s.stuck_after_ns) {
    raise(WarningKind::StuckActor, [&](TextOut& t, RowWarning& rw) {
      rw.stuck_mailbox = a.mailbox;
      rw.stuck_progress_ns = a.last_progress_ns;
      rw.stuck_numbers = true;
      write_stuck_text(t, a.mailbox, a.last_progress_ns, now_ns);
    });
  } else {
    clear_at_step(n, WarningKind::StuckActor, r, a);
    queue_stuck(n, r, a);
  }
  if (warnings_over_cap != refused_before && !(a.step_marks & kStepCapped)) {
    a.step_marks |= kStepCapped;
    n.capped.push_back(r);
  }
}

void Model::tick(uint64_t now_ns) {
  Impl& m = *impl_;
  m.now = now_ns;
  AfterInput recorded([&] {
    if (history_) history_->on_tick(*this, now_ns);
  });
  // A restart budget changes with time alone (a restart leaves its period): the supervisors
  // with restarts inside their period are looked at by the tick whose time reaches their next
  // change, not only at a step, so that a viewer sees the new value within one tick of it.
  for (auto& np : m.nodes) {
    if (!np) continue;
    NodeData& n = *np;
    auto& watch = n.budget_watch;
    for (size_t i = 0; i < watch.size();) {
      NodeData::BudgetWatch& e = watch[i];
      if (e.due_ns > now_ns) {
        ++i;
        continue;
      }
      auto it = n.supervisors.find(e.id);
      if (it != n.supervisors.end() && it->second.budget_watched && it->second.budget_due_ns == e.due_ns) {
        Supervisor& sup = it->second;
        auto inside = static_cast<uint32_t>(std::lround(restart_budget(sup, now_ns) * sup.intensity));
        if (inside != sup.budget_shown) {
          sup.budget_shown = inside;
          Row r = n.index.find(e.id, n.rows);
          if (r != kNoRow) m.note_actor(n, n.rows[r]);
        }
        const uint64_t next = next_budget_change(sup, now_ns);
        if (inside != 0 || next != 0) {
          e.due_ns = sup.budget_due_ns = next != 0 ? next : now_ns + 1;
          e.storming = sup.intensity > 0 && static_cast<double>(inside) / sup.intensity >= m.settings.restart_storm_ratio;
          ++i;
          continue;
        }
        sup.budget_watched = false;
        sup.budget_due_ns = 0;
      }
      e = watch.back();  // gone, done, or a stale entry: the last one takes its place
      watch.pop_back();
    }
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
  for (auto it = row_warnings.begin(); it != row_warnings.end();)
    it = it->first.node == key ? row_warnings.erase(it) : std::next(it);
  for (auto it = other_warnings.begin(); it != other_warnings.end();)
    it = it->first.node == key ? other_warnings.erase(it) : std::next(it);
  note_warnings_changed();
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

// If nothing changes, the actor is stuck at last_progress + stuck_after: looked at again then.
void Model::Impl::queue_stuck(NodeData& n, Row r, Actor& a) {
  if (a.step_marks & kStepStuckQueued) return;
  const uint64_t width = stuck_wheel_width();
  if (n.stuck_wheel.empty()) {
    n.stuck_wheel.resize(stuck_wheel_slots());
    n.stuck_wheel_next = now / width;
  }
  const uint64_t at = a.last_progress_ns + settings.stuck_after_ns;
  a.step_marks |= kStepStuckQueued;
  // Within the wheel's span of the first slot not yet looked at (at > now >= that slot's start).
  const uint64_t slot = std::max(at / width, n.stuck_wheel_next);
  n.stuck_wheel[slot % n.stuck_wheel.size()].push_back({at, a.id, r});
  ++n.stuck_queued;
}

// The actors of a node whose mailbox warnings may have changed since the last step: those
// whose row changed, whose stuck deadline came, refused for room when there is room again, all
// of them when the node comes back.
void Model::Impl::collect_rechecks(NodeData& n, bool live, uint64_t now_ns) {
  if (!n.stuck_wheel.empty()) {
    const uint64_t width = stuck_wheel_width();
    const size_t slots = n.stuck_wheel.size();
    const uint64_t last = now_ns / width;
    // Every slot from the first not wholly looked at to now's (all of them, after a long gap).
    uint64_t first = n.stuck_wheel_next;
    if (last < first)
      first = last;  // the clock stepped back
    else if (last - first >= slots)
      first = last - slots + 1;
    for (uint64_t slot = first; slot <= last; ++slot) {
      std::vector<NodeData::StuckDue>& due = n.stuck_wheel[slot % slots];
      size_t kept = 0;
      for (const NodeData::StuckDue& d : due) {
        if (d.at > now_ns) {  // later in now's slot
          due[kept++] = d;
          continue;
        }
        --n.stuck_queued;
        if (d.row >= n.rows.size()) continue;
        Actor& a = n.rows[d.row];
        if (a.id != d.actor) continue;  // it left; the row is another actor's now
        a.step_marks &= static_cast<uint8_t>(~kStepStuckQueued);
        recheck(n, d.row, a);
      }
      due.resize(kept);
    }
    n.stuck_wheel_next = std::max(n.stuck_wheel_next, last);
  }
  // As many of the refused as there is room for, oldest refusal first: a full table with
  // many refused does not make every step look at all of them again.
  size_t room = settings.max_warnings > warnings_active() ? settings.max_warnings - warnings_active() : 0;
  size_t taken = n.capped_head;
  for (; taken < n.capped.size() && room > 0; ++taken) {
    const Row r = n.capped[taken];
    if (r >= n.rows.size()) continue;
    Actor& a = n.rows[r];
    if (!(a.step_marks & kStepCapped)) continue;  // freed since
    a.step_marks &= static_cast<uint8_t>(~kStepCapped);
    if (a.id == 0) continue;
    recheck(n, r, a);
    --room;
  }
  n.capped_head = taken;
  // While the table stays full, actors that were refused and left would pile up here: past
  // twice the live actors, the list keeps only those still refused, once each.
  if (n.capped.size() - n.capped_head > 2 * static_cast<size_t>(n.info.live_actors) + 1024) {
    size_t kept = 0;
    for (size_t i = n.capped_head; i < n.capped.size(); ++i) {
      const Row r = n.capped[i];
      if (r >= n.rows.size() || n.rows[r].id == 0 || !(n.rows[r].step_marks & kStepCapped)) continue;
      n.rows[r].step_marks &= static_cast<uint8_t>(~kStepCapped);  // a second entry of it is dropped
      n.capped[kept++] = r;
    }
    n.capped.resize(kept);
    for (Row r : n.capped) n.rows[r].step_marks |= kStepCapped;
    n.capped_head = 0;
  }
  if (n.capped_head == n.capped.size()) {
    n.capped.clear();
    n.capped_head = 0;
  } else if (n.capped_head > n.capped.size() / 2) {  // moved down now and then, not at every step
    n.capped.erase(n.capped.begin(), n.capped.begin() + static_cast<std::ptrdiff_t>(n.capped_head));
    n.capped_head = 0;
  }
  if (live && !n.live_at_step) {
    for (Row r : n.watched)
      if (n.rows[r].id != 0) recheck(n, r, n.rows[r]);
  }
  n.live_at_step = live;
}

void Model::Impl::step(uint64_t now_ns) {
  const ModelSettings& s = settings;
  char buf[160];
  std::vector<NodeKey> gone;
  clearing.clear();
  for (auto& p : nodes) {
    if (!p) continue;
    NodeData& n = *p;
    NodeKey key = n.info.key;
    bool live = n.info.state == NodeState::Connected;

    step_flow(n, now_ns);
    // Mailbox maxima: raised by samples as they come; worked out again from the actors with
    // non-empty mailboxes only when one may have fallen (the deepest shrank or left), or when
    // the list of them holds many that left.
    if (n.mailbox_max_stale || n.watched.size() > 2 * n.watched_kept + 1024) {
      n.mailbox_max_stale = false;
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
      }
      n.watched.resize(kept);
      n.watched_kept = kept;
      for (Row r : n.watched) n.rows[r].flags |= kActorWatched;
    }

    // Mailbox warnings: the actors that changed, in the order they changed (a row freed and
    // taken again since may be listed twice: looking twice changes nothing).
    collect_rechecks(n, live, now_ns);
    for (Row r : n.recheck) {
      Actor& a = n.rows[r];
      a.step_marks &= static_cast<uint8_t>(~kStepRecheck);
      if (a.id != 0 && live) check_mailbox(n, r, a, now_ns);
    }
    n.recheck.clear();
    if (!n.warned_gone.empty()) {  // actors that left: what no new row of theirs confirmed clears
      for (const auto& [actor, flags] : n.warned_gone)
        for (WarningKind k : {WarningKind::MailboxGrowing, WarningKind::MailboxLarge, WarningKind::MailboxWait, WarningKind::StuckActor}) {
          if (!(flags & warned_flag(k))) continue;
          auto it = row_warnings.find(WarningKey{k, key, actor});
          if (it != row_warnings.end() && it->second.w.seen_ns < now_ns) clearing.push_back({it->first, kNoRow});
        }
      n.warned_gone.clear();
    }
    if ((!live || n.rows_reset) && n.row_warnings > 0) clear_unconfirmed_row_warnings(key, now_ns);
    n.rows_reset = false;

    // An idle actor sends no samples, so its last rate would stand forever: past the rate
    // window without a sample it reads 0, and the change is noted for readers.
    size_t kept = 0;
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
        recheck(n, r, a);  // its drain rate is gone: mailbox_wait is looked at again
        continue;
      }
      n.rated[kept++] = r;
    }
    n.rated.resize(kept);
    for (Row r : n.rated) n.rows[r].flags |= kActorRated;

    // Restart storms: the tick, just before this step, brought every budget that changed up to
    // now (and noted it), and marked the watched supervisors at or past the storm ratio: only
    // those are looked up, not every supervisor (a supervisor with no restart inside its
    // period uses none of its budget). With a ratio of 0 every supervisor qualifies.
    const auto storm = [&](uint64_t id, const Supervisor& sup) {
      const double used = sup.intensity == 0 ? 0.0 : static_cast<double>(sup.budget_shown) / sup.intensity;
      if (!live || sup.intensity == 0 || used < s.restart_storm_ratio) return;
      std::snprintf(buf, sizeof buf, "restart budget %.0f%% used (%u restarts allowed in %.1f s)", used * 100,
                    sup.intensity, sup.period_ms / 1000.0);
      raise_warning(WarningKind::RestartStorm, key, id, buf);
    };
    if (s.restart_storm_ratio > 0) {
      for (const NodeData::BudgetWatch& e : n.budget_watch) {
        if (!e.storming) continue;
        auto it = n.supervisors.find(e.id);
        if (it != n.supervisors.end() && it->second.budget_watched && it->second.budget_due_ns == e.due_ns)
          storm(e.id, it->second);
      }
    } else {
      for (const auto& [id, sup] : n.supervisors) storm(id, sup);
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
    SeriesPoint pt;
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
    n.series.push(pt);
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

  // Warnings not confirmed this step clear (event-like ones after a hold time); mailbox
  // warnings clear when their actor is looked at, leaves, or its node goes.
  for (const auto& [k, l] : other_warnings) {
    bool held = l.kind == WarningKind::SlowHandler || l.kind == WarningKind::AgentDrops;
    bool stale = held ? now_ns >= l.seen_ns + s.warning_hold_ns : l.seen_ns < now_ns;
    if (stale) clearing.push_back({k, kNoRow});
  }
  std::sort(clearing.begin(), clearing.end());
  for (size_t i = 0; i < clearing.size(); ++i) {
    const Clearing& c = clearing[i];
    if (i > 0 && !(clearing[i - 1] < c)) continue;  // listed twice
    const bool row_kind = is_row_kind(c.key.kind);
    auto row_it = row_kind ? row_warnings.find(c.key) : row_warnings.end();
    auto other_it = row_kind ? other_warnings.end() : other_warnings.find(c.key);
    if (row_kind ? row_it == row_warnings.end() : other_it == other_warnings.end()) continue;
    const Warning& l = row_kind ? row_it->second.w : other_it->second;
    Event& e = push_event(EventKind::WarningCleared, l.node);
    e.actor = l.actor;
    std::snprintf(buf, sizeof buf, " cleared after %.1f s", static_cast<double>(now_ns - l.since_ns) / 1e9);
    e.detail = std::string(name(l.kind)) + buf;
    if (l.peak != 0) e.detail += " (mailbox peak " + std::to_string(l.peak) + ")";
    if (!row_kind) {
      other_warnings.erase(other_it);
      continue;
    }
    row_warnings.erase(row_it);
    NodeData* n = nodes[c.key.node - 1].get();
    if (!n) continue;
    --n->row_warnings;
    if (c.row != kNoRow && c.row < n->rows.size() && n->rows[c.row].id == c.key.actor)
      n->rows[c.row].flags &= static_cast<uint8_t>(~warned_flag(c.key.kind));
    else
      mark_warned(c.key.kind, c.key.node, c.key.actor, false);
  }
  clearing.clear();
  last_step_ns = now_ns;
  note_warnings_changed();

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
