#!/usr/bin/env bash
# Display rules live in view/ (display.hpp, format.hpp, events.hpp, client.hpp): this fails
# when gui/ or tui/ decide a threshold, a label fallback, a number format, the events'
# supervisor filter, the default address or the token themselves, or read the protocol's
# fixed-point fields. Each rule carries a line the old renderers had, which it must catch.
# Usage: display_rules_check.sh SOURCE_DIR
set -u
root=${1:?usage: display_rules_check.sh SOURCE_DIR}
status=0

# what @@ extended regex @@ a line it must catch
rules=(
  "numeric mailbox threshold@@(mailbox|mb)[a-z_]*[)]? *[<>]=? *[0-9]@@Style st = a.stats.mailbox >= 1000 ? Style::Warning : Style::Normal;"
  "numeric mailbox threshold@@(mailbox|mb)[a-z_]*[)]? *[<>]=? *[0-9]@@ImGui::TextColored(mb >= 100 ? style::kWarn : style::kText, \"%s\", s);"
  "restart budget arithmetic@@restarts_in_period *([*]|[<>]=?)@@const bool hot = a.row.intensity && a.stats.restarts_in_period * 5 >= a.row.intensity * 4;"
  "restart budget arithmetic@@restarts_in_period *([*]|[<>]=?)@@if (a.row.intensity && a.stats.restarts_in_period >= a.row.intensity) st = Style::Critical;"
  "rate or count threshold@@(restarts_per_min|drops|warnings|warnings|rpm) *[<>]=? *[0-9]@@card(\"RESTARTS\", per_min(rpm), h, rpm > 0 ? style::kRestart : style::kText, w);"
  "rate or count threshold@@[(, ](h[.]|n[.])?(drops|warnings|warnings) *[?]@@total(\"drops\", view::format_count(h.drops), h.drops ? style::kWarn : style::kText);"
  "warning severity decided here@@(pv|viewer)::Severity::@@const ImVec4 c = l->severity == pv::Severity::Critical ? style::kBad : style::kWarn;"
  "actor label fallback@@row[.]name@@std::string label = a->row.name.empty() ? \"<\" + std::to_string(a->row.actor) + \">\" : a->row.name;"
  "actor label fallback@@[.]name[.]empty[(][)]@@std::string name = e.name.empty() ? \"<\" + std::to_string(e.actor) + \">\" : e.name;"
  "actor label fallback@@\"<\" *[+] *std::to_string@@return \"<\" + std::to_string(a.row.actor) + \">\";"
  "actor label fallback@@actor_label@@name = actor_label(a);"
  "own number format@@%[.][0-9]g@@std::snprintf(buf, sizeof buf, \"%.4g\", v);"
  "own number format@@[?] *\"%[.]0f\" *: *\"%[.]2f\"@@std::snprintf(buf, sizeof buf, std::fabs(v) >= 10 ? \"%.0f\" : \"%.2f\", v);"
  "fixed-point field@@_x100@@view::format_rate(l.row->per_s_x100 / 100.0)"
  "events filtered by supervisor here@@supervisor == [a-z_]+[.]actor@@if (!supervisor_.actor || (e->node == supervisor_.node && (e->supervisor == supervisor_.actor)))"
  "default collector address@@\"tcp:127[.]0[.]0[.]1:7411\"@@constexpr const char* kDefaultCollector = \"tcp:127.0.0.1:7411\";"
  "token read here@@getenv[(]\"ACTORSCOPE_TOKEN@@if (const char* t = std::getenv(\"ACTORSCOPE_TOKEN\")) token = t;"
)

for rule in "${rules[@]}"; do
  what=${rule%%@@*}
  rest=${rule#*@@}
  regex=${rest%%@@*}
  canary=${rest#*@@}
  if ! printf '%s\n' "$canary" | grep -Eq -e "$regex"; then
    echo "FAIL: the rule for '$what' (/$regex/) no longer catches: $canary"
    status=1
    continue
  fi
  hits=$(grep -rnE --include='*.cpp' --include='*.hpp' -e "$regex" "$root/gui" "$root/tui" |
         grep -v -e '/tests/' -e '/backends/' -e '/tools/')
  if [ -n "$hits" ]; then
    echo "FAIL: $what in a renderer; view/ owns it:"
    echo "$hits"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "PASS: gui/ and tui/ leave names, thresholds, formats and client options to view/"
exit "$status"
