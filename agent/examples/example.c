/* example.c: a tiny actor system in C, instrumented with the actorscope agent.
 *
 * A supervisor ("jobs_sup", one_for_one, at most 3 restarts in 5 s) runs two workers,
 * "producer" and "consumer". The producer sends the consumer messages; every message
 * is accounted (enqueue, dequeue, processing time). Every 400th message crashes the
 * consumer and the supervisor restarts it. Each batch of work is a telemetry span.
 *
 * Run: ACTORSCOPE_COLLECTOR=tcp:127.0.0.1:7411 ./example-c [SECONDS]   (default 5) */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, nanosleep */
#include <actorscope/agent.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct worker {
  actorscope_actor* cell; /* NULL when the agent is off: every hook then does nothing */
  int mailbox;            /* messages waiting */
} worker;

static volatile double work_done; /* keeps the "work" below from being optimised away */

static worker spawn_worker(uint64_t supervisor, const char* type) {
  actorscope_spawn_info info = {0};
  info.parent_id = supervisor;
  info.type = type;
  info.name = type;
  info.child_id = type;
  info.kind = ACTORSCOPE_WORKER;
  info.restart = ACTORSCOPE_PERMANENT;
  worker w = {actorscope_spawn(&info), 0};
  return w;
}

static void send_to(worker* to) {
  to->mailbox++;
  actorscope_enqueue(to->cell);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 5.0;
  actorscope_config cfg;
  actorscope_config_init(&cfg); /* everything else from ACTORSCOPE_* variables */
  cfg.node = "example-c";
  if (actorscope_start(&cfg) != 0) fprintf(stderr, "example-c: running without actorscope\n");

  actorscope_spawn_info sup_info = {0};
  sup_info.type = "jobs_sup";
  sup_info.name = "jobs_sup";
  sup_info.kind = ACTORSCOPE_SUPERVISOR;
  sup_info.strategy = ACTORSCOPE_ONE_FOR_ONE;
  sup_info.intensity = 3;
  sup_info.period_ms = 5000;
  actorscope_actor* sup = actorscope_spawn(&sup_info);
  uint64_t sup_id = actorscope_actor_id(sup);

  worker producer = spawn_worker(sup_id, "producer");
  worker consumer = spawn_worker(sup_id, "consumer");
  actorscope_link(actorscope_actor_id(producer.cell), actorscope_actor_id(consumer.cell), ACTORSCOPE_LINK);

  long messages = 0, restarts = 0;
  double start = now_s();
  while (now_s() - start < seconds || messages == 0) {
    actorscope_meta meta[] = {{"queue", "jobs"}};
    uint64_t span = actorscope_span_start("example.batch", meta, 1, producer.cell);
    for (int i = 0; i < 100; ++i) send_to(&consumer);

    /* The consumer drains its mailbox: one clock read per message boundary. */
    uint64_t t = actorscope_process_begin(consumer.cell);
    while (consumer.mailbox > 0) {
      consumer.mailbox--;
      actorscope_dequeue(consumer.cell);
      double x = 0;
      for (int k = 0; k < 200; ++k) x += k * 0.5; /* the "work" */
      work_done += x;
      t = actorscope_process_end(consumer.cell, t);
      if (++messages % 400 == 0) {
        /* A crash: the consumer exits with an error and its supervisor restarts it. */
        uint64_t old_id = actorscope_actor_id(consumer.cell);
        actorscope_exit(consumer.cell, ACTORSCOPE_EXIT_ERROR, "bad message");
        int lost = consumer.mailbox;
        consumer = spawn_worker(sup_id, "consumer");
        actorscope_child_restarted(sup, "consumer", old_id, actorscope_actor_id(consumer.cell),
                                   ACTORSCOPE_EXIT_ERROR, "bad message");
        ++restarts;
        (void)lost; /* like Erlang, a crashed actor's mailbox is gone */
        t = actorscope_process_begin(consumer.cell);
      }
    }
    actorscope_span_stop("example.batch", span, meta, 1, producer.cell);
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }

  actorscope_exit(consumer.cell, ACTORSCOPE_EXIT_SHUTDOWN, NULL);
  actorscope_exit(producer.cell, ACTORSCOPE_EXIT_SHUTDOWN, NULL);
  actorscope_exit(sup, ACTORSCOPE_EXIT_SHUTDOWN, NULL);
  actorscope_stop(); /* final flush, then goodbye */
  printf("example-c: %ld messages, %ld restarts\n", messages, restarts);
  return 0;
}
