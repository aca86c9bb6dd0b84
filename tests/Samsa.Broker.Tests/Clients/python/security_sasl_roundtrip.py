# kafka-python (Debian's python3-kafka 2.0.2) against a SASL_PLAINTEXT Samsa.Broker. kafka-python sends
# SaslHandshake v0 and then the bare SASL tokens (PLAIN, SCRAM-SHA-256/512). Produces `count` values,
# reads them back, and prints one JSON line; a failed login prints {"error": ...} and exits with 3.
import json
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

bootstrap, topic, mechanism, user, password, count = sys.argv[1:6] + [int(sys.argv[6])]
security = dict(
    bootstrap_servers=bootstrap,
    security_protocol="SASL_PLAINTEXT",
    sasl_mechanism=mechanism,
    sasl_plain_username=user,
    sasl_plain_password=password,
    request_timeout_ms=10000,
)

try:
    producer = KafkaProducer(acks="all", **security)
except KafkaError as e:
    print(json.dumps({"error": type(e).__name__}))
    sys.exit(3)

for i in range(count):
    producer.send(topic, value=b"v%d" % i, partition=0)
producer.flush(timeout=30)

consumer = KafkaConsumer(auto_offset_reset="earliest", consumer_timeout_ms=5000, **security)
partition = TopicPartition(topic, 0)
consumer.assign([partition])
consumer.seek_to_beginning()
values = []
for message in consumer:
    values.append(message.value.decode())
    if len(values) == count:
        break
print(json.dumps({
    "api_version": ".".join(str(p) for p in producer.config["api_version"]),
    "values": values,
}))
