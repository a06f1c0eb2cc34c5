import { Fn, Names, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A physical name for a retained resource that must have one: `prefix`, the construct's unique name
 * and the first eight characters of the stack's id. CloudFormation keeps a retained resource when a
 * first create rolls back and after the stack is deleted; a name fixed at synthesis time would then
 * make the next create fail with "already exists". The stack id differs for every creation of a
 * stack, so the next creation names the resource anew.
 */
export function perCreationName(scope: IConstruct, prefix: string, maxLength: number): string {
  const stackId = Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Stack.of(scope).stackId))));
  const unique = Names.uniqueResourceName(scope, { maxLength: maxLength - prefix.length - 9 });
  return `${prefix}${unique}-${stackId}`;
}


/** Prefix under which audit records are written in the audit bucket. */
export const AUDIT_RECORD_PREFIX = 'audit/';
