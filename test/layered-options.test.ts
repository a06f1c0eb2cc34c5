import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { MultiRegionPaymentPlatform, PaymentPlatform, Profiles } from '../src';
import { newStack } from './setup/stacks';
import { apiPropsOf } from '../src/private/profile-props';

/**
 * Every option of `PaymentApi` and `PaymentAlarms` can be set through the platforms, read from the
 * published assembly (`.jsii`, written by the build before the tests run): a prop added to either
 * construct and forgotten by a platform fails here.
 */
interface JsiiProperty { readonly name: string }
interface JsiiType { readonly properties?: JsiiProperty[]; readonly interfaces?: string[] }
const assembly = JSON.parse(readFileSync(join(__dirname, '..', '.jsii'), 'utf8')) as { types: Record<string, JsiiType> };

/** The props of a struct, its parents' included. */
function propsOf(name: string): Set<string> {
  const type = assembly.types[`@org/payment-platform.${name}`];
  if (!type) {
    throw new Error(`${name} is not in the assembly`);
  }
  const inherited = (type.interfaces ?? []).flatMap((parent) => [...propsOf(parent.replace('@org/payment-platform.', ''))]);
  return new Set([...(type.properties ?? []).map((property) => property.name), ...inherited]);
}

/** What a platform decides from its profile (the one mapping), beside the profile itself. */
const FROM_PROFILE = new Set(['profile', ...Object.keys(apiPropsOf(Profiles.production))]);

/** What `PaymentPlatform` builds the API over, and the option that adopts an existing one instead. */
const BUILT_BY_PLATFORM: Record<string, string> = {
  vpc: 'vpc',
  ledgerTable: 'ledger',
  auditBucket: 'auditBucket',
  encryptionKey: 'encryptionKey',
};

/** What `MultiRegionPaymentPlatform` decides itself in every Region, and from which of its props. */
const DECIDED_BY_MULTI_REGION: Record<string, string> = {
  vpc: 'a SecureVpc of each Region',
  ledgerTable: 'the multi-Region ledger',
  idempotencyTable: 'the multi-Region claims',
  multiRegion: 'always true',
  encryptionKey: 'the key of each Region',
  auditBucket: 'an AuditBucket of each Region',
  customDomain: 'domain',
};

/**
 * What no multi-Region option sets, and why: asserted as exactly these, so nothing else can join
 * them unseen. (Of the alarm options, `alarmTopic` is refused when given, since a CloudWatch alarm
 * notifies a topic of its own Region only; test/multi-region-payment-platform.test.ts shows it.)
 */
const NOT_ACROSS_REGIONS: Record<string, string> = {
  privateEndpoints: 'interface endpoints belong to one VPC of one Region, which the platform creates in that Region\'s stack',
};

describe('every option of PaymentApi and PaymentAlarms reaches the platforms', () => {
  const apiProps = propsOf('PaymentApiProps');
  const apiOptions = propsOf('PaymentApiOptions');
  const platformOptions = propsOf('PaymentPlatformOptions');
  const alarmProps = propsOf('PaymentAlarmsProps');
  const alarmOptions = propsOf('PaymentAlarmsOptions');
  const multiRegionProps = propsOf('MultiRegionPaymentPlatformProps');

  test('the assembly holds the props that the test walks', () => {
    expect(apiProps.size).toBeGreaterThan(20);
    expect([...apiOptions].every((prop) => apiProps.has(prop) && platformOptions.has(prop))).toBe(true);
    expect(['api', 'alarms', 'domain'].every((prop) => multiRegionProps.has(prop))).toBe(true);
  });

  test('PaymentPlatform: each PaymentApi prop is an option of its own, decided from the profile, or built over an option', () => {
    const unreachable = [...apiProps].filter((prop) => !platformOptions.has(prop) && !FROM_PROFILE.has(prop) && !(prop in BUILT_BY_PLATFORM));
    expect(unreachable).toEqual([]);
    expect(Object.values(BUILT_BY_PLATFORM).filter((option) => !platformOptions.has(option))).toEqual([]);
  });

  test('PaymentPlatform: each PaymentAlarms prop is an alarm option, or the platform\'s API', () => {
    expect(platformOptions.has('alarms')).toBe(true);
    expect([...alarmProps].filter((prop) => prop !== 'api' && !alarmOptions.has(prop))).toEqual([]);
  });

  test('MultiRegionPaymentPlatform: each PaymentApi prop is an `api` option, decided from the profile or by the platform, or named here with the reason it cannot be', () => {
    const unreachable = [...apiProps].filter((prop) => !apiOptions.has(prop) && !FROM_PROFILE.has(prop) && !(prop in DECIDED_BY_MULTI_REGION));
    const alarmsUnreachable = [...alarmProps].filter((prop) => prop !== 'api' && !alarmOptions.has(prop));
    expect(unreachable).toEqual(Object.keys(NOT_ACROSS_REGIONS));
    expect(alarmsUnreachable).toEqual([]);
  });
});

describe('options set through the platforms take effect', () => {
  test('PaymentPlatform passes options through that it once could not: webAcl, accessLogGroupClass, idempotencyRecordTtl, stageName', () => {
    const stack = newStack(Profiles.staging);
    new PaymentPlatform(stack, 'Payments', Profiles.staging, {
      webAcl: true,
      accessLogGroupClass: logs.LogGroupClass.STANDARD,
      stageName: 'live',
      handlerMemorySize: 1024,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'live' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupClass: 'STANDARD' });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('Accepts and reads payments'), MemorySize: 1024 });
  });

  test('MultiRegionPaymentPlatform applies its `api` options in every Region', () => {
    const platform = new MultiRegionPaymentPlatform(new App(), 'Payments', {
      profile: Profiles.production,
      regions: ['us-east-1', 'us-east-2', 'us-west-2'],
      account: '123456789012',
      api: { handlerMemorySize: 1024, stageName: 'live' },
    });
    for (const stack of Object.values(platform.regionStacks)) {
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'live' });
      template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('Accepts and reads payments'), MemorySize: 1024 });
    }
  });
});
