# A small Elixir shop with a believable supervision tree, for `make demo BEAM=1` and the tests:
#   elixir --sname shop --cookie-file... --no-halt beam/demo/shop.exs
# Environment: SHOP_ORDERS (orders under the DynamicSupervisor, default 200), SHOP_CHAOS=1
# (now and then a worker crashes, so restarts show), ACTORSCOPE_CTL_PORT_FILE (tests only).

defmodule Shop.Inventory do
  use Agent
  def start_link(_), do: Agent.start_link(fn -> %{"apple" => 100, "pear" => 50} end, name: __MODULE__)
  def take(item), do: Agent.get_and_update(__MODULE__, fn s -> {Map.get(s, item, 0), Map.update(s, item, 0, &max(&1 - 1, 0))} end)
end

defmodule Shop.Order do
  use GenServer, restart: :transient
  def start_link(id), do: GenServer.start_link(__MODULE__, id, name: {:via, Registry, {Shop.Registry, {:order, id}}})
  def init(id), do: {:ok, %{id: id, lines: []}}
  def handle_cast({:add, item}, s), do: {:noreply, %{s | lines: [item | s.lines]}}
  def handle_call(:total, _from, s), do: {:reply, length(s.lines), s}
end

defmodule Shop.Cart do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, :ok, name: __MODULE__)
  def init(:ok), do: {:ok, %{}}
  def handle_call({:checkout, n}, _from, s), do: {:reply, Shop.Inventory.take("apple") + n, s}
end

defmodule Shop.Payments.Gateway do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, :ok, name: __MODULE__)
  def init(:ok), do: {:ok, 0}
  def handle_call(:charge, _from, n), do: {:reply, :ok, n + 1}
end

defmodule Shop.Payments.Ledger do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, :ok, name: __MODULE__)
  def init(:ok), do: {:ok, []}
  def handle_cast({:record, e}, s), do: {:noreply, Enum.take([e | s], 100)}
end

defmodule Shop.Payments do
  use Supervisor
  def start_link(_), do: Supervisor.start_link(__MODULE__, :ok, name: __MODULE__)
  def init(:ok) do
    Supervisor.init([Shop.Payments.Gateway, Shop.Payments.Ledger], strategy: :one_for_all, max_restarts: 3, max_seconds: 5)
  end
end

# Traffic: places orders, runs tasks, and with SHOP_CHAOS=1 crashes a worker now and then.
defmodule Shop.Traffic do
  use GenServer
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)
  def init(opts) do
    for id <- 1..opts[:orders], do: {:ok, _} = DynamicSupervisor.start_child(Shop.Orders, {Shop.Order, id})
    if opts[:traffic], do: Process.send_after(self(), :tick, 200)
    {:ok, %{next: opts[:orders] + 1, chaos: opts[:chaos], ticks: 0}}
  end
  def handle_info(:tick, s) do
    Task.Supervisor.start_child(Shop.Tasks, fn -> GenServer.call(Shop.Cart, {:checkout, 1}) end)
    GenServer.call(Shop.Payments.Gateway, :charge)
    GenServer.cast(Shop.Payments.Ledger, {:record, s.ticks})
    s =
      if s.chaos and rem(s.ticks, 25) == 24 do
        victim = Enum.random([Shop.Cart, Shop.Payments.Ledger, Shop.Inventory])
        if pid = Process.whereis(victim), do: Process.exit(pid, :kill)
        s
      else
        s
      end
    Process.send_after(self(), :tick, 200)
    {:noreply, %{s | ticks: s.ticks + 1}}
  end
end

defmodule Shop.Application do
  use Application
  def start(_type, _args) do
    orders = String.to_integer(System.get_env("SHOP_ORDERS", "200"))
    chaos = System.get_env("SHOP_CHAOS", "0") == "1"
    traffic = System.get_env("SHOP_TRAFFIC", "1") == "1"
    children = [
      {Registry, keys: :unique, name: Shop.Registry},
      Shop.Inventory,
      {Task.Supervisor, name: Shop.Tasks},
      {DynamicSupervisor, name: Shop.Orders, strategy: :one_for_one, max_restarts: 10, max_seconds: 5},
      Shop.Payments,
      Shop.Cart,
      {Shop.Traffic, orders: orders, chaos: chaos, traffic: traffic}
    ]
    Supervisor.start_link(children, strategy: :one_for_one, max_restarts: 5, max_seconds: 10, name: Shop.Supervisor)
  end
end

:ok =
  :application.load(
    {:application, :shop,
     [description: 'actorscope demo shop', vsn: '1.0.0', modules: [], registered: [],
      applications: [:kernel, :stdlib, :elixir, :logger], mod: {Shop.Application, []}]}
  )

{:ok, _} = Application.ensure_all_started(:shop)

case System.get_env("ACTORSCOPE_CTL_PORT_FILE") do
  nil -> :ok
  file -> :ok = :actorscope_test_ctl.start(String.to_charlist(file))
end

IO.puts("shop running on #{node()}")
