%% Test-side helper loaded into the nodes the tests start (never by actorscope-beam): a line
%% protocol the test drives over loopback TCP, an independent walk of the supervision trees,
%% and `beamtest`, a small application with the shapes the tests need.
-module(actorscope_test_ctl).
-behaviour(application).
-behaviour(supervisor).
-export([start/1, walk/0, audit/0, flood/2, load/1, unload/0, pid/1, start/2, stop/1, init/1]).
-export([boot/2, start_worker/1, start_liar/0, worker_loop/0]).
-export([handle_call/3, handle_cast/2, handle_info/2]).

%% Starts the applications a test asks for (inets gets an httpd listener; beamtest is the
%% tree below) and the control channel, whose port is written to PortFile.
boot(PortFile, Apps) ->
    [{ok, _} = application:ensure_all_started(A) || A <- Apps, A =/= beamtest],
    case lists:member(inets, Apps) of
        true -> {ok, _} = inets:start(httpd, [{port, 0}, {server_name, "beamtest"}, {bind_address, {127, 0, 0, 1}},
                                               {server_root, "/tmp"}, {document_root, "/tmp"}]);
        false -> ok
    end,
    case lists:member(beamtest, Apps) of
        true ->
            ok = application:load({application, beamtest,
                                   [{description, "actorscope-beam test tree"}, {vsn, "1"}, {modules, []},
                                    {registered, []}, {applications, [kernel, stdlib]}, {mod, {?MODULE, []}}]}),
            ok = application:start(beamtest);
        false -> ok
    end,
    start(PortFile).

%% ---- control channel: "<expression>.\n" -> "<length>\n<bytes>" -------------------------------
start(PortFile) ->
    Parent = self(),
    spawn(fun() ->
        {ok, L} = gen_tcp:listen(0, [binary, {packet, line}, {active, false}, {reuseaddr, true},
                                     {ip, {127, 0, 0, 1}}, {recbuf, 65536}]),
        {ok, Port} = inet:port(L),
        ok = file:write_file(PortFile ++ ".tmp", integer_to_list(Port)),
        ok = file:rename(PortFile ++ ".tmp", PortFile),
        Parent ! listening,
        accept(L)
    end),
    receive listening -> ok after 5000 -> error(no_listener) end.

accept(L) ->
    {ok, S} = gen_tcp:accept(L),
    spawn(fun() -> serve(S) end),
    accept(L).

serve(S) ->
    case gen_tcp:recv(S, 0) of
        {ok, Line} ->
            Reply = try
                        {ok, T, _} = erl_scan:string(binary_to_list(Line)),
                        {ok, E} = erl_parse:parse_exprs(T),
                        {value, V, _} = erl_eval:exprs(E, []),
                        case V of
                            B when is_binary(B) -> B;
                            _ -> unicode:characters_to_binary(io_lib:format("~0tp", [V]))
                        end
                    catch C:R -> unicode:characters_to_binary(io_lib:format("error ~p:~0tp", [C, R]))
                    end,
            ok = gen_tcp:send(S, [integer_to_list(byte_size(Reply)), "\n", Reply]),
            serve(S);
        _ -> ok
    end.

%% ---- the independent walk --------------------------------------------------------------------
%% One line per supervisor: "sup <pid> <strategy>", then "child <pid> <worker|supervisor> <id>"
%% for each child that runs. Only children whose spec says supervisor are descended into.
walk() ->
    Tops = [Top || {App, _, _} <- application:which_applications(),
                   Master <- [application_controller:get_master(App)], is_pid(Master),
                   {Top, _} <- [application_master:get_child(Master)], is_pid(Top)],
    iolist_to_binary([walk(T) || T <- Tops]).

walk(Sup) ->
    Strategy = strategy(Sup),
    Children = case catch gen_server:call(Sup, which_children, 500) of
                   L when is_list(L) -> L;
                   _ -> []
               end,
    [io_lib:format("sup ~s ~s~n", [pid_to_list(Sup), Strategy]),
     [io_lib:format("child ~s ~s ~ts~n", [pid_to_list(P), Ty, id_text(Id)])
      || {Id, P, Ty, _} <- Children, is_pid(P)],
     [walk(P) || {_, P, supervisor, _} <- Children, is_pid(P)]].

strategy(Sup) ->
    case catch sys:get_state(Sup, 500) of
        S when is_tuple(S), element(1, S) =:= state, tuple_size(S) >= 7 -> atom_to_list(element(3, S));
        #{'__struct__' := 'Elixir.DynamicSupervisor'} -> "simple_one_for_one";
        _ -> "none"
    end.

id_text(Id) when is_atom(Id) -> atom_to_list(Id);
id_text(Id) -> io_lib:format("~0tp", [Id]).

%% What actorscope-beam may have left behind: relay processes, logger filters, trace flags,
%% hidden connections and the scheduler_wall_time flag.
audit() ->
    Relays = [P || P <- processes(),
                   case process_info(P, dictionary) of
                       {dictionary, D} -> lists:keymember('$actorscope_relay', 1, D);
                       _ -> false
                   end],
    Filters = [Id || {Id, _} <- maps:get(filters, logger:get_primary_config(), []),
                     lists:prefix("actorscope", atom_to_list(Id))],
    Traced = [P || P <- processes(), erlang:trace_info(P, flags) =/= {flags, []},
                   erlang:trace_info(P, flags) =/= undefined],
    %% scheduler_wall_time: on only while a process that enabled it lives (the relay).
    Swt = case erlang:statistics(scheduler_wall_time) of undefined -> 0; _ -> 1 end,
    iolist_to_binary(io_lib:format("relays=~b filters=~b traced=~b hidden=~b swt=~b",
                                   [length(Relays), length(Filters), length(Traced), length(nodes(hidden)), Swt])).

%% A process that never receives, with N messages queued.
flood(Name, N) ->
    P = spawn(fun() -> receive never_sent -> ok end end),
    register(Name, P),
    Msg = hello,
    lists:foreach(fun(_) -> P ! Msg end, lists:seq(1, N)),
    {message_queue_len, Q} = process_info(P, message_queue_len),
    Q.

%% N processes spinning on the schedulers: a node under full load.
load(N) ->
    Pids = [spawn(fun Spin() -> _ = lists:seq(1, 1000), Spin() end) || _ <- lists:seq(1, N)],
    persistent_term:put(actorscope_test_load, Pids),
    ok.
unload() ->
    [exit(P, kill) || P <- persistent_term:get(actorscope_test_load, [])],
    ok.

%% A registered process's pid as text, or "none".
pid(Name) ->
    case whereis(Name) of
        P when is_pid(P) -> list_to_binary(pid_to_list(P));
        _ -> <<"none">>
    end.

%% ---- beamtest: application, supervisors, workers -------------------------------------------
start(_Type, _Args) -> supervisor:start_link({local, beamtest_sup}, ?MODULE, top).
stop(_) -> ok.

init(top) ->
    {ok, {#{strategy => one_for_one, intensity => 5, period => 10},
          [#{id => beamtest_worker, start => {?MODULE, start_worker, [beamtest_worker]}},
           #{id => beamtest_pool, type => supervisor,
             start => {supervisor, start_link, [{local, beamtest_pool}, ?MODULE, pool]}},
           %% A GenServer that a child spec calls a supervisor, and that never answers a call.
           #{id => beamtest_liar, type => supervisor, start => {?MODULE, start_liar, []}}]}};
init(liar) -> {ok, liar_state};
init(pool) ->
    {ok, {#{strategy => rest_for_one, intensity => 3, period => 7},
          [#{id => {pool_worker, N}, restart => transient,
             start => {?MODULE, start_worker, [list_to_atom("beamtest_w" ++ integer_to_list(N))]}}
           || N <- [1, 2]]}}.

start_worker(Name) ->
    P = proc_lib:spawn_link(?MODULE, worker_loop, []),
    register(Name, P),
    {ok, P}.
worker_loop() -> receive stop -> ok; _ -> worker_loop() end.

start_liar() -> gen_server:start_link({local, beamtest_liar}, ?MODULE, liar, []).
handle_call(_Ignored, _From, S) -> {noreply, S}.  % which_children included: never answered
handle_cast(_, S) -> {noreply, S}.
handle_info(_, S) -> {noreply, S}.
