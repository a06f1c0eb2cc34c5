import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Lets `grantee` add audit records under `prefix` and nothing else: `s3:PutObject` there, and the
 * one KMS action that writing an SSE-KMS object needs.
 */
export function grantAuditRecordWrite(bucket: s3.IBucket, prefix: string, grantee: iam.IGrantable): iam.Grant {
  bucket.encryptionKey?.grant(grantee, 'kms:GenerateDataKey');
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:PutObject'],
    resourceArns: [bucket.arnForObjects(`${prefix}*`)],
  });
}
