#!/usr/bin/env python3
"""pyclient.py: a libmsg client written from libmsg(7) alone (no C code
consulted), with the Python standard library only. It speaks wire
protocol v1 to the example workers and checks their answers.

usage: pyclient.py check RUNDIR
           Talk to RUNDIR/counter.sock and RUNDIR/echo.sock; print one
           "ok - ..." or "not ok - ..." line per check (unnumbered; the
           caller numbers them) and exit 1 if any failed.
       pyclient.py wait-ready SOCKET TIMEOUT_MS PIDFILE CMD [ARG...]
           Bind a datagram socket at SOCKET, run CMD with NOTIFY_SOCKET set
           to it, write its pid to PIDFILE and exit 0 once it sends READY=1
           (leaving it running), or 1 if it exits or the timeout passes first.
"""
import errno
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time

# --- libmsg(7), FRAMES ---
HDR = struct.Struct("<IHHII")		# len, kind, flags, tag, id
HELLO, CALL, CAST, REPLY, ERROR, EVENT, SUBSCRIBE, UNSUBSCRIBE = range(1, 9)
F_JSON = 0x0001
MAX_PAYLOAD = 16 * 2 ** 20		# LIMITS: the default receive limit
HELLO_PAYLOAD = b"LMSG" + struct.pack("<HH", 1, 0)
ERR_UNKNOWN_TAG, ERR_BAD_REQUEST, ERR_SERVER, ERR_OVERLOADED = 1, 2, 3, 4
TIMEOUT = 5.0				# seconds: an upper bound, never a wait


def msg_tag(name):
    """Tags: 32-bit FNV-1a over the name's UTF-8 bytes."""
    h = 2166136261
    for b in name.encode("utf-8"):
        h ^= b
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def frame(kind, payload=b"", flags=0, tag=0, id=0):
    return HDR.pack(len(payload), kind, flags, tag, id) + payload


def event_payload(topic, data):
    """EVENT: u16 topic length, topic, data."""
    return struct.pack("<H", len(topic)) + topic + data


class ProtocolError(Exception):
    pass


class Closed(Exception):
    """The peer closed: end-of-file, ECONNRESET or EPIPE."""


class Frame:
    def __init__(self, raw):
        self.raw = raw
        (self.len, self.kind, self.flags, self.tag,
         self.id) = HDR.unpack_from(raw)
        self.payload = raw[HDR.size:]
        self.topic = None
        self.data = self.payload
        if self.kind == EVENT:
            tlen, = struct.unpack_from("<H", self.payload)
            self.topic = self.payload[2:2 + tlen]
            self.data = self.payload[2 + tlen:]

    def __repr__(self):
        return ("Frame(kind=%d flags=%#x tag=%#010x id=%d payload=%r)" %
                (self.kind, self.flags, self.tag, self.id, self.payload[:80]))


class Conn:
    """One connection. Frames that are not the awaited answer are kept."""

    def __init__(self, path, hello=True):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect(path)
        self.buf = b""
        self.pending = []
        self.next_id = 1
        self.server_hello = None
        if hello:
            self.send(frame(HELLO, HELLO_PAYLOAD))
            self.read_hello()

    def close(self):
        self.sock.close()

    def send(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise Closed(str(e))

    def _fill(self, timeout):
        if timeout <= 0:
            raise TimeoutError("timed out")
        self.sock.settimeout(timeout)
        try:
            d = self.sock.recv(65536)
        except ConnectionResetError as e:
            raise Closed(str(e))
        if not d:
            raise Closed("end-of-file")
        self.buf += d

    def read_frame(self, timeout=TIMEOUT):
        """The next frame, checked as the PROTOCOL ERRORS section says."""
        while len(self.buf) < HDR.size:
            self._fill(timeout)
        ln, kind, _, _, _ = HDR.unpack_from(self.buf)
        if not HELLO <= kind <= UNSUBSCRIBE:
            raise ProtocolError("unknown kind %d" % kind)
        if ln > MAX_PAYLOAD:
            raise ProtocolError("len %d over the limit" % ln)
        while len(self.buf) < HDR.size + ln:
            self._fill(timeout)
        raw, self.buf = self.buf[:HDR.size + ln], self.buf[HDR.size + ln:]
        if kind == EVENT:
            if ln < 2 or struct.unpack_from("<H", raw, HDR.size)[0] > ln - 2:
                raise ProtocolError("EVENT topic length beyond its payload")
        if kind in (CALL, CAST, SUBSCRIBE, UNSUBSCRIBE):
            raise ProtocolError("kind %d from a server" % kind)
        return Frame(raw)

    def read_hello(self):
        """THE HELLO EXCHANGE: the server's first frame; none = refused."""
        try:
            f = self.read_frame()
        except Closed as e:
            raise Closed("closed without HELLO (refused?): %s" % e)
        if f.kind != HELLO or f.len != 8 or f.payload[:4] != b"LMSG":
            raise ProtocolError("bad first frame %r" % f)
        version, = struct.unpack_from("<H", f.payload, 4)
        if version != 1:
            raise ProtocolError("protocol version %d" % version)
        self.server_hello = f
        return f

    def next(self, timeout=TIMEOUT):
        """The next frame after HELLO; a second HELLO is an error."""
        if self.pending:
            return self.pending.pop(0)
        f = self.read_frame(timeout)
        if f.kind == HELLO:
            raise ProtocolError("second HELLO")
        return f

    def new_id(self):
        i = self.next_id
        self.next_id = self.next_id + 1 & 0xFFFFFFFF or 1
        return i

    def send_call(self, name_or_tag, payload=b"", flags=0, id=None):
        tag = name_or_tag if isinstance(name_or_tag, int) else \
            msg_tag(name_or_tag)
        if id is None:
            id = self.new_id()
        self.send(frame(CALL, payload, flags, tag, id))
        return id

    def wait_answer(self, id, timeout=TIMEOUT):
        """CALLS: the REPLY or ERROR with this id; others are kept."""
        deadline = time.monotonic() + timeout
        kept = []
        try:
            while True:
                f = self.next(max(0.0, deadline - time.monotonic()))
                if f.kind in (REPLY, ERROR) and f.id == id:
                    return f
                kept.append(f)
        finally:
            self.pending = kept + self.pending

    def call(self, name_or_tag, payload=b"", flags=0):
        return self.wait_answer(self.send_call(name_or_tag, payload, flags))

    def cast(self, name, payload=b"", flags=0):
        self.send(frame(CAST, payload, flags, msg_tag(name), 0))

    def subscribe(self, prefix):
        self.send(frame(SUBSCRIBE, prefix))

    def unsubscribe(self, prefix):
        self.send(frame(UNSUBSCRIBE, prefix))

    def publish(self, topic, data=b"", flags=0):
        self.send(frame(EVENT, event_payload(topic, data), flags))

    def next_event(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            f = self.next(max(0.0, deadline - time.monotonic()))
            if f.kind == EVENT:
                return f

    def wait_closed(self, timeout=TIMEOUT):
        """True once the server closed; False if a frame came instead."""
        try:
            self.next(timeout)
        except Closed:
            return True
        return False


# --- the checks ---

results = []


def check(desc):
    """Decorator: run the check now, print its TAP line."""
    def run(fn):
        try:
            why = fn()
        except Exception as e:		# a failed check must not stop the rest
            why = "%s: %s" % (type(e).__name__, e)
        if why:
            print("not ok - %s" % desc)
            for line in str(why).splitlines():
                print("# %s" % line)
        else:
            print("ok - %s" % desc)
        sys.stdout.flush()
        results.append(not why)
        return fn
    return run


def expect(cond, why):
    if not cond:
        raise AssertionError(why)


def json_of(f):
    return json.loads(f.payload.decode("utf-8"))


def run_checks(rundir):
    counter_path = os.path.join(rundir, "counter.sock")
    echo_path = os.path.join(rundir, "echo.sock")
    print("# client pid %d" % os.getpid())
    state = {}

    @check("msg_tag: FNV-1a test vectors of libmsg(7)")
    def _():
        for name, want in (("", 0x811c9dc5), ("a", 0xe40c292c),
                           ("foobar", 0xbf9cf968), ("get", 0x540ca757),
                           ("increment", 0x3812e73e), ("echo", 0xd49dd484)):
            expect(msg_tag(name) == want, "msg_tag(%r) = %#x, want %#x" %
                   (name, msg_tag(name), want))

    @check("counter: HELLO exchange, the server's HELLO byte for byte")
    def _():
        c = state["c"] = Conn(counter_path)
        expect(c.server_hello.raw == frame(HELLO, HELLO_PAYLOAD),
               "server HELLO %s" % c.server_hello.raw.hex(" "))

    @check("counter: call get answers {\"count\":0}, as the page's hex dump")
    def _():
        c = state["c"]
        want = bytes.fromhex("0b000000 0400 0100 00000000 01000000") + \
            b'{"count":0}'
        id = c.send_call("get")
        expect(id == 1, "first id %d" % id)
        f = c.wait_answer(id)
        expect(f.raw == want, "REPLY %s, want %s" % (f.raw.hex(" "),
                                                     want.hex(" ")))

    @check("counter: casts of increment (empty, JSON 41) then get is 42")
    def _():
        c = state["c"]
        c.cast("increment")
        c.cast("increment", b"41", F_JSON)
        f = c.call("get")
        expect(f.kind == REPLY and f.flags & F_JSON, "answer %r" % f)
        expect(json_of(f) == {"count": 42}, "answer %r" % f)

    @check("counter: a cast on a second connection, then get on both")
    def _():
        d = Conn(counter_path)
        d.cast("increment", b"-2", F_JSON)
        expect(json_of(d.call("get")) == {"count": 40}, "count not 40")
        expect(json_of(state["c"].call("get")) == {"count": 40},
               "first connection: count not 40")
        d.close()

    @check("counter: unknown call gets ERROR 1 with its id and a message")
    def _():
        c = state["c"]
        id = c.send_call("nope")
        f = c.wait_answer(id)
        expect(f.kind == ERROR and f.tag == ERR_UNKNOWN_TAG and f.id == id,
               "answer %r" % f)
        expect(f.flags == 0 and f.payload.decode("utf-8"), "answer %r" % f)

    @check("counter: CALL with id 0 gets ERROR 2, connection stays open")
    def _():
        c = state["c"]
        c.send_call("get", id=0)
        f = c.next()
        expect(f.kind == ERROR and f.tag == ERR_BAD_REQUEST and f.id == 0,
               "answer %r" % f)
        expect(c.call("get").kind == REPLY, "no REPLY after it")

    @check("counter: HELLO and three pipelined calls in one write")
    def _():
        d = Conn(counter_path, hello=False)
        d.send(frame(HELLO, HELLO_PAYLOAD) +
               b"".join(frame(CALL, b"", 0, msg_tag("get"), i)
                        for i in (7, 8, 9)))
        d.read_hello()
        ids = [d.next().id for _ in range(3)]
        expect(ids == [7, 8, 9], "answer ids %r" % ids)
        d.close()

    @check("echo: binary payload comes back unchanged, flags 0")
    def _():
        e = state["e"] = Conn(echo_path)
        data = bytes(range(256)) * 3
        f = e.call("echo", data)
        expect(f.kind == REPLY and f.flags == 0 and f.payload == data,
               "answer %r" % f)

    @check("echo: JSON payload comes back with the JSON flag")
    def _():
        data = json.dumps({"a": [1, "two", None]}).encode()
        f = state["e"].call("echo", data, F_JSON)
        expect(f.kind == REPLY and f.flags == F_JSON and f.payload == data,
               "answer %r" % f)

    @check("echo: a 1 MiB payload, read in pieces")
    def _():
        data = os.urandom(1 << 20)
        f = state["e"].call("echo", data)
        expect(f.kind == REPLY and f.payload == data, "%d bytes back" %
               len(f.payload))

    @check("echo: call get is an unknown tag there")
    def _():
        f = state["e"].call("get")
        expect(f.kind == ERROR and f.tag == ERR_UNKNOWN_TAG, "answer %r" % f)

    @check("echo: events relayed by prefix, unchanged, in publish order")
    def _():
        sub, pub = Conn(echo_path), Conn(echo_path)
        sub.subscribe(b"news.")
        sub.call("echo")		# ORDERING: the SUBSCRIBE is in place
        pub.publish(b"other", b"not for us")
        pub.publish(b"news.today", b'{"n":1}', F_JSON)
        pub.publish(b"news.", b"")
        f = sub.next_event()
        expect((f.topic, f.data, f.flags) == (b"news.today", b'{"n":1}',
                                              F_JSON), "first event %r" % f)
        expect(f.tag == 0 and f.id == 0, "tag/id of %r" % f)
        f = sub.next_event()
        expect((f.topic, f.data) == (b"news.", b""), "second event %r" % f)
        sub.unsubscribe(b"news.")
        sub.subscribe(b"")		# the empty prefix: every topic
        sub.call("echo")
        pub.publish(b"x", b"1")
        f = sub.next_event()
        expect((f.topic, f.data) == (b"x", b"1"), "after '' %r" % f)
        sub.unsubscribe(b"")
        sub.subscribe(b"last")
        sub.call("echo")
        pub.publish(b"news.late", b"unsubscribed")
        pub.publish(b"last", b"!")
        f = sub.next_event()
        expect(f.topic == b"last", "after UNSUBSCRIBE got %r" % f)
        sub.close()
        pub.close()

    def closes(path, bad, what):
        d = Conn(path)
        d.send(bad)
        expect(d.wait_closed(), "%s: got a frame, not a close" % what)
        d.close()

    @check("counter: protocol errors close that connection only")
    def _():
        closes(counter_path, frame(9), "kind 9")
        closes(counter_path, HDR.pack(MAX_PAYLOAD + 1, CALL, 0,
                                      msg_tag("get"), 1), "oversize len")
        closes(counter_path, frame(REPLY, b"", 0, 0, 1), "REPLY from client")
        closes(counter_path, frame(HELLO, HELLO_PAYLOAD), "second HELLO")
        closes(counter_path, frame(EVENT, b"\x09\x00abc"), "topic length")
        d = Conn(counter_path, hello=False)
        d.send(frame(CALL, b"", 0, msg_tag("get"), 1))
        d.read_hello()			# the server's HELLO went out at once
        expect(d.wait_closed(), "CALL before HELLO: not closed")
        d.close()
        f = state["c"].call("get")
        expect(json_of(f) == {"count": 40}, "afterwards %r" % f)

    @check("echo: a wrong protocol version is refused")
    def _():
        d = Conn(echo_path, hello=False)
        d.send(frame(HELLO, b"LMSG" + struct.pack("<HH", 2, 0)))
        d.read_hello()
        expect(d.wait_closed(), "version 2 accepted")
        d.close()

    for k in ("c", "e"):
        if k in state:
            state[k].close()
    return 0 if all(results) else 1


# --- readiness: the supervisor's half of sd_notify ---

def wait_ready(sockpath, timeout_ms, pidfile, argv):
    deadline = time.monotonic() + timeout_ms / 1000.0
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        os.unlink(sockpath)
    except FileNotFoundError:
        pass
    s.bind(sockpath)
    env = dict(os.environ, NOTIFY_SOCKET=sockpath)
    try:
        child = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL)
    except OSError as e:
        sys.stderr.write("pyclient: %s: %s\n" % (argv[0], e.strerror))
        s.close()
        os.unlink(sockpath)
        return 1
    with open(pidfile, "w") as fp:
        fp.write("%d\n" % child.pid)
    watch = [s]
    pidfd = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(child.pid)
            watch.append(pidfd)
        except OSError:
            pidfd = None
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                sys.stderr.write("pyclient: %s: no READY=1 within %d ms\n" %
                                 (argv[0], timeout_ms))
                return 1
            # Without a pidfd, look at the child now and then.
            r, _, _ = select.select(watch, [], [],
                                    left if pidfd is not None
                                    else min(left, 0.05))
            if s in r:
                msg = s.recv(4096)
                if b"READY=1" in msg.split(b"\n"):
                    return 0
            if child.poll() is not None:
                sys.stderr.write("pyclient: %s: exited with status %d "
                                 "before READY=1\n" % (argv[0],
                                                       child.returncode))
                return 1
    finally:
        s.close()
        os.unlink(sockpath)
        if pidfd is not None:
            os.close(pidfd)


def main(argv):
    if len(argv) == 3 and argv[1] == "check":
        return run_checks(argv[2])
    if len(argv) >= 6 and argv[1] == "wait-ready":
        try:
            ms = int(argv[3])
        except ValueError:
            ms = -1
        if ms >= 0:
            return wait_ready(argv[2], ms, argv[4], argv[5:])
    sys.stderr.write(__doc__.split("\n\n", 1)[1])
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
