"""Bad scenario files never crash, hang or half-run: each is refused before
anything runs, with exit 2 and one line `FILE:LINE: problem` (or `FILE:
problem` for the file as a whole). One row per case: a named edit of a good
file (or raw bytes), and what the one line must say."""
import os
import re

import pytest

GOOD = """\
# Claim: the base every malformed case below edits; it parses as it is.
name: sample
summary: a sample scenario
tags: [fin]
port: 47000
sysctl:
  client: {net.ipv4.tcp_fin_timeout: 1}
steps:
  - server: listen
  - client: connect
  - server: accept
  - client: send 100
  - server: recv 100
  - client: close
  - server: recv -> eof
  - wait: 50ms
  - server: close
expect:
  wire:
    - c>s S
    - s>c S.
    - c>s . seq 1 ack 1
    - ...
  forbid: [c>s R]
  states:
    client: [SYN_SENT, ESTABLISHED, FIN_WAIT1, ...]
  leftovers:
    client: [TIME_WAIT]
"""


def edit(old, new):
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def step(new):
    """The good file with one more step before the last."""
    return edit("  - server: close\n", f"  - {new}\n  - server: close\n")


def programs(world):
    """The good file with a server program whose world is `world` (YAML flow)."""
    return step("server: exec true").replace("steps:\n", f"programs:\n  server: {{{world}}}\nsteps:\n", 1)


def pattern(new):
    return edit("    - ...\n", f"    - {new}\n    - ...\n")


BILLION_LAUGHS = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)) + GOOD
DEEP = "name: " + "[" * 200 + "]" * 200 + "\n"

CASES = [
    # --- YAML syntax -------------------------------------------------------
    ("yaml_unclosed_flow", edit("tags: [fin]", "tags: [fin"), r"bad YAML: "),
    ("yaml_unclosed_quote", edit("summary: a sample scenario", 'summary: "a sample'), r"bad YAML: "),
    ("yaml_tab_indent", edit("  - server: listen", "\t- server: listen"), r"bad YAML: "),
    ("yaml_bad_indent", edit("  - client: connect", "   - client: connect"), r"bad YAML: "),
    ("yaml_stray_colon", edit("name: sample", "name: sample: more"), r"bad YAML: "),
    ("yaml_empty_file", "", r"a scenario is a mapping"),
    ("yaml_only_comments", "# nothing here\n# at all\n", r"a scenario is a mapping"),
    ("yaml_top_list", "- name: sample\n", r"a scenario is a mapping"),
    ("yaml_top_scalar", "sample\n", r"a scenario is a mapping"),
    ("yaml_second_document", GOOD + "---\nname: other\n", r"a second YAML document"),
    ("yaml_two_documents_first_empty", "---\n---\n" + GOOD, r"a second YAML document"),
    ("yaml_document_end_then_more", GOOD + "...\n---\nname: x\n", r"a second YAML document"),
    ("yaml_unknown_escape", edit("summary: a sample scenario", 'summary: "bad \\q escape"'), r"bad YAML: "),
    ("yaml_unclosed_map", edit("  client: {net.ipv4.tcp_fin_timeout: 1}", "  client: {net.ipv4.tcp_fin_timeout: 1"), r"bad YAML: "),
    ("yaml_complex_key", "? [a, b]\n: c\n" + GOOD, r"a mapping key must be a single value"),
    # --- types ---------------------------------------------------------------
    ("type_name_list", edit("name: sample", "name: [sample]"), r"name must be a single value"),
    ("type_name_map", edit("name: sample", "name: {a: b}"), r"name must be a single value"),
    ("type_steps_map", edit("steps:\n", "steps: {a: b}\nignored:\n"), r"steps must be a non-empty list|unknown key"),
    ("type_steps_scalar", edit("steps:\n  - server: listen\n", "steps: listen\nx:\n  - server: listen\n"), r"steps must be a non-empty list|unknown key"),
    ("type_step_list", edit("  - server: listen", "  - [server, listen]"), r"a step is one 'client: ACTION'"),
    ("type_step_two_keys", edit("  - server: listen", "  - {server: listen, client: connect}"), r"a step is one 'client: ACTION'"),
    ("type_step_scalar", edit("  - server: listen", "  - listen"), r"a step is one 'client: ACTION'"),
    ("type_step_value_list", edit("  - server: listen", "  - server: [listen]"), r"step must be a single value"),
    ("type_summary_map", edit("summary: a sample scenario", "summary: {a: b}"), r"summary must be a single value"),
    ("type_tags_scalar", edit("tags: [fin]", "tags: fin"), r"tags must be a list"),
    ("type_tags_nested", edit("tags: [fin]", "tags: [[fin]]"), r"tags entry must be a single value"),
    ("type_port_list", edit("port: 47000", "port: [47000]"), r"port must be a single value"),
    ("type_sysctl_list", edit("sysctl:\n  client: {net.ipv4.tcp_fin_timeout: 1}", "sysctl: [a]"), r"sysctl must map client/server"),
    ("type_sysctl_side_list", edit("  client: {net.ipv4.tcp_fin_timeout: 1}", "  client: [a]"), r"sysctl.client must be a mapping"),
    ("type_expect_list", edit("expect:\n  wire:", "expect: []\nx:\n  wire:"), r"expect must be a mapping|unknown key"),
    ("type_wire_scalar", edit("  wire:\n    - c>s S\n    - s>c S.\n    - c>s . seq 1 ack 1\n    - ...\n", "  wire: c>s S\n"), r"expect.wire must be a list \(empty: no packet at all\)"),
    ("type_wire_entry_map", pattern("{c>s: S}"), r"wire pattern must be a single value"),
    ("type_forbid_scalar", edit("  forbid: [c>s R]", "  forbid: c>s R"), r"expect.forbid must be a list"),
    ("type_states_list", edit("  states:\n    client: [SYN_SENT, ESTABLISHED, FIN_WAIT1, ...]", "  states: [SYN_SENT]"), r"expect.states maps client and/or server"),
    ("type_states_side_scalar", edit("    client: [SYN_SENT, ESTABLISHED, FIN_WAIT1, ...]", "    client: SYN_SENT"), r"expect.states.client must be a list"),
    ("type_leftovers_side_map", edit("    client: [TIME_WAIT]", "    client: {a: b}"), r"expect.leftovers.client must be a list"),
    ("type_rto_min_scalar", edit("port: 47000", "port: 47000\nrto_min: 50ms"), r"rto_min maps client/server to a duration"),
    ("type_timers_list", edit("port: 47000", "port: 47000\ntimers: [1s]"), r"duration must be a single value"),
    ("type_wait_list", edit("  - wait: 50ms", "  - wait: [50ms]"), r"step must be a single value"),
    # --- keys ----------------------------------------------------------------
    ("key_unknown_top", edit("port: 47000", "port: 47000\ncolour: blue"), r"unknown key 'colour'"),
    ("key_unknown_expect", edit("  forbid: [c>s R]", "  forbid: [c>s R]\n  maybe: [c>s F]"), r"unknown key 'expect.maybe'"),
    ("key_missing_name", edit("name: sample\n", ""), r"missing 'name'"),
    ("key_missing_steps", GOOD[:GOOD.index("steps:")] + GOOD[GOOD.index("expect:"):], r"missing 'steps'"),
    ("key_missing_expect", GOOD[:GOOD.index("expect:")], r"missing 'expect'"),
    ("key_missing_wire", edit("  wire:\n    - c>s S\n    - s>c S.\n    - c>s . seq 1 ack 1\n    - ...\n", ""), r"expect.wire is required"),
    ("key_duplicate_name", edit("summary: a sample scenario", "name: other\nsummary: a sample scenario"), r"duplicate key 'name' \(first on line 2\)"),
    ("key_duplicate_steps", GOOD.replace("expect:", "steps:\n  - client: connect\nexpect:"), r"duplicate key 'steps'"),
    ("key_duplicate_expect", GOOD + "expect:\n  wire: [c>s S]\n", r"duplicate key 'expect'"),
    ("key_duplicate_state_side", edit("    client: [SYN_SENT, ESTABLISHED, FIN_WAIT1, ...]", "    client: [SYN_SENT, ESTABLISHED, FIN_WAIT1, ...]\n    client: [CLOSE]"), r"duplicate key 'client'"),
    ("key_duplicate_sysctl", edit("  client: {net.ipv4.tcp_fin_timeout: 1}", "  client: {net.ipv4.tcp_fin_timeout: 1, net.ipv4.tcp_fin_timeout: 2}"), r"duplicate key 'net.ipv4.tcp_fin_timeout'"),
    ("key_duplicate_wire", edit("  forbid: [c>s R]", "  forbid: [c>s R]\n  wire: [c>s S]"), r"duplicate key 'wire'"),
    ("key_duplicate_tags", edit("tags: [fin]", "tags: [fin]\ntags: [rst]"), r"duplicate key 'tags'"),
    # --- names ---------------------------------------------------------------
    ("name_uppercase", edit("name: sample", "name: Sample"), r"name 'Sample' must be 1 to 64 lowercase"),
    ("name_space", edit("name: sample", "name: my sample"), r"must be 1 to 64 lowercase"),
    ("name_too_long", edit("name: sample", "name: " + "a" * 65), r"must be 1 to 64 lowercase"),
    ("name_empty", edit("name: sample", "name: ''"), r"must be 1 to 64 lowercase"),
    ("name_slash", edit("name: sample", "name: ../etc"), r"must be 1 to 64 lowercase"),
    ("name_dots", edit("name: sample", "name: '..'"), r"must be 1 to 64 lowercase"),
    ("tag_uppercase", edit("tags: [fin]", "tags: [FIN]"), r"tag 'FIN' must be"),
    ("tag_too_long", edit("tags: [fin]", "tags: [" + "t" * 40 + "]"), r"must be 1 to 32"),
    # --- numbers -------------------------------------------------------------
    ("port_zero", edit("port: 47000", "port: 0"), r"port must be a number from 1 to 65535"),
    ("port_too_big", edit("port: 47000", "port: 65536"), r"port must be a number from 1 to 65535"),
    ("port_huge", edit("port: 47000", "port: 99999999999999999999"), r"port must be a number from 1 to 65535"),
    ("port_negative", edit("port: 47000", "port: -1"), r"port must be a number from 1 to 65535"),
    ("port_word", edit("port: 47000", "port: http"), r"port must be a number from 1 to 65535"),
    ("send_zero", edit("  - client: send 100", "  - client: send 0"), r"send needs 1 to 67108864 bytes"),
    ("send_negative", edit("  - client: send 100", "  - client: send -1"), r"send needs 1 to 67108864 bytes"),
    ("send_overflow", edit("  - client: send 100", "  - client: send 99999999999999999999"), r"send: '99999999999999999999' is far too large"),
    ("send_too_big", edit("  - client: send 100", "  - client: send 67108865"), r"send needs 1 to 67108864 bytes"),
    ("send_word", edit("  - client: send 100", "  - client: send lots"), r"send needs a number, got 'lots'"),
    ("recv_zero", edit("  - server: recv 100", "  - server: recv 0"), r"recv needs 1 to 67108864 bytes"),
    ("recv_word", edit("  - server: recv 100", "  - server: recv most"), r"recv needs a number, got 'most'"),
    ("connect_port_zero", edit("  - client: connect", "  - client: connect port 0"), r"port out of range"),
    ("connect_port_big", edit("  - client: connect", "  - client: connect port 70000"), r"port out of range"),
    ("connect_port_overflow", edit("  - client: connect", "  - client: connect port 99999999999999999999"), r"far too large"),
    ("set_linger_word", step("client: set linger forever"), r"set linger needs a number, got 'forever'"),
    ("set_keepidle_huge", step("client: set keepidle 99999999999"), r"set keepidle: value out of range"),
    ("set_negative", step("client: set rcvbuf -5"), r"set rcvbuf: value out of range"),
    ("message_short_announce", step("server: send message 10 20"), r"send message N M needs 0 <= M <= N"),
    ("message_negative", step("server: send message -1 1"), r"send message N M needs 0 <= M <= N"),
    ("message_huge", step("server: send message 99999999999 1"), r"send message N M needs 0 <= M <= N"),
    ("drop_count_zero", step("wire: drop c>s F count 0"), r"count needs a number from 1 to 1000000, got '0'"),
    ("drop_count_overflow", step("wire: drop c>s F count 99999999999999999999"), r"count needs a number from 1 to 1000000"),
    ("drop_count_word", step("wire: drop c>s F count many"), r"count needs a number from 1 to 1000000"),
    ("pattern_repeat_huge", pattern("c>s . {99999999999}"), r"bad repeat count '99999999999'"),
    ("pattern_repeat_backwards", pattern("c>s . {2,1}"), r"repeat \{2,1\} has max below min"),
    ("pattern_repeat_zero", pattern("c>s . {0}"), r"repeat \{0\} matches nothing"),
    ("pattern_len_overflow", pattern("c>s . len 99999999999"), r"len 99999999999 is more than 4294967295"),
    ("pattern_seq_negative", pattern("c>s . seq -1"), r"seq needs a non-negative number"),
    ("pattern_ack_word", pattern("c>s . ack next"), r"ack needs a non-negative number"),
    # --- durations -------------------------------------------------------------
    ("wait_word", edit("  - wait: 50ms", "  - wait: soon"), r"bad duration 'soon'"),
    ("wait_no_unit", edit("  - wait: 50ms", "  - wait: 50"), r"bad duration '50'"),
    ("wait_hours", edit("  - wait: 50ms", "  - wait: 1h"), r"bad duration '1h'"),
    ("wait_fraction", edit("  - wait: 50ms", "  - wait: 0.5ms"), r"duration '0.5ms' is not a whole number of milliseconds"),
    ("wait_too_long", edit("  - wait: 50ms", "  - wait: 601s"), r"duration '601s' is longer than 600 s"),
    ("wait_overflow", edit("  - wait: 50ms", "  - wait: 9223372036854775807s"), r"is longer than 600 s"),
    ("wait_huge_ms", edit("  - wait: 50ms", "  - wait: 999999999ms"), r"is longer than 600 s"),
    ("within_huge", edit("  - server: recv -> eof", "  - server: recv within 99999s -> eof"), r"duration '99999s' is longer than 600 s"),
    ("within_alone", step("client: within 2s"), r"'within' needs an action before it"),
    ("within_word", edit("  - server: recv -> eof", "  - server: recv within later -> eof"), r"bad duration 'later'"),
    ("timers_huge", edit("port: 47000", "port: 47000\ntimers: 9223372036854775807s"), r"is longer than 600 s"),
    ("timers_too_long", edit("port: 47000", "port: 47000\ntimers: 700s"), r"is longer than 600 s"),
    ("rto_min_huge", edit("port: 47000", "port: 47000\nrto_min: {client: 99999s}"), r"is longer than 600 s"),
    ("rto_min_word", edit("port: 47000", "port: 47000\nrto_min: {client: fast}"), r"bad duration 'fast'"),
    ("delay_huge", step("wire: delay both 99999s"), r"is longer than 600 s"),
    ("gap_hours", pattern("c>s . gap 0ms..99999h"), r"bad time unit in '99999h'"),
    ("gap_too_long", pattern("c>s . gap 0ms..99999s"), r"time '99999s' is beyond 3600 s"),
    ("gap_overflow", pattern("c>s . gap 0ms..1e300s"), r"bad time|beyond 3600 s"),
    ("gap_backwards", pattern("c>s . gap 2s..1s"), r"ends before it starts"),
    ("gap_no_dots", pattern("c>s . gap 1s"), r"a time window reads LOW..HIGH"),
    ("gap_negative", pattern("c>s . gap -1s..1s"), r"bad time '-1s'"),
    ("gap_nan", pattern("c>s . gap nans..1s"), r"bad time 'nans'"),
    ("at_beyond_last_step", pattern("c>s . at 1s..2s after step 99"), r"'after step 99' names a step the scenario does not have \(it has 9\)"),
    ("at_step_zero", pattern("c>s . at 1s..2s after step 0"), r"steps count from 1"),
    ("at_without_after", pattern("c>s . at 1s..2s"), r"'at' reads 'at LOW..HIGH after step N'"),
    ("at_after_stage", pattern("c>s . at 1s..2s after stage 3"), r"'at' reads 'at LOW..HIGH after step N'"),
    # --- patterns --------------------------------------------------------------
    ("pattern_bad_flag", pattern("c>s Q"), r"unknown TCP flag 'Q'"),
    ("pattern_repeated_flag", pattern("c>s SS"), r"flag 'S' repeated"),
    ("pattern_bad_direction", pattern("x>y S"), r"pattern must start with c>s, s>c or be '...'"),
    ("pattern_no_flags", pattern("c>s"), r"needs flags after the direction"),
    ("pattern_unknown_word", pattern("c>s . window 0"), r"unknown word 'window' in pattern"),
    ("pattern_len_without_value", pattern("c>s . len"), r"'len' needs a value"),
    ("pattern_two_repeats", pattern("c>s . ? {2}"), r"more than one repeat"),
    ("pattern_plus_alone", pattern("c>s +"), r"'\+' needs flags after it"),
    ("pattern_empty", pattern("''"), r"empty wire pattern"),
    ("forbid_any", edit("  forbid: [c>s R]", "  forbid: [...]"), r"'\.\.\.' cannot stand alone here"),
    ("forbid_repeat", edit("  forbid: [c>s R]", "  forbid:\n    - c>s R {2}"), r"a single-packet pattern takes no repeat"),
    ("forbid_flow_braces", edit("  forbid: [c>s R]", "  forbid: [c>s R {2}]"), r"bad YAML: "),
    ("forbid_gap", edit("  forbid: [c>s R]", "  forbid: [c>s R gap 1s..2s]"), r"a forbid pattern takes no '(gap|at)': a timing window is judged on the whole run"),
    ("forbid_at", edit("  forbid: [c>s R]", "  forbid: [c>s R at 1s..2s after step 1]"), r"a forbid pattern takes no '(gap|at)': a timing window is judged on the whole run"),
    ("forbid_bad_flag", edit("  forbid: [c>s R]", "  forbid: [c>s X]"), r"unknown TCP flag 'X'"),
    # --- steps -------------------------------------------------------------------
    ("step_unknown_action", step("client: slam"), r"unknown action 'slam'"),
    ("step_unknown_peer", step("proxy: close"), r"unknown peer 'proxy'"),
    ("step_empty", step("client: ''"), r"empty step: name an action"),
    ("step_arrow_without_outcome", step("client: close ->"), r"'->' needs an outcome"),
    ("step_unknown_outcome", step("server: recv -> RESET"), r"unknown outcome 'RESET'"),
    ("step_outcome_trailing", step("server: recv -> eof now"), r"unexpected 'now' after the outcome"),
    ("step_await_outcome", step("client: await -> eof"), r"'await' takes no outcome"),
    ("step_await_background", step("client: await &"), r"'await' is immediate: it cannot run in the background"),
    ("step_shutdown_sideways", step("client: shutdown sideways"), r"shutdown takes rd, wr or rdwr"),
    ("step_tls_dance", step("client: tls dance"), r"tls takes handshake, stall or close_notify"),
    ("step_set_unknown", step("client: set turbo 1"), r"unknown socket option 'turbo'"),
    ("step_connect_portly", step("client: connect portly 5"), r"connect takes 'port N'"),
    ("step_accept_args", step("server: accept now"), r"'accept' takes 0 argument"),
    ("step_close_args", step("client: close 5"), r"'close' takes 0 argument"),
    ("step_crash_args", step("server: crash 3"), r"'crash' takes 0 argument"),
    ("step_listen_args", step("server: listen 1"), r"'listen' takes 0 argument"),
    ("step_recv_two_args", step("server: recv 1 2"), r"'recv' takes 0-1 argument"),
    ("step_wait_word", step("wait: forever"), r"bad duration 'forever'"),
    ("wire_unknown_fault", step("wire: teleport"), r"unknown wire fault 'teleport'"),
    ("wire_blackhole_sideways", step("wire: blackhole sideways"), r"expected c>s, s>c or both"),
    ("wire_inject_proxy", step("wire: inject rst toward proxy"), r"inject rst toward client, server or both"),
    ("wire_inject_fin", step("wire: inject fin toward server"), r"write 'inject rst toward"),
    ("wire_netem_option", step("wire: netem both -batch /etc/passwd"), r"netem argument '-batch' is neither a netem keyword"),
    ("wire_netem_semicolon", step("wire: netem both delay 5ms;reboot"), r"netem argument '5ms;reboot'"),
    ("wire_netem_subshell", step("wire: netem both delay $(reboot)"), r"netem argument '\$\(reboot\)'"),
    ("program_at_missing_step", step("server: exec true\n  - server: output x at 1s..2s after step 99"), r"'after step 99' names a step the scenario does not have \(it has 11\)"),
    ("program_at_bad_window", step("server: exec true\n  - server: output x at soon..later after step 1"), r"bad time 'soon' \(write e\.g\. 800ms or 1\.5s\)"),
    ("running_argument", step("server: exec true\n  - server: running now"), r"running takes no argument, got 'now'"),
    # --- programs: a program's world -------------------------------------------------
    ("programs_no_exec", edit("steps:\n", "programs:\n  server: {env: {A: b}}\nsteps:\n"), r"programs\.server applies to programs, and no server step runs one \(exec\)"),
    ("programs_unknown_key", programs("envy: {A: b}"), r"unknown key 'envy' in programs\.server \(known: env cwd stdin render\)"),
    ("programs_side", edit("steps:\n", "programs:\n  proxy: {env: {A: b}}\nsteps:\n"), r"unknown peer 'proxy'"),
    ("programs_env_name", programs("env: {'A-B': c}"), r"'A-B' is not an environment variable name"),
    ("programs_env_twice", programs("env: {A: b, A: c}"), r"(variable A is set twice|duplicate)"),
    ("programs_env_placeholder", programs("env: {A: '{prot}'}"), r"programs\.server\.env\.A: unknown placeholder \{prot\}"),
    ("programs_env_list", programs("env: [A]"), r"programs\.server\.env maps variable names to values"),
    ("programs_cwd_missing", programs("cwd: /no/such/dir"), r"programs\.server\.cwd '/no/such/dir' is not a directory on this machine"),
    ("programs_stdin_missing", programs("stdin: '{dir}/no-such-input'"), r"programs\.server\.stdin '.*/no-such-input' is not a file on this machine"),
    ("programs_render_missing", programs("render: ['{dir}/no-such.conf']"), r"cannot read the file to render '.*/no-such\.conf'"),
    ("programs_render_placeholder_path", programs("render: ['{out}/x.conf']"), r"a file to render is a path, or \{dir\}/PATH"),
    ("programs_render_reserved", programs("render: ['{dir}/report.json']"), r"a rendered file cannot be called report\.json"),
    ("send_open_quote", step("client: send \"GET /"), r"a quoted text is not closed: \"GET / \(end it with \"\)"),
    ("send_bad_escape", step("client: send \"a\\qb\""), r"unknown escape '\\q' in \"a\\qb\" \(known: "),
    ("send_empty_text", step('client: send ""'), r'send "" sends nothing'),
    ("send_missing_file", step("client: send file {dir}/no-such-request"), r"send file: cannot open '.*/no-such-request': No such file or directory"),
    ("send_file_out", step("client: send file {out}/x"), r"send file: only \{dir\} may open its path"),
    ("send_unquoted_header", step('client: send "Host: x"'), r"bad YAML: mapping values are not allowed in this context \(a value holding ': '.* must be in single quotes"),
    ("wire_netem_backtick", step("wire: netem both delay `id`"), r"netem argument '`id`'"),
    ("wire_netem_path", step("wire: netem both delay ../x"), r"netem argument '\.\./x'"),
    ("wire_netem_no_args", step("wire: netem both"), r"write 'netem c>s\|s>c\|both ARGS"),
    ("wire_drop_gap", step("wire: drop c>s F gap 1s..2s"), r"a fault's pattern takes no '(gap|at)'"),
    ("wire_hold_until_at", step("wire: hold c>s F until s>c F at 1s..2s after step 1"), r"a fault's pattern takes no '(gap|at)'"),
    ("wire_drop_bad_pattern", step("wire: drop c>s Q"), r"unknown TCP flag 'Q'"),
    ("wire_hold_no_until_pattern", step("wire: hold c>s F until"), r"'until' needs a pattern"),
    ("wire_heal_args", step("wire: heal now"), r"write 'heal'"),
    ("wire_delay_word", step("wire: delay both soon"), r"bad duration 'soon'"),
    # --- sysctl ------------------------------------------------------------------
    ("sysctl_not_net", edit("net.ipv4.tcp_fin_timeout: 1", "kernel.panic: 1"), r"sysctl 'kernel.panic' is not a per-namespace"),
    ("sysctl_misspelt", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4.tcp_fin_timout: 1"), r"unknown sysctl 'net.ipv4.tcp_fin_timout'.*did you mean net.ipv4.tcp_fin_timeout\?"),
    ("sysctl_unknown_iface", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4.conf.eth9.rp_filter: 1"), r"unknown sysctl 'net.ipv4.conf.eth9.rp_filter'"),
    ("sysctl_value_subshell", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4.tcp_fin_timeout: $(reboot)"), r"sysctl value '\$\(reboot\)' for 'net.ipv4.tcp_fin_timeout' must be numbers or words"),
    ("sysctl_value_semicolon", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4.tcp_fin_timeout: '1;reboot'"), r"must be numbers or words"),
    ("sysctl_value_newline", edit("net.ipv4.tcp_fin_timeout: 1", 'net.ipv4.tcp_fin_timeout: "1\\n2"'), r"sysctl value '1\\n2' .*must be numbers or words"),
    ("sysctl_value_slash", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4.tcp_fin_timeout: /etc/passwd"), r"must be numbers or words"),
    ("sysctl_value_empty", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4.tcp_fin_timeout: ''"), r"must be numbers or words"),
    ("sysctl_value_long", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4.tcp_fin_timeout: " + "1" * 300), r"must be numbers or words"),
    ("sysctl_value_two_spaces", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4.tcp_rmem: '4096  87380 6291456'"), r"must be numbers or words"),
    ("sysctl_value_list", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4.tcp_fin_timeout: [1]"), r"sysctl value must be a single value"),
    ("sysctl_key_long", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4." + "x" * 200 + ": 1"), r"is not a per-namespace"),
    ("sysctl_key_upper", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4.TCP_FIN_TIMEOUT: 1"), r"is not a per-namespace"),
    ("sysctl_key_empty_part", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4..tcp_fin_timeout: 1"), r"is not a per-namespace"),
    ("sysctl_key_path", edit("net.ipv4.tcp_fin_timeout: 1", "net/ipv4/tcp_fin_timeout: 1"), r"is not a per-namespace"),
    ("sysctl_side_proxy", edit("  client: {net.ipv4.tcp_fin_timeout: 1}", "  proxy: {net.ipv4.tcp_fin_timeout: 1}"), r"unknown peer 'proxy'"),
    # --- states ------------------------------------------------------------------
    ("state_unknown", edit("FIN_WAIT1, ...]", "FIN_WAIT3, ...]"), r"unknown TCP state 'FIN_WAIT3'"),
    ("state_number", edit("FIN_WAIT1, ...]", "4, ...]"), r"unknown TCP state '4'"),
    ("state_double_optional", edit("FIN_WAIT1, ...]", "FIN_WAIT1??, ...]"), r"unknown TCP state 'FIN_WAIT1\?\?'"),
    ("state_side_proxy", edit("    client: [SYN_SENT, ESTABLISHED, FIN_WAIT1, ...]", "    proxy: [SYN_SENT]"), r"unknown peer 'proxy'"),
    ("state_nested", edit("FIN_WAIT1, ...]", "[FIN_WAIT1], ...]"), r"state must be a single value"),
    ("leftover_unknown", edit("    client: [TIME_WAIT]", "    client: [TIME_WAITING]"), r"unknown TCP state 'TIME_WAITING'"),
    ("forbid_leftover_unknown", GOOD + "  forbid_leftovers:\n    server: [ZOMBIE]\n", r"unknown TCP state 'ZOMBIE'"),
    # --- encoding ------------------------------------------------------------------
    ("utf8_summary", edit("summary: a sample scenario", "summary: caf\udce9").encode("utf-8", "surrogateescape"), r"bad YAML: .*UTF-8"),
    ("utf8_claim", edit("# Claim: the base", "# Claim: th\udcffe base").encode("utf-8", "surrogateescape"), r"bad YAML: .*UTF-8"),
    ("utf8_step", edit("  - client: close", "  - client: clos\udcc3").encode("utf-8", "surrogateescape"), r"bad YAML: .*UTF-8"),
    ("utf8_sysctl_value", edit("net.ipv4.tcp_fin_timeout: 1", "net.ipv4.tcp_fin_timeout: \udcb1").encode("utf-8", "surrogateescape"), r"bad YAML: .*UTF-8"),
    ("utf8_overlong", edit("summary: a sample scenario", "summary: \udcc0\udcaf").encode("utf-8", "surrogateescape"), r"bad YAML: .*UTF-8"),
    ("utf16_file", GOOD.encode("utf-16"), r"the file is UTF-16 or UTF-32: scenario files are UTF-8"),
    ("utf16_be_file", b"\xfe\xff" + GOOD.encode("utf-16-be"), r"the file is UTF-16 or UTF-32"),
    ("nul_byte", edit("summary: a sample scenario", "summary: a\x00b").encode(), r"bad YAML: "),
    ("control_in_summary", edit("summary: a sample scenario", 'summary: "bell\\a"'), r"summary must be one line of printable text"),
    ("escape_nul_in_summary", edit("summary: a sample scenario", 'summary: "nul\\0"'), r"summary must be one line of printable text"),
    ("newline_in_step", edit("  - client: close", '  - client: "close\\nnow"'), r"step must be one line of printable text"),
    ("summary_too_long", edit("summary: a sample scenario", "summary: " + "s" * 1200), r"summary is longer than 1000 characters"),
    # --- what could only fail at run time ----------------------------------------
    ("left_running_no_program", edit("  leftovers:", "  left_running: [server]\n  leftovers:"),
     r":\d+: no program runs on the server \(exec\): none can leave anything"),
    ("left_running_not_a_side", edit("  leftovers:", "  left_running: [proxy]\n  leftovers:"), r"unknown peer 'proxy'"),
    ("barrier_with_outcome", step("wait: s>c F within 300ms -> timeout"), r":\d+: a wire wait takes no outcome \('->'\)"),
    ("await_nothing", step("client: await"), r":\d+: nothing to await: no client step before it runs in the background \(end one with '&'\)"),
    ("await_twice", step("client: recv &\n  - client: await\n  - client: await"),
     r":\d+: nothing to await: no client step before it runs in the background"),
    ("await_other_side", step("server: recv &\n  - client: await"), r":\d+: nothing to await: no client step"),
    ("close_notify_without_handshake", step("client: tls close_notify"),
     r":\d+: tls close_notify needs a TLS session: no 'tls handshake' of the client before it"),
    ("close_notify_other_side", step("server: tls handshake &\n  - client: tls close_notify"),
     r":\d+: tls close_notify needs a TLS session: no 'tls handshake' of the client before it"),
    ("cm_inq_without_tcp_inq", step("server: get cm_inq"), r":\d+: get cm_inq needs TCP_INQ on: no 'set tcp_inq 1' of the server before it"),
    ("cm_inq_after_tcp_inq_off", step("server: set tcp_inq 1\n  - server: set tcp_inq 0\n  - server: get cm_inq"),
     r":\d+: get cm_inq needs TCP_INQ on"),
    ("release_nothing_held", step("wire: release 1"), r":\d+: nothing to release: no 'wire: hold' step before it"),
    ("release_before_hold", step("wire: release\n  - wire: hold c>s F."), r":\d+: nothing to release: no 'wire: hold' step"),
    # --- aliases and depth ---------------------------------------------------------
    ("alias_billion_laughs", BILLION_LAUGHS, r"more than 100000 nodes"),
    ("alias_unknown_anchor", edit("tags: [fin]", "tags: *nothing"), r"alias '\*nothing' names no anchor"),
    ("alias_step_lists", edit("  - wait: 50ms", "  - &w {wait: 50ms}\n  - *w\n  - *w\n  - {wait: soon}"), r"bad duration 'soon'"),
    ("depth_nested_lists", DEEP, r"nesting deeper than 32 levels"),
    ("depth_nested_maps", "name: " + "{a: " * 60 + "b" + "}" * 60 + "\n", r"nesting deeper than 32 levels"),
]

FILE_CASES = ["fifo", "directory", "ten_megabytes", "missing", "symlink_loop", "device"]


def run_bad(closepath, path, tmp_path):
    done = closepath("run", path, "--out", tmp_path / "out", timeout=20)
    return done


def assert_refused(done, path, message, tmp_path):
    assert done.returncode == 2, f"exit {done.returncode}: {done.stdout}{done.stderr}"
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"{path}:"), lines[0]
    assert re.match(rf"^{re.escape(str(path))}(:\d+)?: ", lines[0]), lines[0]
    assert re.search(message, lines[0]), f"expected /{message}/ in: {lines[0]}"
    assert "internal error" not in lines[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists(), "a refused scenario must not start anything"


def test_the_base_is_good(closepath, tmp_path):
    path = tmp_path / "sample.yaml"
    path.write_text(GOOD)
    done = closepath("run", "--dry-run", path)
    assert done.returncode == 0, done.stderr


def test_there_are_at_least_150_cases():
    assert len(CASES) + len(FILE_CASES) >= 150
    assert len({c[0] for c in CASES}) == len(CASES), "case ids are unique"


@pytest.mark.parametrize("case,text,message", CASES, ids=[c[0] for c in CASES])
def test_malformed_scenario_is_refused_in_one_line(closepath, tmp_path, case, text, message):
    path = tmp_path / f"{case}.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    assert_refused(run_bad(closepath, path, tmp_path), path, message, tmp_path)


@pytest.mark.parametrize("case", FILE_CASES)
def test_a_path_that_is_no_scenario_file_is_refused(closepath, tmp_path, case):
    path = tmp_path / f"{case}.yaml"
    message = {"fifo": r"not a regular file", "directory": r"not a regular file",
               "ten_megabytes": r"the file is larger than 1024 KiB", "missing": r"no such file",
               "symlink_loop": r"cannot open the file|no such file", "device": r"not a regular file"}[case]
    if case == "fifo":
        os.mkfifo(path)  # nobody writes: a reader that opened it blocking would hang
    elif case == "directory":
        path.mkdir()
    elif case == "ten_megabytes":
        path.write_text(GOOD + "#" * (10 << 20))
    elif case == "symlink_loop":
        os.symlink(path, path)
    elif case == "device":
        os.symlink("/dev/zero", path)
    assert_refused(run_bad(closepath, path, tmp_path), path, message, tmp_path)
