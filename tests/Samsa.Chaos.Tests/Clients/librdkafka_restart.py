# Issue 10, as reported: a librdkafka producer (Debian's python3-confluent-kafka, librdkafka 2.0.2; acks=all,
# idempotence off, retries 0, 5 in flight) while `samsa broker start --data-dir` is killed with SIGKILL and
# restarted, round after round. Exits 1 when an acknowledged record is missing, moved or out of produce order,
# or when the producer saw the existing topic as unknown ("partition count changed ... to 0", _UNKNOWN_PARTITION).
# Usage: librdkafka_restart.py NODES ROUNDS PORT DATA_DIR   with BROKER_CMD = the broker command, \x1f-separated.
import os, sys, subprocess, time, signal, shutil, threading
from confluent_kafka import Producer, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

nodes, rounds, port, data = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
command = os.environ["BROKER_CMD"].split("\x1f")
boot = ",".join(f"127.0.0.1:{port+i}" for i in range(nodes))

def start():
    p = subprocess.Popen(command + ["broker", "start", "--data-dir", data, "--nodes", str(nodes), "--port", str(port),
                          "--default-replication-factor", str(nodes)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p.stdout:
        if "bootstrap.servers=" in line:
            threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
            return p
    raise SystemExit("broker did not start")

# CPU hogs: python busy loops (one process each, no shell children), bounded to 300 s, never holding our stdout.
hogs = [subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 300\nwhile time.time() < end: pass"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(int(os.environ.get("HOGS", "2")))]
import atexit
atexit.register(lambda: [h.kill() for h in hogs])
atexit.register(lambda: b.kill())
b = start()
adm = AdminClient({"bootstrap.servers": boot}); adm.create_topics([NewTopic("t", 3, nodes)])["t"].result()
acked, errors, logs = [], {}, []
import logging
logger = logging.getLogger("rdkafka"); logger.addHandler(logging.NullHandler())
class _Capture(logging.Handler):
    def emit(self, record):
        line = record.getMessage()
        if "partition count changed" in line and " to 0" in line: logs.append(line)
logger.addHandler(_Capture()); logger.setLevel(logging.DEBUG)
def dr(err, msg):
    if err: errors[err.name()] = errors.get(err.name(), 0) + 1
    else: acked.append((msg.partition(), msg.offset(), int(msg.value())))
seq = 0
for r in range(rounds):
    p = Producer({"bootstrap.servers": boot, "acks": "all", "enable.idempotence": False, "retries": 0,
                  "max.in.flight.requests.per.connection": 5, "linger.ms": 5, "message.timeout.ms": 60000,
                  "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500,
                  "logger": logger, "on_delivery": dr, "log_level": 6})
    start_acked = len(acked); total = 20000
    p.list_topics("t", 30); killed = False
    for i in range(total):
        while True:
            try:
                p.produce("t", value=str(seq).encode(), key=str(seq % 101).encode()); break
            except BufferError: p.poll(0.05)
            except Exception as e:
                errors["produce:" + str(e)[:40]] = errors.get("produce:" + str(e)[:40], 0) + 1; break
        seq += 1
        p.poll(0)
        if not killed and len(acked) - start_acked >= 10000:
            b.send_signal(signal.SIGKILL); b.wait(); b = start(); killed = True
    while not killed and len(acked) - start_acked < 10000:
        p.poll(0.005)
    if not killed:
        b.send_signal(signal.SIGKILL); b.wait(); b = start(); killed = True
    p.flush(90)
c = Consumer({"bootstrap.servers": boot, "group.id": "check", "enable.partition.eof": True, "enable.auto.commit": False})
c.assign([TopicPartition("t", i, 0) for i in range(3)])
stored = {}; eof = set()
while len(eof) < 3:
    m = c.poll(1)
    if m is None: continue
    if m.error():
        eof.add(m.partition()); continue
    eof.discard(m.partition()); stored[(m.partition(), m.offset())] = int(m.value())
bad = 0
for (pt, off, s) in acked:
    if stored.get((pt, off)) != s: bad += 1
disorder = []
for pt in range(3):
    a = sorted([x for x in acked if x[0] == pt], key=lambda x: x[1])
    for x, y in zip(a, a[1:]):
        if x[2] > y[2]: disorder.append((pt, x, y))
b.send_signal(signal.SIGKILL); b.wait(); [h.kill() for h in hogs]
unknown = sum(n for k, n in errors.items() if "UNKNOWN" in k)
print(f"librdkafka {__import__('confluent_kafka').libversion()[0]}, {nodes} node(s), {rounds} rounds: {len(acked)} acknowledged, {len(stored)} stored, "
      f"{bad} not at their acknowledged offset, {len(disorder)} out of produce order, {len(logs)} 'partition count changed to 0', failed deliveries {errors}")
for d in disorder[:5]: print("  out of order:", d)
for l in logs[:3]: print("  ", l)
sys.exit(1 if bad or disorder or logs or unknown else 0)
