# kafka-python (Debian's python3-kafka) against Samsa.Broker: create a topic, produce with a codec,
# consume everything back, list topics. Prints one JSON line with what it saw.
import json
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

bootstrap, topic, codec, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
topics = admin.list_topics()

producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type=None if codec == "none" else codec)
for i in range(count):
    producer.send(topic, key=b"k%d" % i, value=b"v%d" % i, partition=i % 2)
producer.flush(timeout=30)

consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=5000)
partitions = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
consumer.assign(partitions)
consumer.seek_to_beginning()
values = []
for message in consumer:
    values.append(message.value.decode())
    if len(values) == count:
        break
end_offsets = consumer.end_offsets(partitions)
print(json.dumps({
    "api_version": ".".join(str(p) for p in admin.config["api_version"]),
    "topics": sorted(topics),
    "values": values,
    "end_offsets": [end_offsets[p] for p in partitions],
}))
