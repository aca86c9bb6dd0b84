# kafka-python (Debian's python3-kafka) reading partition 0 of a compacted topic from the start to
# its end offset, across the gaps compaction leaves. Prints one JSON line with what it saw.
import json
import sys
import time

from kafka import KafkaConsumer, TopicPartition

bootstrap, topic = sys.argv[1], sys.argv[2]
partition = TopicPartition(topic, 0)
consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, request_timeout_ms=30000)
consumer.assign([partition])
consumer.seek_to_beginning(partition)
end = consumer.end_offsets([partition])[partition]
records = []
deadline = time.monotonic() + 30
while consumer.position(partition) < end and time.monotonic() < deadline:
    for messages in consumer.poll(timeout_ms=500).values():
        for message in messages:
            records.append([message.offset, message.key.decode(), message.value.decode()])
print(json.dumps({"end_offset": end, "position": consumer.position(partition), "records": records}))
