// kafkajs against Samsa.Broker: admin, producer (plain, gzip, idempotent, transactional) and a consumer group.
// Usage: node kafkajs_client.js <bootstrap> <scenario> <topic> [<sasl-plain-user> <password>]. Logs go to stderr; the last stdout line is JSON.
'use strict';
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, CompressionTypes, logLevel } = require('kafkajs');

const [bootstrap, scenario, topic, saslUser, saslPassword] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: 'samsa-kafkajs',
  brokers: bootstrap.split(','),
  sasl: saslUser ? { mechanism: 'plain', username: saslUser, password: saslPassword } : undefined,
  retry: { retries: 8, initialRetryTime: 100 },
  logLevel: logLevel.WARN,
  logCreator: () => ({ namespace, level, log }) => process.stderr.write(`${level} ${namespace} ${log.message}\n`),
});

function withDeadline(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Consumes with a group until `expected` records arrived; returns them as "partition:offset:key=value|headers".
async function consumeAll(groupId, expected, isolation) {
  const consumer = kafka.consumer({ groupId, readUncommitted: isolation === 'read_uncommitted', sessionTimeout: 10000, heartbeatInterval: 500 });
  const seen = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.entries(message.headers || {}).map(([k, v]) => `${k}=${v}`).join(',');
      seen.push(`${partition}:${message.offset}:${message.key}=${message.value}|${headers}`);
      if (seen.length >= expected) done();
    },
  });
  await withDeadline(finished, 30000, `consuming ${expected} records`);
  await consumer.stop();
  await consumer.disconnect();
  return seen;
}

async function produceConsume(compression) {
  const admin = kafka.admin();
  await admin.connect();
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const messages = Array.from({ length: 90 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 3, headers: { n: `${i}` } }));
  const acks = await producer.send({ topic, acks: -1, compression, messages });
  await producer.disconnect();

  const values = await consumeAll(`${topic}-group`, messages.length, 'read_committed');
  // kafkajs commits on its own schedule; after stop() the group's offsets are committed.
  const offsets = await admin.fetchOffsets({ groupId: `${topic}-group`, topics: [topic] });
  const groups = await admin.describeGroups([`${topic}-group`]);
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const listed = await admin.listTopics();
  await admin.deleteTopics({ topics: [topic] });
  const afterDelete = await admin.listTopics();
  await admin.disconnect();
  return {
    created,
    acks: acks.map((a) => ({ partition: a.partition, error: a.errorCode })),
    values,
    committed: offsets[0].partitions.map((p) => ({ partition: p.partition, offset: p.offset })).sort((a, b) => a.partition - b.partition),
    groupState: groups.groups[0].state,
    partitions: metadata.topics[0].partitions.length,
    listed: listed.includes(topic),
    deleted: !afterDelete.includes(topic),
  };
}

async function transactions() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  const committed = await producer.transaction();
  await committed.send({ topic, messages: [{ key: 'a', value: 'committed-1', partition: 0 }, { key: 'b', value: 'committed-2', partition: 1 }] });
  await committed.commit();

  const aborted = await producer.transaction();
  await aborted.send({ topic, messages: [{ key: 'c', value: 'aborted-1', partition: 0 }, { key: 'd', value: 'aborted-2', partition: 1 }] });
  await aborted.abort();

  const last = await producer.transaction();
  await last.send({ topic, messages: [{ key: 'e', value: 'committed-3', partition: 0 }] });
  await last.commit();
  await producer.disconnect();

  const readCommitted = await consumeAll(`${topic}-rc`, 3, 'read_committed');
  const readUncommitted = await consumeAll(`${topic}-ru`, 5, 'read_uncommitted');
  return { readCommitted: readCommitted.map((r) => r.split('=')[1].split('|')[0]).sort(), readUncommitted: readUncommitted.map((r) => r.split('=')[1].split('|')[0]).sort() };
}

async function idempotent() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let batch = 0; batch < 5; batch++) {
    await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: `v${batch * 20 + i}` })) });
  }
  await producer.disconnect();
  const values = await consumeAll(`${topic}-group`, 100, 'read_committed');
  return { values: values.map((r) => r.split('=')[1].split('|')[0]) };
}

// ACL admin (CreateAcls, DescribeAcls, DeleteAcls) as kafkajs sends it; the topic names the literal ACL.
async function acls() {
  const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = require('kafkajs');
  const admin = kafka.admin();
  await admin.connect();
  const acl = (resourceName, resourcePatternType, operation) => ({
    resourceType: AclResourceTypes.TOPIC, resourceName, resourcePatternType,
    principal: 'User:alice', host: '*', operation, permissionType: AclPermissionTypes.ALLOW,
  });
  await admin.createAcls({ acl: [acl(topic, ResourcePatternTypes.LITERAL, AclOperationTypes.WRITE), acl('js-', ResourcePatternTypes.PREFIXED, AclOperationTypes.READ)] });
  const describe = async () => {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.TOPIC, resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
    });
    return resources.flatMap((r) => r.acls.map((a) => `${r.resourceName}:${r.resourcePatternType}:${a.principal}:${a.operation}`)).sort();
  };
  const before = await describe();
  const { filterResponses } = await admin.deleteAcls({
    filters: [{
      resourceType: AclResourceTypes.TOPIC, resourceName: 'js-', resourcePatternType: ResourcePatternTypes.PREFIXED,
      operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
    }],
  });
  const after = await describe();
  await admin.disconnect();
  return { before, deleted: filterResponses.map((f) => f.matchingAcls.length), after };
}

async function main() {
  let result;
  switch (scenario) {
    case 'produce-consume': result = await produceConsume(CompressionTypes.None); break;
    case 'produce-consume-gzip': result = await produceConsume(CompressionTypes.GZIP); break;
    case 'transactions': result = await transactions(); break;
    case 'idempotent': result = await idempotent(); break;
    case 'acls': result = await acls(); break;
    default: throw new Error(`unknown scenario ${scenario}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

withDeadline(main(), 90000, scenario).then(() => process.exit(0), (error) => {
  process.stderr.write(`FAILED: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
