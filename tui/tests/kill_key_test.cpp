// The kill key of actorscope-top: refused with a reason when commands are off, a y/n question
// otherwise, and the collector's answer in the status line.
#include <gtest/gtest.h>

#include "keys.hpp"
#include "kill_command.hpp"
#include "actorscope/view/replica.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

TEST(KillKey, IsListedInTheKeyTable) {
  bool found = false;
  for (const auto& b : tui::key_bindings())
    for (int c : b.codes)
      if (c == 'K') found = b.help.find("kill") != std::string_view::npos;
  EXPECT_TRUE(found);
}

TEST(KillKey, WithoutCommandsItSaysWhyAndAsksNothing) {
  view::ClientOptions o;
  o.address = "unix:/nonexistent/actorscope-kill-key-test.sock";
  view::Client client(o);  // never started: commands_allowed() stays false
  tui::UiState ui;
  ui.view = tui::ViewId::Detail;
  ui.detail = view::ActorKey{1, 2};
  tui::ActionContext ctx{ui, client};
  tui::handle_key('K', ctx);
  EXPECT_FALSE(ui.kill_asked);
  EXPECT_NE(ui.message.find("--allow-commands"), std::string::npos) << ui.message;
  // The next key is an ordinary key again.
  tui::handle_key('2', ctx);
  EXPECT_EQ(ui.view, tui::ViewId::Actors);
}

TEST(KillKey, AnswerToAQuestionAndResultInTheStatusLine) {
  view::ClientOptions o;
  o.address = "unix:/nonexistent/actorscope-kill-key-test.sock";
  view::Client client(o);
  tui::UiState ui;
  tui::ActionContext ctx{ui, client};
  ui.kill_asked = view::ActorKey{1, 2};
  tui::handle_key('n', ctx);
  EXPECT_FALSE(ui.kill_asked);
  EXPECT_EQ(ui.message, "kill cancelled");
  EXPECT_EQ(ui.kill_request, 0u);

  ui.kill_asked = view::ActorKey{1, 2};
  tui::handle_key('y', ctx);
  EXPECT_FALSE(ui.kill_asked);
  ASSERT_NE(ui.kill_request, 0u);
  view::Replica r;
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, pv::CommandResult{ui.kill_request, true, "done: sent kill to actor 2"});
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
  tui::show_kill_result(ui, r);
  EXPECT_EQ(ui.kill_request, 0u);
  EXPECT_EQ(ui.message, "kill: done: sent kill to actor 2");
}

}  // namespace
