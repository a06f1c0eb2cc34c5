import { Annotations, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';

/**
 * The key actions that reading and writing a KMS-encrypted DynamoDB table or SQS queue needs:
 * `kms:Decrypt` for what is read and `kms:GenerateDataKey*` for what is written. Unlike
 * `grantEncryptDecrypt`, nothing here encrypts or re-encrypts arbitrary data with the key.
 */
export function grantDataKeyUse(key: kms.IKey, grantee: iam.IGrantable): iam.Grant {
  return key.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey*');
}

/** The principals that may write audit records, per bucket. */
const recordWriters = new WeakMap<s3.IBucket, string[]>();

/**
 * Lets `grantee` add audit records under `prefix` and nothing else: `s3:PutObject` there, and the
 * one KMS action that writing an SSE-KMS object needs.
 *
 * On a bucket of this app, the bucket policy also refuses `s3:PutObject` under `prefix` to every
 * principal that was not granted here, administrators included, so that an identity policy with
 * `s3:*` cannot add or overwrite an audit record.
 */
export function grantAuditRecordWrite(bucket: s3.IBucket, prefix: string, grantee: iam.IGrantable): iam.Grant {
  const writer = principalArn(grantee.grantPrincipal);
  // A role or a user, as principalArn has checked: both are constructs.
  const writerConstruct = grantee.grantPrincipal as unknown as IConstruct;
  if (Stack.of(bucket) !== Stack.of(writerConstruct)) {
    // A policy in the bucket's stack cannot name a writer of another stack without a cycle of
    // references between the two stacks; the bucket's owner names it instead.
    Annotations.of(writerConstruct).addWarningV2('@org/payment-platform:auditWriterNotNamed',
      `The audit bucket ${bucket.node.path} is in another stack, so its policy cannot refuse writes under ${prefix} by anyone but this writer. `
      + 'Add that statement in the bucket\'s stack, naming this writer\'s role ARN.');
    return grantObjectWrite(bucket, prefix, grantee);
  }
  let writers = recordWriters.get(bucket);
  if (!writers) {
    writers = [];
    recordWriters.set(bucket, writers);
    const list = writers;
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyAuditRecordWritesByOthers',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`${prefix}*`)],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => list }) } },
    }));
  }
  writers.push(writer);
  return grantObjectWrite(bucket, prefix, grantee);
}

function grantObjectWrite(bucket: s3.IBucket, prefix: string, grantee: iam.IGrantable): iam.Grant {
  bucket.encryptionKey?.grant(grantee, 'kms:GenerateDataKey');
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:PutObject'],
    resourceArns: [bucket.arnForObjects(`${prefix}*`)],
  });
}

function principalArn(principal: iam.IPrincipal): string {
  if (principal instanceof iam.Role || principal instanceof iam.LazyRole || (principal as Partial<iam.IRole>).roleArn) {
    return (principal as iam.IRole).roleArn;
  }
  if (principal instanceof iam.User) {
    return principal.userArn;
  }
  throw new Error('Audit records can be granted to a role or a user only: the audit bucket\'s policy names each writer by its ARN.');
}

/**
 * An event source's on-failure destination on a KMS-encrypted queue that grants the function only
 * what sending needs (`sqs:SendMessage`, `kms:GenerateDataKey*` and `kms:Decrypt`), where
 * aws-cdk-lib's `SqsDlq` grants every encrypt and decrypt action on the key.
 */
export class EncryptedQueueDestination implements lambda.IEventSourceDlq {
  constructor(private readonly queue: sqs.IQueue) {}

  public bind(_target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    grantQueueSend(this.queue, targetHandler);
    return { destination: this.queue.queueArn };
  }
}

/** What sending to a KMS-encrypted queue needs, and nothing more. */
export function grantQueueSend(queue: sqs.IQueue, grantee: iam.IGrantable): iam.Grant {
  if (queue.encryptionMasterKey) {
    grantDataKeyUse(queue.encryptionMasterKey, grantee);
  }
  return iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [queue.queueArn] });
}
