# kafka-python (Debian's python3-kafka 2.0.2) managing ACLs on a SASL_PLAINTEXT Samsa.Broker with an
# authorizer: creates a literal and a prefixed ACL, describes them, deletes the prefixed one, and
# prints one JSON line with what it saw.
import json
import sys

from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType,
                         KafkaAdminClient, ResourcePattern, ResourcePatternFilter, ResourceType)

bootstrap, user, password = sys.argv[1:4]
admin = KafkaAdminClient(
    bootstrap_servers=bootstrap,
    security_protocol="SASL_PLAINTEXT",
    sasl_mechanism="PLAIN",
    sasl_plain_username=user,
    sasl_plain_password=password,
    request_timeout_ms=10000,
)

created = admin.create_acls([
    ACL("User:alice", "*", ACLOperation.WRITE, ACLPermissionType.ALLOW,
        ResourcePattern(ResourceType.TOPIC, "orders", ACLResourcePatternType.LITERAL)),
    ACL("User:alice", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
        ResourcePattern(ResourceType.TOPIC, "app-", ACLResourcePatternType.PREFIXED)),
])


def describe():
    acls, error = admin.describe_acls(ACLFilter(
        principal=None, host="*", operation=ACLOperation.ANY, permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType.TOPIC, None, ACLResourcePatternType.ANY)))
    return sorted("%s:%s:%s:%s" % (a.resource_pattern.resource_name, a.resource_pattern.pattern_type.name,
                                   a.principal, a.operation.name) for a in acls), error.__name__


before, describe_error = describe()
deleted = admin.delete_acls([ACLFilter(
    principal="User:alice", host="*", operation=ACLOperation.ANY, permission_type=ACLPermissionType.ANY,
    resource_pattern=ResourcePatternFilter(ResourceType.TOPIC, "app-", ACLResourcePatternType.PREFIXED))])
after, _ = describe()
print(json.dumps({
    "succeeded": len(created["succeeded"]),
    "failed": [str(f) for f in created["failed"]],
    "describeError": describe_error,
    "before": before,
    "deleted": [len(d[1]) for d in deleted],
    "after": after,
}))
