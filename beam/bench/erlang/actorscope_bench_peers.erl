%% The peers actorscope-beam's full scan is compared with, run on the benchmark's own node:
%% observer's process tab (observer_backend:procs_info/1, from runtime_tools) and recon's
%% proc_count/2 algorithm (every process's attribute plus name, current function and initial
%% call, then the top N). Each is measured in a fresh process: wall time and reductions.
-module(actorscope_bench_peers).
-export([spawn_idle/1, measure/1]).

spawn_idle(N) ->
    [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, N)],
    erlang:system_info(process_count).

measure(Which) ->
    {Pid, Ref} = spawn_monitor(fun() ->
        {reductions, R0} = process_info(self(), reductions),
        T0 = erlang:monotonic_time(microsecond),
        run(Which),
        T1 = erlang:monotonic_time(microsecond),
        {reductions, R1} = process_info(self(), reductions),
        exit({done, T1 - T0, R1 - R0})
    end),
    receive {'DOWN', Ref, process, Pid, {done, Micros, Reds}} -> {Micros, Reds} end.

run(observer) ->
    observer_backend:procs_info(self()),
    flush();
run(recon) ->
    Attrs = [{Pid, V, [Name, Cf, Ic]}
             || Pid <- processes() -- [self()],
                [{_, V}, {_, Name}, {_, Cf}, {_, Ic}] <-
                    [case process_info(Pid, [reductions, registered_name, current_function, initial_call]) of
                         undefined -> [];
                         L -> L
                     end]],
    lists:sublist(lists:reverse(lists:keysort(2, Attrs)), 10).

flush() -> receive _ -> flush() after 0 -> ok end.
