%% The steady cost of an attach, seen from the node itself: N idle processes, then every
%% Period ms one line with the node's reductions per second (erlang:statistics(reductions))
%% and those of actorscope-beam's relay (the process marked '$actorscope_relay'), and the
%% process count. Loaded on the benchmark's own node only.
-module(actorscope_bench_cost).
-export([start/2]).

start(N, Period) ->
    spawn(fun() ->
        _ = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, N)],
        io:format("spawned ~b~n", [N]),
        loop(Period, undefined, 0, total(), now_ms())
    end).

total() -> {T, _} = statistics(reductions), T.
now_ms() -> erlang:monotonic_time(millisecond).

relay() ->
    case [P || P <- processes(), {dictionary, D} <- [process_info(P, dictionary)],
               lists:keymember('$actorscope_relay', 1, D)] of
        [R | _] -> R;
        [] -> undefined
    end.

reductions(undefined) -> 0;
reductions(P) -> case process_info(P, reductions) of {reductions, R} -> R; _ -> 0 end.

%% The sampler's own search for the relay (a walk over every process, until it is found)
%% falls between two windows, not inside one.
loop(Period, Relay0, R0, T0, M0) ->
    receive after Period -> ok end,
    T = total(), M = now_ms(),
    Relay = case Relay0 =/= undefined andalso is_process_alive(Relay0) of
                true -> Relay0;
                false -> relay()
            end,
    R = reductions(Relay),
    Own = case Relay =:= Relay0 of true -> R - R0; false -> 0 end,
    Seconds = (M - M0) / 1000,
    io:format("sample node_reductions_per_s=~b relay_reductions_per_s=~b processes=~b~n",
              [round((T - T0) / Seconds), round(Own / Seconds), erlang:system_info(process_count)]),
    loop(Period, Relay, R, total(), now_ms()).
