"""Each catalogue scenario must fail when its decisive action is removed or
changed: proof that it is not vacuous. Each row edits one line of the real
catalogue file and names the failure message the run must print."""
import json
import re

import pytest

from closepath_plugin import ROOT

# scenario, the line as written, its replacement ("" removes it), the message
VARIANTS = [
    ("graceful_fin", "  - client: close", "",
     r"graceful_fin\.yaml:\d+: step 8 \(server recv -> eof\): expected eof vs actual operation_aborted \(0 bytes\) at its deadline of 5000 ms"),
    ("half_close", "  - client: shutdown wr", "",
     r"half_close\.yaml:\d+: step 6 \(server recv all -> 100 eof\): expected eof \(100 bytes\) vs actual operation_aborted \(100 bytes\) at its deadline of 5000 ms"),
    ("linger_zero", "  - client: set linger 0", "",
     r"linger_zero\.yaml:\d+: step 8 \(server recv -> ECONNRESET\): expected ECONNRESET vs actual eof \(0 bytes\)"),
    ("rst_on_unread_close", "  - wait: s>c . ack 501 within 1s", "  - server: recv 500",
     r"rst_on_unread_close\.yaml:\d+: step 7 \(client recv -> ECONNRESET\): expected ECONNRESET vs actual eof \(0 bytes\)"),
    ("write_after_peer_close", "  - server: close", "  - server: shutdown wr",
     # No RST comes: the barrier waiting for it says so first.
     r"write_after_peer_close\.yaml:\d+: step 8 \(wait s>c R within 1s\): expected 1 packet\(s\) matching 's>c R' on the wire within 1000 ms vs actual 0"),
    ("connection_refused", "  - client: connect -> ECONNREFUSED", "  - server: listen\n  - client: connect -> ECONNREFUSED",
     r"connection_refused\.yaml:\d+: step 2 \(client connect -> ECONNREFUSED\): expected ECONNREFUSED vs actual ok"),
    # The wire alone catches it too: linger_zero's outcomes relaxed, its linger removed.
    ("linger_zero", "  - client: set linger 0\n  - client: close\n  - server: recv -> ECONNRESET\n  - server: recv -> eof",
     "  - client: close\n  - server: recv -> eof",
     r"linger_zero\.yaml:\d+: wire: frame 6 \(c>s F\. seq 1001 ack 1 len 0\): pattern 6 'c>s R\. seq 1001 ack 1': expected R\. vs actual F\."),
    # Without the hold, and with the server closing only once it has ACKed the client's FIN, the FINs
    # cannot cross: deterministic, where merely removing the hold left it to a race.
    ("simultaneous_close", "  - wire: hold c>s +F until s>c +F\n  - client: close", "  - client: close\n  - wait: s>c . ack 2",
     r"simultaneous_close\.yaml:\d+: wire: frame 5 \(s>c \. seq 1 ack 2 len 0\): pattern 5 's>c F\. seq 1 ack 1': "
     r"expected F\. vs actual \."),
    ("keepalive_timeout", "  - wire: blackhole both", "",
     r"keepalive_timeout\.yaml:\d+: step 8 \(client recv within 6s -> ETIMEDOUT\): expected ETIMEDOUT vs actual operation_aborted"),
    # A 2 s keepalive interval is told from a 1 s one by the wire timing alone.
    ("keepalive_timeout", "  - client: set keepintvl 1", "  - client: set keepintvl 2",
     r"keepalive_timeout\.yaml:\d+: wire: frame 5 \(c>s \. seq 0 ack 1 len 0\): pattern 5 'c>s \. seq 0 ack 1 len 0 gap 800ms\.\.1500ms': expected gap 800ms\.\.1500ms vs actual gap [\d.]+m?s"),
    # A shorter rto_min fits more RTOs in the user timeout (tcp_info says so first; the timing windows notice too).
    ("user_timeout", "rto_min: {client: 500ms}", "rto_min: {client: 100ms}",
     r"user_timeout\.yaml:\d+: step 8 \(client get tcp_info -> state CLOSE retransmits 2 unacked 0\): tcp_info: expected retransmits 2 vs actual [3-9]"),
    ("user_timeout", "  - wire: blackhole both", "",
     r"user_timeout\.yaml:\d+: step 6 \(client recv within 5s -> ETIMEDOUT\): expected ETIMEDOUT vs actual operation_aborted"),
    ("middlebox_reset", "  - wire: inject rst toward both exact", "",
     r"middlebox_reset\.yaml:\d+: step 6 \(client recv within 2s -> ECONNRESET\): expected ECONNRESET vs actual operation_aborted"),
    ("middlebox_reset_in_window", "  - wire: inject rst toward server in-window", "  - wire: inject rst toward server exact",
     # An exact RST resets the server: no challenge ACK comes, and the barrier waiting for it says so first.
     r"middlebox_reset_in_window\.yaml:\d+: step 7 \(wait s>c \. ack 1001 \{2\} within 1s\): expected 2 packet\(s\) matching 's>c \. ack 1001' on the wire within 1000 ms vs actual 1"),
    # Without the close the rest of the line waits for more: the reader's deadline, not eof.
    ("eof_mid_line", "  - client: close", "",
     r'eof_mid_line\.yaml:\d+: step 7 \(server recv until "\\r\\n" -> 3 eof\): expected eof \(3 bytes\) vs actual operation_aborted \(3 bytes\) at its deadline of 5000 ms'),
    ("tls_handshake_stall", "  - server: tls stall", "  - server: tls handshake",
     r"tls_handshake_stall\.yaml:\d+: step 4 \(client tls handshake within 1s -> operation_aborted &\): expected operation_aborted of the asio peer vs actual ok"),
    ("eof_mid_read", "  - server: send message 65536 16384", "  - server: send message 16384 16384",
     r"eof_mid_read\.yaml:\d+: step 4 \(client recv message -> 16384 eof &\): expected eof \(16384 bytes\) vs actual ok \(16384 bytes\)"),
    ("eof_mid_read_tls_truncated", "  - server: close", "  - server: tls close_notify within 300ms -> operation_aborted\n  - server: close",
     r"eof_mid_read_tls_truncated\.yaml:\d+: step 7 \(client recv message -> 16384 stream_truncated &\): expected stream_truncated \(16384 bytes\) of the asio peer vs actual eof \(16384 bytes\)"),
    ("eof_mid_read_tls_close_notify",
     "  - server: tls close_notify within 300ms -> operation_aborted\n    go: deadline_exceeded\n    python: deadline_exceeded", "",
     r"eof_mid_read_tls_close_notify\.yaml:\d+: step 7 \(client recv message -> 16384 eof &\): expected eof \(16384 bytes\) vs actual stream_truncated \(16384 bytes\)"),
    ("peer_crash", "  - server: crash", "",
     r"peer_crash\.yaml:\d+: step 7 \(client recv within 2s -> eof\): expected eof vs actual operation_aborted \(0 bytes\) at its deadline of 2000 ms"),
    ("peer_crash_unread", "  - server: crash", "  - server: recv 500\n  - server: crash",
     r"peer_crash_unread\.yaml:\d+: step 8 \(client recv -> ECONNRESET\): expected ECONNRESET vs actual eof \(0 bytes\)"),
    ("read_deadline", "  - client: recv within 1s -> operation_aborted", "  - server: send 10\n  - client: recv within 1s -> operation_aborted",
     r"read_deadline\.yaml:\d+: step 5 \(client recv within 1s -> operation_aborted\): expected operation_aborted of the asio peer vs actual ok \(10 bytes\)"),
    # Without netem the answers come back at once: the timing window notices (runs on any kernel).
    ("netem_delay", "  - wire: netem both delay 50ms", "",
     r"netem_delay\.yaml:\d+: wire: frame 2 \(s>c S\. seq 0 ack 1 len 0\): pattern 2 's>c S\. gap 40ms\.\.300ms': expected gap 40ms\.\.300ms vs actual gap [\d.]+(us|ms)"),
    # Without netem the FIN arrives at once: no retransmission (runs on any kernel).
    ("netem_fin_loss", "  - wire: netem c>s loss 100%\n  - client: close\n  - wait: c>s F. within 1s\n  - wire: netem c>s loss 0%",
     "  - client: close\n  - wait: c>s F. within 1s",
     r"netem_fin_loss\.yaml:\d+: wire: frame 5 \(s>c \. seq 1 ack 2 len 0\): pattern 5 'c>s F\. seq 1 ack 1 gap 1800ms\.\.4s': expected c>s vs actual s>c"),
    # Without reordering the data and the FIN arrive in order: one ACK covers them, none repeats.
    ("netem_reorder_fin", "  - wire: netem c>s delay 1s reorder 100% gap 2", "",
     r"netem_reorder_fin\.yaml:\d+: step 7 \(wait s>c \. ack 102 \{2\} within 4s\): expected 2 packet\(s\) matching 's>c \. ack 102' on the wire within 4000 ms vs actual 1"),
    # Without the duplicate the client's one ACK ends LAST_ACK: no RST, and TIME_WAIT stays.
    ("netem_duplicate_fin", "  - wire: netem s>c delay 50ms duplicate 100%", "",
     r"netem_duplicate_fin\.yaml:\d+: step 8 \(wait s>c R within 2s\): expected 1 packet\(s\) matching 's>c R' on the wire within 2000 ms vs actual 0"),
    # The impair twins, the impairment removed: each fails as its netem twin does, on any kernel.
    ("impair_delay", "  - wire: impair both delay 50ms", "",
     r"impair_delay\.yaml:\d+: wire: frame 2 \(s>c S\. seq 0 ack 1 len 0\): pattern 2 's>c S\. gap 40ms\.\.300ms': expected gap 40ms\.\.300ms vs actual gap [\d.]+(us|ms)"),
    ("impair_fin_loss", "  - wire: impair c>s loss 100%\n  - client: close\n  - wait: c>s F. within 1s\n  - wire: impair c>s off",
     "  - client: close\n  - wait: c>s F. within 1s",
     r"impair_fin_loss\.yaml:\d+: wire: frame 5 \(s>c \. seq 1 ack 2 len 0\): pattern 5 'c>s F\. seq 1 ack 1 gap 1800ms\.\.4s': expected c>s vs actual s>c"),
    ("impair_reorder_fin", "  - wire: impair c>s delay 1s reorder 100% gap 2", "",
     r"impair_reorder_fin\.yaml:\d+: step 7 \(wait s>c \. ack 102 \{2\} within 4s\): expected 2 packet\(s\) matching 's>c \. ack 102' on the wire within 4000 ms vs actual 1"),
    ("impair_duplicate_fin", "  - wire: impair s>c delay 50ms duplicate 100%", "",
     r"impair_duplicate_fin\.yaml:\d+: step 8 \(wait s>c R within 2s\): expected 1 packet\(s\) matching 's>c R' on the wire within 2000 ms vs actual 0"),
    # Without the gap every frame goes at once (reorder 100%): the data comes first, nothing is reordered.
    ("impair_reorder_fin", " reorder 100% gap 2", " reorder 100%",
     r"impair_reorder_fin\.yaml:\d+: step 8 \(wait s>c \. ack 102 \{2\} within 4s\): expected 2 packet\(s\) matching 's>c \. ack 102' on the wire within 4000 ms vs actual 1"),
    # Without the corruption the FIN goes through whole: nothing marks it, and no retransmission follows.
    ("impair_corrupt_fin", "  - wire: impair c>s corrupt 100%", "",
     r"impair_corrupt_fin\.yaml:\d+: wire: frame 4 \(c>s F\. seq 1 ack 1 len 0\): pattern 4 'c>s F\. seq 1 ack 1 wire corrupted': expected wire corrupted vs actual untouched by the wire"),
    ("peer_close_poll", "  - server: close", "",
     r"peer_close_poll\.yaml:\d+: step 9 \(client poll within 1s -> rdhup\): expected rdhup vs actual operation_aborted \(0 bytes\) at its deadline of 1000 ms"),
    # A RST instead of a FIN: poll reports the pending error, not the peer's half-close.
    ("peer_close_poll", "  - server: close", "  - server: set linger 0\n  - server: close",
     r"peer_close_poll\.yaml:\d+: step 11 \(client poll within 1s -> rdhup\): expected rdhup vs actual pollerr \(0 bytes\)"),
    ("fin_wait2_close_wait_leak", "  client: {net.ipv4.tcp_fin_timeout: 1}", "  client: {}",
     r"fin_wait2_close_wait_leak\.yaml:\d+: states: client \(kernel trace\): expected \[SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE\] vs actual \[SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2\]"),
    ("close_on_syn_sent", "  - wire: blackhole c>s", "",
     # Answered, the connect completes in the kernel; whether the peer's Asio handler ran before the close (ok)
     # or the close cancelled it (operation_aborted) is the peer's race. Either way the FIN that follows fails it.
     r"close_on_syn_sent\.yaml:\d+: (step 2 \(client connect -> operation_aborted &\): expected operation_aborted vs actual ok"
     r"|wire: frame 2 \(s>c S\. seq 0 ack 1 len 0\): not expected)"),
    # Answered, the Python client's connect succeeds before the close: no EBADF, and its FIN follows.
    ("close_on_syn_sent_python", "  - wire: blackhole c>s", "",
     r"close_on_syn_sent_python\.yaml:\d+: step 2 \(client connect within 3\.5s -> EBADF at 3\.4s\.\.4\.1s after step 3 &\): "
     r"expected EBADF of the python peer vs actual ok"),
    # A server that leaves the bytes in the kernel (Python's blocking socket): SIOCINQ holds them, and its close
    # would send a RST.
    ("unread_close_asyncio", "  server: asyncio", "  server: python",
     r"unread_close_asyncio\.yaml:\d+: step 6 \(server get inq -> 0\): expected ok \(0 bytes\) of the python peer vs actual ok \(1000 bytes\)"),
    ("last_ack_lost", "  - wire: drop c>s .", "",
     r"last_ack_lost\.yaml:\d+: step 8 \(wait s>c F\. \{2\} within 3s\): expected 2 packet\(s\) matching 's>c F\.' on the wire within 3000 ms vs actual 1"),
    ("data_after_close_abort", "  - server: send 100", "",
     r"data_after_close_abort\.yaml:\d+: step 7 \(wait c>s R within 1s\): expected 1 packet\(s\) matching 'c>s R' on the wire within 1000 ms vs actual 0"),
    ("rst_in_close_wait", "  - wire: inject rst toward server exact", "",
     r"rst_in_close_wait\.yaml:\d+: step 10 \(server get so_error -> EPIPE\): expected EPIPE vs actual ok"),
    # Without TCP_MAXSEG the SYN advertises the path's MSS.
    ("maxseg_segments", "  - client: set maxseg 1000", "",
     r"maxseg_segments\.yaml:\d+: wire: frame 1 \(c>s S seq 0 len 0\): pattern 1 'c>s S mss 1000 sackOK TS': expected mss 1000 vs actual mss 14[46]0"),
    # Without its delay the answers come back at once: the timing window notices.
    # Without the delay the round trip is the veth's: tcp_info's rtt_us says so first.
    ("wire_delay", "  - wire: delay both 50ms", "",
     r"wire_delay\.yaml:\d+: step 4 \(client get tcp_info -> rtt_us 90000\.\.600000\): tcp_info: expected rtt_us 90000\.\.600000 vs actual \d+"),
    ("syn_retry_after_heal", "  - wire: blackhole c>s", "",
     r"syn_retry_after_heal\.yaml:\d+: step 2 \(client connect within 3s -> ok at 0\.9s\.\.1\.6s after step 3 &\): "
     r"expected ok at 900ms\.\.1600ms after step 3 vs actual at [\d.]+(us|ms)"),
    # Without the heal the retry is dropped too: connect never completes.
    ("syn_retry_after_heal", "  - wire: heal", "",
     r"syn_retry_after_heal\.yaml:\d+: step 3 \(client connect within 3s -> ok at 0\.9s\.\.1\.6s after step 3 &\): "
     r"expected ok vs actual operation_aborted \(0 bytes\) at its deadline of 3000 ms"),
    ("syn_timeout", "  - wire: blackhole c>s", "  - wire: heal",
     r"syn_timeout\.yaml:\d+: step 3 \(client connect within 10s -> ETIMEDOUT at 2\.7s\.\.3\.6s after step 3\): expected ETIMEDOUT vs actual ok"),
    # The outcome's own time window is not vacuous: a second retry moves ETIMEDOUT out of it.
    ("syn_timeout", "  client: {net.ipv4.tcp_syn_retries: 1}", "  client: {net.ipv4.tcp_syn_retries: 2}",
     r"syn_timeout\.yaml:\d+: step 3 \(.*\): expected ETIMEDOUT at 2700ms\.\.3600ms after step 3 vs actual at [\d.]+m?s"),
    ("socket_destroy", "  - client: destroy", "",
     r"socket_destroy\.yaml:\d+: step 4 \(client recv within 1s -> ECONNABORTED &\): expected ECONNABORTED vs actual operation_aborted"),
    # Answered, the probes never end the orphan: the third one is answered too, and probing goes on.
    ("zero_window_close", "  - wire: blackhole s>c", "",
     r"zero_window_close\.yaml:\d+: wire: frame \d+ \(c>s \. seq 1 ack \d+ len 0\): not expected"),
    # One more unanswered probe allowed: a fourth probe leaves before the orphan is reaped.
    ("zero_window_close", "  server: {net.ipv4.tcp_orphan_retries: 1}", "  server: {net.ipv4.tcp_orphan_retries: 2}",
     r"zero_window_close\.yaml:\d+: wire: frame \d+ \(s>c \. seq \d+ ack 1 len 0\): not expected"),
    # The default tcp_invalid_ratelimit (500 ms): the reader leaves the second probe, ~430 ms after the first, unanswered.
    ("zero_window_close", "  client: {net.ipv4.tcp_invalid_ratelimit: 0}", "",
     r"zero_window_close\.yaml:\d+: wire: pattern 9 'c>s \. win 0': expected a packet but the capture ended"),
    # No time-wait socket for the server (no buckets): its orphan FIN_WAIT2 ends at once, and the client's
    # FIN meets no socket: a RST, not the ACK a TIME_WAIT sends.
    ("time_wait_reuse", "tags: [fin, time_wait]", "tags: [fin, time_wait]\nsysctl:\n  server: {net.ipv4.tcp_max_tw_buckets: 0}",
     r"time_wait_reuse\.yaml:\d+: step 8 \(wait s>c \. ack fin within 1s\): expected 1 packet\(s\) matching 's>c \. ack fin' on the wire within 1000 ms vs actual 0"),
    # Closed only once the SYN has been answered: the connect completes, nothing meets a missing socket.
    ("syn_ack_after_close", "  - client: close\n  - client: await\n  - wire: release",
     "  - wire: release\n  - client: await\n  - client: close",
     r"syn_ack_after_close\.yaml:\d+: step 3 \(client connect -> operation_aborted &\): expected operation_aborted vs actual ok"),
    # Without linger2 the orphan's FIN_WAIT2 lasts tcp_fin_timeout (60 s): the FIN is ACKed, no RST.
    ("fin_wait2_linger2_expired", "  - client: set linger2 1", "",
     r"fin_wait2_linger2_expired\.yaml:\d+: step 9 \(wait c>s R within 1s\): expected 1 packet\(s\) matching 'c>s R' on the wire within 1000 ms vs actual 0"),
    # The FIN alone reaches the stand-in: it takes it (TIME_WAIT) and ACKs it; no RST at all.
    ("data_into_closed_fin_wait2", "  - wire: hold c>s P.\n  - wire: hold c>s +F\n  - client: send 100", "  - wire: hold c>s +F",
     r"data_into_closed_fin_wait2\.yaml:\d+: step 11 \(wait s>c R \{2\} within 1s\): expected 2 packet\(s\) matching 's>c R' on the wire within 1000 ms vs actual 0"),
    # The first read left out: SIOCINQ still counts its 1000 bytes.
    ("siocinq_fin", "  - server: recv 1000\n  - server: get inq -> 0\n  - client: send 1000", "  - server: get inq -> 0\n  - client: send 1000",
     r"siocinq_fin\.yaml:\d+: step 8 \(server get inq -> 0\): expected ok \(0 bytes\) vs actual ok \(1000 bytes\)"),
    # A length range is checked like a length: the server's first flight is not 700 to 739 bytes.
    ("eof_mid_read_tls_close_notify", "    - s>c P. seq 1 len 740..780", "    - s>c P. seq 1 len 700..739",
     r"eof_mid_read_tls_close_notify\.yaml:\d+: wire: pattern \d+ 's>c P\. seq 1 len 700\.\.739': expected a packet but the capture ended"),
    # Without the blackhole the data is acknowledged at once: no orphan holds it.
    ("close_with_unacked_data", "  - wire: blackhole s>c", "",
     r"close_with_unacked_data\.yaml:\d+: wire: frame 5 \(c>s \. seq 1 ack 1001 len 0\): pattern 5 's>c F\. ack 1': expected s>c vs actual c>s"),
    # What the orphan holds is checked: 500 bytes and the FIN are 501.
    ("close_with_unacked_data", "  - server: send 1000", "  - server: send 500",
     r"close_with_unacked_data\.yaml:\d+: leftovers: expected a server FIN_WAIT1 send_q 1001 timer retransmit orphan socket vs "
     r"FIN_WAIT1 socket \S+ -> \S+ \(recv-q 0, send-q 501, timer retransmit, orphan\)"),
    # Without SHUT_RD the read waits for data: no eof.
    ("shutdown_rd_still_reads", "  - server: shutdown rd", "",
     r"shutdown_rd_still_reads\.yaml:\d+: step 5 \(server recv within 1s -> eof\): expected eof vs actual operation_aborted \(0 bytes\) at its deadline of 1000 ms"),
    # Without the copy the FIN draws one ACK: no RST, and the client's TIME_WAIT stays.
    ("duplicate_fin", "  - wire: duplicate s>c F.", "",
     r"duplicate_fin\.yaml:\d+: step 9 \(wait c>s \. seq 2 ack 2 \{2\} within 1s\): expected 2 packet\(s\) matching 'c>s \. seq 2 ack 2' on the wire within 1000 ms vs actual 1"),
    # No spoofed FIN: the server reads nothing.
    ("spoofed_fin", "  - wire: inject c>s F.", "",
     r"spoofed_fin\.yaml:\d+: step 5 \(server recv within 1s -> eof\): expected eof vs actual operation_aborted \(0 bytes\) at its deadline of 1000 ms"),
    # One past RCV.NXT the FIN is out of order: queued, not taken; no eof.
    ("spoofed_fin", "  - wire: inject c>s F.", "  - wire: inject c>s F. seq +1",
     r"spoofed_fin\.yaml:\d+: step 6 \(server recv within 1s -> eof\): expected eof vs actual operation_aborted \(0 bytes\) at its deadline of 1000 ms"),
    # SHUT_RD alone sends no FIN: the client never ACKs one.
    # Without release 1 the window stays shut: no eleventh segment.
    ("shutdown_rdwr_send_queue_ack_close", "  - wire: release 1", "  - wait: 1ms",
     r"shutdown_rdwr_send_queue_ack_close\.yaml:\d+: step 16 \(wait s>c \+\. len 988 \{12\} within 1s\): expected 12 packet\(s\) "
     r"matching 's>c \+\. len 988' on the wire within 1000 ms vs actual 10"),
    ("shutdown_rdwr_send_queue_ack_close", "  - server: shutdown rdwr", "  - server: shutdown rd",
     r"shutdown_rdwr_send_queue_ack_close\.yaml:\d+: step 12 \(server get tcp_info -> state FIN_WAIT1\): tcp_info: expected state "
     r"FIN_WAIT1 vs actual ESTABLISHED"),
    # With an acceptable ACK the FIN is taken: the server reads eof, not the client's data.
    ("ts_recent_invalid_ack", "  - wire: inject c>s F. ack +9999 tsval +200000", "  - wire: inject c>s F. tsval +200000",
     r"ts_recent_invalid_ack\.yaml:\d+: step 7 \(server recv 1000 within 1s\): expected ok \(1000 bytes\) vs actual eof \(0 bytes\)"),
    # The read is what catches a TS.Recent update: an acceptable segment with that TSval makes PAWS drop the real data.
    ("ts_recent_invalid_ack", "  - wire: inject c>s F. ack +9999 tsval +200000", "  - wire: inject c>s . tsval +200000",
     r"ts_recent_invalid_ack\.yaml:\d+: step 7 \(server recv 1000 within 1s\): expected ok \(1000 bytes\) vs actual operation_aborted"),
    # Without the quiet second, the FIN's TSval is its data's, give or take a tick.
    ("fin_rst_tsval", "  - wait: 1s\n  - client: close", "  - client: close",
     r"fin_rst_tsval\.yaml:\d+: wire: frame 6 \(c>s F\. seq 1001 ack 1 len 0\): pattern 6 'c>s F\. seq 1001 ack 1 tsval \+1000\.\.1300': "
     r"expected tsval \+1000\.\.1300 vs actual tsval \+\d\b"),
    ("fin_rst_tsval", "  - wait: 1s\n  - server: close", "  - server: close",
     r"fin_rst_tsval\.yaml:\d+: wire: frame 8 \(s>c R\. seq 1 ack 1002 len 0\): pattern 8 's>c R\. seq 1 ack 1002 tsval \+1000\.\.1300': "
     r"expected tsval \+1000\.\.1300 vs actual tsval \+\d\b"),
    ("syn_in_established", "  - wire: inject c>s S seq -1 mss 1000 sackOK TS wscale 7", "",
     r"syn_in_established\.yaml:\d+: step 5 \(wait s>c \. ack 1 within 1s\): expected 1 packet\(s\) matching 's>c \. ack 1' on the "
     r"wire within 1000 ms vs actual 0"),
    # The capture is what the server received: an option left out of the inject is missing there.
    ("syn_in_established", "  - wire: inject c>s S seq -1 mss 1000 sackOK TS wscale 7", "  - wire: inject c>s S seq -1 mss 1000 sackOK TS",
     r"syn_in_established\.yaml:\d+: wire: frame 4 \(c>s S seq 0 len 0\): pattern 4 'c>s S seq 0 mss 1000 wscale 7 sackOK TS wire "
     r"injected': expected wscale 7 vs actual no wscale"),
    # Without the server's FIN there is no fake byte: TCP_CM_INQ is the unread bytes alone.
    ("inq_fin", "  - server: close\n  - wait: c>s . ack fin within 1s", "",
     r"inq_fin\.yaml:\d+: step 14 \(client get cm_inq -> 9001\): expected ok \(9001 bytes\) vs actual ok \(9000 bytes\)"),
    ("shutdown_rdwr_close", "  - server: shutdown rdwr", "  - server: shutdown rd",
     r"shutdown_rdwr_close\.yaml:\d+: step 6 \(wait c>s \. ack 2 within 1s\): expected 1 packet\(s\) matching 'c>s \. ack 2' on the wire within 1000 ms vs actual 0"),
    # Nothing replayed: no segment meets the closed socket, no RST.
    ("segment_after_last_ack", "  - wire: inject c>s .", "",
     r"segment_after_last_ack\.yaml:\d+: step 9 \(wait s>c R within 1s\): expected 1 packet\(s\) matching 's>c R' on the wire within 1000 ms vs actual 0"),
    # The answers lost: the next probe comes keepintvl (1 s) after the first, inside the quiet second.
    ("keepalive_answered", "  - client: set keepintvl 1", "  - client: set keepintvl 1\n  - wire: blackhole s>c",
     r"keepalive_answered\.yaml:\d+: step 9 \(wait quiet c>s 1500ms\): expected no c>s packet for 1500 ms vs frame \d+ "
     r"\(c>s \. seq 0 ack 1 len 0\) [\d.]+m?s after the step began"),
    # Without `next` the second barrier is met at once by the first probe's answer: tcp_info is read a probe too early.
    ("keepalive_answered", "  - wait: next s>c . seq 1 ack 1 within 2s", "  - wait: s>c . seq 1 ack 1 within 2s",
     r"keepalive_answered\.yaml:\d+: step 10 \(client get tcp_info .*\): expected ok at 3900ms\.\.5500ms after step 2 vs actual at [\d.]+s"),
    # SHUT_WR as well: the FIN leaves and a write gets EPIPE. Under load the FIN (or the client's ACK of it)
    # may reach the wire once the quiet pause has begun: then that pause names it first.
    ("shutdown_rd_close", "  - server: shutdown rd", "  - server: shutdown rdwr",
     r"shutdown_rd_close\.yaml:\d+: (step 8 \(server send 1000\): expected ok \(1000 bytes\) vs actual EPIPE \(0 bytes\)"
     r"|step 6 \(wait quiet both 200ms\): expected no packet for 200 ms vs frame [45] \((s>c F\. seq 1 ack 1|c>s \. seq 1 ack 2) len 0\))"),
]


@pytest.mark.parametrize("name,line,replacement,message", VARIANTS,
                         ids=[f"{v[0]}-{i}" for i, v in enumerate(VARIANTS)])
def test_variant_fails(closepath, tmp_path, name, line, replacement, message):
    """Every catalogue scenario appears here at least once (see test_every_scenario_has_a_variant)."""
    text = (ROOT / "scenarios" / f"{name}.yaml").read_text()
    assert line + "\n" in text, f"{name}.yaml no longer has {line!r}: update this self-test"
    variant = tmp_path / f"{name}.yaml"
    variant.write_text(text.replace(line + "\n", replacement + "\n" if replacement else "", 1))
    run = closepath("run", variant, "--out", tmp_path / "out")
    assert run.returncode == 1, f"variant of {name} did not fail:\n{run.stdout}{run.stderr}"
    assert re.search(message, run.stdout), f"expected /{message}/ in:\n{run.stdout}"
    capture = tmp_path / "out" / name / "capture.pcapng"
    assert capture.exists()
    # Whatever failed (a step's outcome, a barrier, the wire, the states), check of the capture says the same.
    checked = closepath("check", capture, "--scenario", variant, "--json")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    live = json.loads((tmp_path / "out" / name / "report.json").read_text())["first_mismatch"]
    assert json.loads(checked.stdout)["first_mismatch"] == live


LEAK = ROOT / "pytest" / "data" / "close_wait_leak.yaml"


def test_close_wait_leak_is_named(closepath, tmp_path):
    """A server that never closes after EOF leaves CLOSE_WAIT: the run fails naming it."""
    run = closepath("run", LEAK, "--out", tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(r"close_wait_leak\.yaml:\d+: leftovers: the server left a CLOSE_WAIT socket "
                     r"10\.0\.0\.2:\d+ -> 10\.0\.0\.1:\d+ \(recv-q 0, send-q 0\): the server application never closed it",
                     run.stdout), run.stdout


def test_close_wait_leak_passes_when_expected(closepath, tmp_path):
    """The same scenario passes once it expects that leftover socket."""
    expected = tmp_path / "close_wait_leak.yaml"
    expected.write_text(LEAK.read_text() + "  leftovers:\n    server: [CLOSE_WAIT]\n")
    run = closepath("run", expected, "--out", tmp_path / "out")
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_scenario_has_a_variant():
    from closepath_plugin import catalogue_names
    missing = set(catalogue_names()) - {v[0] for v in VARIANTS}
    assert not missing, f"scenarios without a self-test variant: {sorted(missing)}"


# --- one state truth --------------------------------------------------------

STATE_CASES = {
    # file: the client's states as the kernel really went through them
    "close_after_shutdown": ["SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT"],
    "fin_behind_data": ["SYN_SENT", "ESTABLISHED", "FIN_WAIT1"],
    "rst_in_close_wait": ["SYN_SENT", "ESTABLISHED", "CLOSE_WAIT", "CLOSE"],
    "time_wait_assassinated": ["SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE"],
}


@pytest.mark.parametrize("name", sorted(STATE_CASES))
def test_kernel_and_capture_are_reconciled_as_root(closepath, tmp_path, name):
    """Cases where the trace and the capture used to 'disagree' although the kernel did nothing wrong."""
    run = closepath("run", ROOT / "pytest" / "data" / "states" / f"{name}.yaml", "--out", tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    import json
    client = json.loads((tmp_path / name / "report.json").read_text())["states"]["client"]
    assert client["kernel"] == STATE_CASES[name] == client["inferred"] and client["agree"]
