/* actorscope/agent.h: the agent's C ABI, for any actor runtime or language (C99, C++17).
 *
 * The app calls these hooks from its runtime; the agent keeps a 128-byte stats cell per
 * live actor and a background thread streams changes to an actorscope collector.
 * Nothing here blocks, allocates on the message path, or can fail the app: every hook
 * accepts a NULL actor (what actorscope_spawn returns when the agent is disabled) and
 * then does nothing. See agent/README.md. */
#ifndef ACTORSCOPE_AGENT_H
#define ACTORSCOPE_AGENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ACTORSCOPE_ABI_VERSION 1

/* ---- enums (same values as the wire format) ------------------------------------------ */
typedef enum actorscope_kind { ACTORSCOPE_WORKER = 0, ACTORSCOPE_SUPERVISOR = 1 } actorscope_kind;

typedef enum actorscope_strategy {
  ACTORSCOPE_STRATEGY_NONE = 0,
  ACTORSCOPE_ONE_FOR_ONE = 1,
  ACTORSCOPE_ONE_FOR_ALL = 2,
  ACTORSCOPE_REST_FOR_ONE = 3,
  ACTORSCOPE_SIMPLE_ONE_FOR_ONE = 4
} actorscope_strategy;

typedef enum actorscope_restart {
  ACTORSCOPE_PERMANENT = 0, /* always restarted */
  ACTORSCOPE_TRANSIENT = 1, /* restarted only after an abnormal exit */
  ACTORSCOPE_TEMPORARY = 2  /* never restarted */
} actorscope_restart;

typedef enum actorscope_reason {
  ACTORSCOPE_EXIT_NORMAL = 0,
  ACTORSCOPE_EXIT_SHUTDOWN = 1,
  ACTORSCOPE_EXIT_SHUTDOWN_TERM = 2, /* {shutdown, Term} */
  ACTORSCOPE_EXIT_KILLED = 3,
  ACTORSCOPE_EXIT_ERROR = 4,         /* any crash */
  ACTORSCOPE_EXIT_UNKNOWN = 5
} actorscope_reason;

typedef enum actorscope_link_op {
  ACTORSCOPE_LINK = 0,
  ACTORSCOPE_UNLINK = 1,
  ACTORSCOPE_MONITOR = 2,
  ACTORSCOPE_DEMONITOR = 3
} actorscope_link_op;

/* ---- configuration ------------------------------------------------------------------ */
typedef struct actorscope_config {
  const char* collector;   /* "tcp:HOST:PORT" or "unix:PATH"; NULL: $ACTORSCOPE_COLLECTOR;
                              neither: keep live state, connect nowhere */
  const char* node;        /* node name; NULL: $ACTORSCOPE_NODE, else "<program>@<host>" */
  const char* token;       /* NULL: read from token_file */
  const char* token_file;  /* NULL: $ACTORSCOPE_TOKEN_FILE */
  uint32_t flush_ms;       /* flush period; 0: $ACTORSCOPE_FLUSH_MS, else 100 */
  uint32_t ring_bytes;     /* per-thread ring for restart, link and telemetry records; 0: 65536 */
  uint64_t memory_budget;  /* rings + string table + buffers, excluding cells; 0: 16 MiB */
  uint32_t max_strings;    /* interned strings (names, types, reasons); 0: 65536 */
  uint32_t backoff_min_ms; /* reconnect backoff start; 0: 250 */
  uint32_t backoff_max_ms; /* reconnect backoff cap; 0: 30000 */
  int disabled;            /* non-zero: kill switch (as is ACTORSCOPE_DISABLE=1) */
  int allow_commands;      /* non-zero (or $ACTORSCOPE_ALLOW_COMMANDS=1): accept commands (kill)
                              from the collector; default 0 */
} actorscope_config;

/* ---- commands ---------------------------------------------------------------------
 * With allow_commands, the collector may ask the agent to kill an actor. The agent knows
 * no actor, only cells: the runtime registers how to do it. The handler runs on the
 * agent's thread; it must not block for long (send an exit signal, do not wait for the
 * exit). It returns ACTORSCOPE_COMMAND_DONE, ACTORSCOPE_COMMAND_NO_ACTOR (no live actor
 * with that id), ACTORSCOPE_COMMAND_BUSY (not now) or any other value to refuse. Every
 * command is logged on stderr. */
#define ACTORSCOPE_COMMAND_KILL 1 /* the actor exits with reason killed */
#define ACTORSCOPE_COMMAND_DONE 0
#define ACTORSCOPE_COMMAND_NO_ACTOR 1
#define ACTORSCOPE_COMMAND_BUSY 2
typedef int (*actorscope_command_handler)(uint64_t actor_id, int command, void* user);
/* Registers (or, with NULL, removes) the handler. Once it returns, the previous handler is
 * no longer running and will not be called again. Not to be called from a handler. */
void actorscope_set_command_handler(actorscope_command_handler handler, void* user);

/* Fills c with zeros (= defaults, environment consulted at start). */
void actorscope_config_init(actorscope_config* c);

/* Starts the agent (idempotent). c may be NULL: everything from the environment.
 * Returns 0, or -1 with a one-line message on stderr (bad address, unreadable token file);
 * on -1 the agent stays disabled and every hook is a no-op. */
int actorscope_start(const actorscope_config* c);
/* Flushes what it can within about a second, disconnects and joins the agent thread. */
void actorscope_stop(void);
/* 1 when started and not disabled. */
int actorscope_enabled(void);

/* ---- the stats cell ------------------------------------------------------------------
 * One per live actor, at a stable address. Its layout is part of the ABI (version above)
 * so that the message hooks below can be inline; fields marked "agent" are the agent's. */
#define ACTORSCOPE_HIST_BUCKETS 10

typedef struct actorscope_actor {
  /* cache line 0: written by senders; identity is read-only after spawn */
  uint64_t enqueued;          /* atomic add by senders */
  uint8_t send_dirty;         /* agent: set when enqueued changed since the last flush */
  uint8_t lifecycle;          /* agent */
  uint8_t flags;              /* agent: kind | restart << 1 | strategy << 3 */
  uint8_t exit_reason;        /* agent */
  uint32_t exit_text;         /* agent: reason text, held until the exit is reported */
  uint64_t id;
  uint64_t parent_id;
  uint32_t name;              /* agent: interned */
  uint32_t child_id;          /* agent: interned */
  uint16_t type;              /* agent: interned type index */
  uint16_t intensity;
  uint32_t period_ms;
  uint32_t restarts;          /* supervisors: restarts performed */
  uint32_t event_ms;          /* agent: ms since agent start of spawn; after exit, microseconds of the exit (low 32 bits) */
  struct actorscope_actor* next; /* agent: lifecycle list */
  /* cache line 1: written only by the thread currently running the actor */
  uint64_t dequeued;
  uint32_t depth;             /* explicit mailbox depth, UINT32_MAX: derive from counters */
  uint8_t recv_dirty;         /* agent */
  uint8_t reserved[3];
  uint64_t busy_ticks;
  uint32_t hist[ACTORSCOPE_HIST_BUCKETS]; /* processing time, buckets of the wire format */
} actorscope_actor;

#if defined(__cplusplus) && __cplusplus >= 201103L
static_assert(sizeof(actorscope_actor) == 128, "the stats cell is two cache lines");
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(actorscope_actor) == 128, "the stats cell is two cache lines");
#endif

/* ---- lifecycle (cold path: may take a short lock, never blocks on I/O) ------------------ */
typedef struct actorscope_spawn_info {
  uint64_t id;                /* non-zero and unique in this process; 0: the agent assigns */
  uint64_t parent_id;         /* 0: a root */
  const char* name;           /* registered name or label; may be NULL */
  const char* type;           /* actor type, e.g. "parser"; NULL: "actor" */
  const char* child_id;       /* id in the parent supervisor's child spec; may be NULL */
  actorscope_kind kind;
  actorscope_restart restart;
  actorscope_strategy strategy; /* supervisors */
  uint32_t intensity;           /* supervisors: max restarts ... */
  uint32_t period_ms;           /* ... within this period */
} actorscope_spawn_info;

/* Registers a live actor; returns its cell, or NULL when the agent is off. */
actorscope_actor* actorscope_spawn(const actorscope_spawn_info* info);
/* The actor's id (0 for NULL). */
uint64_t actorscope_actor_id(const actorscope_actor* a);
/* The actor exited. The exit is written into the cell, so it is never lost. After this
 * call the handle must not be used by the actor itself; a late enqueue from another
 * thread is harmless (the cell is quarantined before it is reused). Call it before the
 * actor's supervisor can learn of the exit: records are ordered by the time of the call. */
void actorscope_exit(actorscope_actor* a, actorscope_reason reason, const char* text);
/* A supervisor restarted one of its children. new_id 0: the restart failed. */
void actorscope_child_restarted(actorscope_actor* supervisor, const char* child_id, uint64_t old_id,
                                uint64_t new_id, actorscope_reason reason, const char* text);
/* The supervisor exceeded its restart intensity (one more restart than allowed within its
 * period, OTP's reached_max_restart_intensity) and gives up: an escalation. Call it before
 * the supervisor's own exit, if it exits (a top supervisor may end the app instead). */
void actorscope_supervisor_escalated(actorscope_actor* supervisor);
/* Links and monitors between two actors, by id. ACTORSCOPE_MONITOR / ACTORSCOPE_DEMONITOR: a monitors b. */
void actorscope_link(uint64_t a, uint64_t b, actorscope_link_op op);

/* ---- messages (hot path: inline, no locks, no allocation) ------------------------------ */
void actorscope__mark_dirty(actorscope_actor* a, int receiver); /* agent-internal */
extern uint64_t actorscope__bucket_ticks[ACTORSCOPE_HIST_BUCKETS - 1]; /* agent-internal */

/* A cheap monotonic tick count (TSC on x86-64); the agent converts ticks to ns. */
static inline uint64_t actorscope_now(void) {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_ia32_rdtsc();
#else
  extern uint64_t actorscope__now_fallback(void);
  return actorscope__now_fallback();
#endif
}

/* A message was put into a's mailbox (any thread). */
static inline void actorscope_enqueue(actorscope_actor* a) {
  if (!a) return;
  __atomic_fetch_add(&a->enqueued, 1, __ATOMIC_RELAXED);
  if (!__atomic_load_n(&a->send_dirty, __ATOMIC_RELAXED)) actorscope__mark_dirty(a, 0);
}

/* A message was taken out of a's mailbox (the thread running a). */
static inline void actorscope_dequeue(actorscope_actor* a) {
  if (!a) return;
  __atomic_store_n(&a->dequeued, __atomic_load_n(&a->dequeued, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
  if (!__atomic_load_n(&a->recv_dirty, __ATOMIC_RELAXED)) actorscope__mark_dirty(a, 1);
}

/* The exact mailbox depth, for runtimes that know it (the thread running a). */
static inline void actorscope_mailbox_depth(actorscope_actor* a, uint64_t depth) {
  if (!a) return;
  __atomic_store_n(&a->depth, depth >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)depth, __ATOMIC_RELAXED);
  if (!__atomic_load_n(&a->recv_dirty, __ATOMIC_RELAXED)) actorscope__mark_dirty(a, 1);
}

/* Processing one message: begin returns a tick; end records the time spent and returns
 * the end tick, which may serve as the next message's begin (one clock read per message). */
static inline uint64_t actorscope_process_begin(actorscope_actor* a) {
  return a ? actorscope_now() : 0;
}
static inline uint64_t actorscope_process_end(actorscope_actor* a, uint64_t begin) {
  if (!a) return 0;
  uint64_t end = actorscope_now();
  uint64_t dt = end - begin;
  unsigned b = 0;
  while (b < ACTORSCOPE_HIST_BUCKETS - 1 && dt > actorscope__bucket_ticks[b]) ++b;
  __atomic_store_n(&a->busy_ticks, __atomic_load_n(&a->busy_ticks, __ATOMIC_RELAXED) + dt, __ATOMIC_RELAXED);
  __atomic_store_n(&a->hist[b], __atomic_load_n(&a->hist[b], __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
  if (!__atomic_load_n(&a->recv_dirty, __ATOMIC_RELAXED)) actorscope__mark_dirty(a, 1);
  return end;
}

/* ---- message flow: who sends to whom, and what (sampled) --------------------------------
 * Exact message counts stay in the cells. Of the messages put into an actor's mailbox with
 * actorscope_enqueue_from, about one in ACTORSCOPE_FLOW_SAMPLE (default 32) is counted with
 * its sender and message type, per thread, and sent with the next flush: the collector
 * shows edges as estimated rates. Sampling runs only while a collector that takes flow is
 * connected; otherwise enqueue_from costs what actorscope_enqueue costs. */
typedef uint32_t actorscope_msg_type; /* 0: unnamed */

/* The handle of a message type name, e.g. "parse" or "order_placed": interned once (a
 * lookup under a lock), so call it once per type and keep the handle. 0 when off or past
 * the string cap. */
actorscope_msg_type actorscope_message_type(const char* name);

extern uint64_t actorscope__flow_threshold; /* agent-internal: 0 while flow is not sampled */
void actorscope__flow_sample(const actorscope_actor* to, const actorscope_actor* from,
                             actorscope_msg_type type); /* agent-internal */
/* agent-internal: the same, with the sender by its id and interned type (0, 0: unknown) */
void actorscope__flow_sample_from(const actorscope_actor* to, uint64_t from_id, uint16_t from_type,
                                  actorscope_msg_type type);

/* A message was put into a's mailbox (any thread), counted as actorscope_enqueue does;
 * returns non-zero when this send is one of the sampled ones: then tell its sender and type
 * with actorscope_flow_sample. For runtimes that find a message's type only when needed. */
static inline int actorscope_enqueue_sampled(actorscope_actor* a) {
  if (!a) return 0;
  uint64_t n = __atomic_add_fetch(&a->enqueued, 1, __ATOMIC_RELAXED);
  if (!__atomic_load_n(&a->send_dirty, __ATOMIC_RELAXED)) actorscope__mark_dirty(a, 0);
  uint64_t threshold = __atomic_load_n(&actorscope__flow_threshold, __ATOMIC_RELAXED);
  if (threshold == 0) return 0; /* flow not sampled: nothing more than actorscope_enqueue */
  /* A Weyl sequence over the receiver's message number, started at a phase of its own (from
   * its id), so that short-lived receivers are sampled 1 in N too: no periodic sending
   * pattern can line up with it. */
  uint64_t phase = __atomic_load_n(&a->id, __ATOMIC_RELAXED) * 0xD1B54A32D192ED03ull;
  return (n + phase) * 0x9E3779B97F4A7C15ull < threshold;
}

/* The sampled send into a (after actorscope_enqueue_sampled returned non-zero). */
static inline void actorscope_flow_sample(actorscope_actor* a, const actorscope_actor* from, actorscope_msg_type type) {
  if (a) actorscope__flow_sample(a, from, type);
}

/* A message from `from` (NULL: not from an actor) of type `type` was put into a's mailbox
 * (any thread). Counts as actorscope_enqueue does, and samples the edge. */
static inline void actorscope_enqueue_from(actorscope_actor* a, const actorscope_actor* from, actorscope_msg_type type) {
  if (actorscope_enqueue_sampled(a)) actorscope__flow_sample(a, from, type);
}

/* What a thread is running now: the actor, the type of the message it handles and since
 * when. The agent reads it at each flush (observer's "current function", for actors). */
typedef struct actorscope_running {
  uint32_t seq;               /* odd while the thread writes it */
  actorscope_msg_type type;
  uint64_t actor;             /* the actor's id; 0: not handling a message */
  uint64_t since;             /* actorscope_now() when the message began */
} actorscope_running;

/* This thread's slot (keep it for the thread's run of an actor); NULL when the agent is off. */
actorscope_running* actorscope_running_slot(void);

/* The thread begins handling a message of `type` for a (since: its actorscope_now()), or,
 * with a NULL actor, handles none. Four plain stores. */
static inline void actorscope_handling(actorscope_running* s, const actorscope_actor* a, actorscope_msg_type type,
                                       uint64_t since) {
  if (!s) return;
  uint32_t q = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
  __atomic_store_n(&s->seq, q + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  __atomic_store_n(&s->type, type, __ATOMIC_RELAXED);
  __atomic_store_n(&s->actor, a ? a->id : 0, __ATOMIC_RELAXED);
  __atomic_store_n(&s->since, since, __ATOMIC_RELAXED);
  __atomic_store_n(&s->seq, q + 2, __ATOMIC_RELEASE);
}

/* ---- telemetry (mirrors Erlang's :telemetry) ------------------------------------------- */
typedef struct actorscope_measurement {
  const char* key;
  double value;
} actorscope_measurement;

typedef struct actorscope_meta {
  const char* key;
  const char* value;
} actorscope_meta;

/* :telemetry.execute(event, measurements, metadata). event is a dotted name such as
 * "my_app.repo.query". actor may be NULL. At most 16 measurements and 16 metadata pairs. */
void actorscope_telemetry_execute(const char* event, const actorscope_measurement* measurements, size_t n_measurements,
                                  const actorscope_meta* metadata, size_t n_metadata, actorscope_actor* actor);

/* :telemetry.span: start emits "<prefix>.start" (system_time, monotonic_time) and returns
 * a token; stop emits "<prefix>.stop" (duration, monotonic_time); exception emits
 * "<prefix>.exception" (duration; metadata kind and reason). Durations are in ns. */
uint64_t actorscope_span_start(const char* prefix, const actorscope_meta* metadata, size_t n_metadata,
                               actorscope_actor* actor);
void actorscope_span_stop(const char* prefix, uint64_t token, const actorscope_meta* metadata, size_t n_metadata,
                          actorscope_actor* actor);
void actorscope_span_exception(const char* prefix, uint64_t token, const char* kind, const char* reason,
                               const actorscope_meta* metadata, size_t n_metadata, actorscope_actor* actor);

/* ---- the agent's own numbers ----------------------------------------------------------- */
typedef struct actorscope_stats {
  uint64_t live_actors;
  uint64_t dropped[6];     /* per kind: restart, link, telemetry, stats, string, other */
  uint64_t flushes;
  uint64_t connects;       /* successful handshakes */
  uint64_t connected;      /* 1 while connected */
  uint64_t bytes_sent;
  uint64_t agent_bytes;    /* memory held by the agent, cells included */
} actorscope_stats;

void actorscope_get_stats(actorscope_stats* out);

#ifdef __cplusplus
}
#endif

#endif /* ACTORSCOPE_AGENT_H */
