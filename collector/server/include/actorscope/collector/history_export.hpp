// The flight recorder written out as a record file (the format of --record, collector/README.md),
// so that the collector's last hour opens like any recording: `--open FILE`.
//
// The file holds: a WallClock entry (the collector's wall-minus-model offset, so that the
// instants shown are the collector's own), then the history's oldest keyframe as each node's
// Hello and a snapshot of its state (its actors, parents first, with their stats; links and
// monitors in an order that gives every actor its own; telemetry totals, drops, the last
// heartbeat and node gauges), then a Counts entry with what no agent record can set — the
// collector's own counts of the node and its types, its supervisors' restart windows and child
// records, what gone incarnations left to the next — then every input the history holds after
// that keyframe, as it was recorded. A node that was gone at the keyframe is disconnected right
// after its snapshot.
//
// What does not travel: the event log before the keyframe (so a child record's last crash has
// no text), series points and rates before it. The opened file's history begins at the
// keyframe; from there on it shows what the collector's own history shows.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actorscope/collector/history.hpp"

namespace actorscope::collector {

class HistoryExport {
 public:
  explicit HistoryExport(HistoryExportPlan plan);
  ~HistoryExport();
  HistoryExport(const HistoryExport&) = delete;
  HistoryExport& operator=(const HistoryExport&) = delete;

  bool ok() const;  // false: the plan holds no history (nothing to write but the header)
  // Appends the next part of the file to `out`: whole blocks until `out` grew by max_bytes
  // or more (at least one block while anything is left). False once the file is complete
  // (nothing appended then).
  bool next(std::vector<uint8_t>& out, size_t max_bytes);
  bool done() const;
  uint64_t bytes() const;    // written so far
  uint64_t entries() const;  // entries written so far
  uint64_t begins_at() const;
  uint64_t ends_at() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The whole export written to `path`. False with a one-line error.
bool write_history_export(HistoryExportPlan plan, const std::string& path, std::string& error);

}  // namespace actorscope::collector
