import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The example app behind `npx cdk synth -c env=<name>`, run as the CDK CLI runs it: a separate
 * process that gets its context from CDK_CONTEXT_JSON and writes the cloud assembly to CDK_OUTDIR.
 */
const ROOT = join(__dirname, '..');

function runApp(context: Record<string, string>) {
  const outdir = mkdtempSync(join(tmpdir(), 'payments-app-'));
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register', 'app/payments-app.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_OUTDIR: outdir,
      TS_NODE_PROJECT: 'tsconfig.dev.json',
      TS_NODE_TRANSPILE_ONLY: 'true',
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { ...run, outdir };
}

describe.each([
  ['dev', 'us-east-1', 0],
  ['staging', 'us-east-2', 7],
  ['production', 'us-east-1', 7],
])('-c env=%s', (envName, region, alarms) => {
  let manifest: { artifacts: Record<string, { environment?: string }> };
  let template: { Resources: Record<string, { Type: string }> };
  let outdir: string;
  beforeAll(() => {
    const run = runApp({ env: envName });
    outdir = run.outdir;
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    template = JSON.parse(readFileSync(join(outdir, `PaymentPlatform-${envName}.template.json`), 'utf8'));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test(`writes the stack PaymentPlatform-${envName} for ${region}, without credentials`, () => {
    expect(manifest.artifacts[`PaymentPlatform-${envName}`].environment).toBe(`aws://unknown-account/${region}`);
  });

  test(`holds the whole platform, with ${alarms} alarms`, () => {
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::CloudWatch::Alarm')).toHaveLength(alarms);
    expect(types).toEqual(expect.arrayContaining(['AWS::EC2::VPC', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::ApiGateway::RestApi', 'AWS::Lambda::Function']));
  });
});

describe('API keys', () => {
  const synthesized = (context: Record<string, string>) => {
    const run = runApp(context);
    expect(run.stderr).toBe('');
    const template = JSON.parse(readFileSync(join(run.outdir, 'PaymentPlatform-dev.template.json'), 'utf8'));
    rmSync(run.outdir, { recursive: true, force: true });
    return template as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      Outputs: Record<string, { Value: unknown }>;
    };
  };
  const ofType = (template: ReturnType<typeof synthesized>, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  test('one key named default, in the usage plan, with an output that reads its value', () => {
    const template = synthesized({ env: 'dev' });
    const keys = ofType(template, 'AWS::ApiGateway::ApiKey');
    expect(keys).toHaveLength(1);
    const [keyId] = keys[0];
    const usagePlanKeys = ofType(template, 'AWS::ApiGateway::UsagePlanKey');
    expect(usagePlanKeys.map(([, r]) => r.Properties.KeyId)).toEqual([{ Ref: keyId }]);
    const read = Object.entries(template.Outputs).find(([id]) => id.startsWith('ApiKeydefaultRead'));
    expect(JSON.stringify(read?.[1].Value)).toContain('aws apigateway get-api-key --api-key ');
    expect(JSON.stringify(read?.[1].Value)).toContain(`{"Ref":"${keyId}"}`);
    expect(Object.keys(template.Outputs).some((id) => id.startsWith('PaymentsUrl'))).toBe(true);
  });

  test('-c apiKeys=checkout,refunds makes one key for each, each in the usage plan', () => {
    const template = synthesized({ env: 'dev', apiKeys: 'checkout,refunds' });
    expect(ofType(template, 'AWS::ApiGateway::ApiKey')).toHaveLength(2);
    expect(ofType(template, 'AWS::ApiGateway::UsagePlanKey')).toHaveLength(2);
    expect(Object.keys(template.Outputs).filter((id) => id.startsWith('ApiKey')).sort().map((id) => id.replace(/Read.*$/, '')))
      .toEqual(['ApiKeycheckout', 'ApiKeyrefunds']);
  });

  test.each(['', 'a,,b', 'has space', 'dup,dup'])('-c apiKeys=%p stops the app with what is allowed', (value) => {
    const run = runApp({ env: 'dev', apiKeys: value });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`Invalid -c apiKeys=${value}: give distinct names of 1 to 64 characters of A-Z, a-z, 0-9, _ and -, separated by commas.`);
    rmSync(run.outdir, { recursive: true, force: true });
  });
});

describe('the account stack for API Gateway\'s logging role', () => {
  type Manifest = { artifacts: Record<string, { type: string; dependencies?: string[]; environment?: string }> };
  const synthesized = (context: Record<string, string>) => {
    const run = runApp(context);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(run.outdir, 'manifest.json'), 'utf8')) as Manifest;
    const read = (stack: string) => readFileSync(join(run.outdir, `${stack}.template.json`), 'utf8');
    const stacks = Object.keys(manifest.artifacts).filter((id) => manifest.artifacts[id].type === 'aws:cloudformation:stack');
    const result = { manifest, stacks, templates: Object.fromEntries(stacks.map((id) => [id, read(id)])) };
    rmSync(run.outdir, { recursive: true, force: true });
    return result;
  };

  test('every environment depends on the one account stack of its region, which alone sets the role', () => {
    const dev = synthesized({ env: 'dev' });
    expect(dev.stacks.sort()).toEqual(['PaymentPlatform-account-us-east-1', 'PaymentPlatform-dev']);
    expect(dev.manifest.artifacts['PaymentPlatform-dev'].dependencies).toContain('PaymentPlatform-account-us-east-1');
    expect(dev.templates['PaymentPlatform-dev']).not.toContain('AWS::ApiGateway::Account');
    expect(dev.templates['PaymentPlatform-account-us-east-1']).toContain('AWS::ApiGateway::Account');
    const staging = synthesized({ env: 'staging' });
    expect(staging.manifest.artifacts['PaymentPlatform-staging'].dependencies).toContain('PaymentPlatform-account-us-east-2');
  });

  test('dev and production write the same account stack, so deploying the second changes nothing', () => {
    const dev = synthesized({ env: 'dev' });
    const production = synthesized({ env: 'production' });
    expect(production.templates['PaymentPlatform-account-us-east-1']).toBe(dev.templates['PaymentPlatform-account-us-east-1']);
  });

  test('-c apiGatewayAccount=existing leaves it out', () => {
    const dev = synthesized({ env: 'dev', apiGatewayAccount: 'existing' });
    expect(dev.stacks).toEqual(['PaymentPlatform-dev']);
  });

  test('-c apiGatewayAccount with another value stops the app with what is allowed', () => {
    const run = runApp({ env: 'dev', apiGatewayAccount: 'yes' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('Invalid -c apiGatewayAccount=yes: give create (the default) or existing.');
    rmSync(run.outdir, { recursive: true, force: true });
  });
});

test('a missing environment stops the app with the valid names and a non-zero exit', () => {
  const run = runApp({});
  expect(run.status).toBe(1);
  expect(run.stderr.trim()).toBe('Missing environment: pass -c env=<name>. Valid environments: dev, staging, production, production-multi.');
  rmSync(run.outdir, { recursive: true, force: true });
});

test('an unknown environment stops the app with the valid names and a non-zero exit', () => {
  const run = runApp({ env: 'prod' });
  expect(run.status).toBe(1);
  expect(run.stderr.trim()).toBe("Unknown environment 'prod'. Valid environments: dev, staging, production, production-multi.");
  rmSync(run.outdir, { recursive: true, force: true });
});

describe('alarm subscribers', () => {
  const warningsAndSubscriptions = (context: Record<string, string>) => {
    const run = runApp(context);
    expect(run.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(run.outdir, 'manifest.json'), 'utf8'));
    const artifact = manifest.artifacts['PaymentPlatform-staging'];
    const metadata = Object.values(JSON.parse(readFileSync(join(run.outdir, artifact.additionalMetadataFile), 'utf8'))) as { type: string; data: string }[][];
    const warnings = metadata.flat().filter((entry) => entry.type === 'aws:cdk:warning').map((entry) => entry.data);
    const template = JSON.parse(readFileSync(join(run.outdir, 'PaymentPlatform-staging.template.json'), 'utf8'));
    const subscriptions = Object.values(template.Resources as Record<string, { Type: string; Properties: unknown }>)
      .filter((r) => r.Type === 'AWS::SNS::Subscription').map((r) => r.Properties);
    rmSync(run.outdir, { recursive: true, force: true });
    return { warnings, subscriptions };
  };

  test('without -c alarmEmail the staging stack carries the warning that its alarms notify no one', () => {
    const { warnings, subscriptions } = warningsAndSubscriptions({ env: 'staging' });
    expect(warnings).toEqual(expect.arrayContaining([expect.stringContaining('The staging alarms notify a new topic that nobody subscribes to')]));
    expect(subscriptions).toEqual([]);
  });

  test('-c alarmEmail subscribes the address and silences the warning', () => {
    const { warnings, subscriptions } = warningsAndSubscriptions({ env: 'staging', alarmEmail: 'oncall@example.com' });
    expect(warnings.filter((w) => w.includes('alarmsNotifyNoOne'))).toEqual([]);
    expect(subscriptions).toEqual([expect.objectContaining({ Protocol: 'email', Endpoint: 'oncall@example.com' })]);
  });

  test('a malformed -c alarmEmail stops with the rule', () => {
    const run = runApp({ env: 'staging', alarmEmail: 'oncall' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('Invalid -c alarmEmail=oncall: give the e-mail address that the alarms notify, such as oncall@example.com.');
  });
});

describe('-c env=production-multi', () => {
  type Manifest = { artifacts: Record<string, { type: string; dependencies?: string[]; environment?: string; displayName?: string }> };
  let manifest: Manifest;
  let stderr: string;
  let outdir: string;
  beforeAll(() => {
    const run = runApp({ env: 'production-multi', apiKeys: 'checkout', domainName: 'payments.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    outdir = run.outdir;
    stderr = run.stderr;
    expect(run.status).toBe(0);
    manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const stacks = () => Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const byName = (name: string) => stacks().find(([, a]) => a.displayName?.endsWith(name) || a.displayName === name);

  test('synthesizes offline: keys, data and a platform in each of the three Regions, and an account stack per Region', () => {
    const environments = stacks().map(([, a]) => a.environment).sort();
    expect(environments).toEqual([
      ...Array(4).fill('aws://unknown-account/us-east-1'),
      ...Array(3).fill('aws://unknown-account/us-east-2'),
      ...Array(3).fill('aws://unknown-account/us-west-2'),
    ]);
    // aws-cdk-lib's own TableV2 uses deprecated TableGrantsProps; nothing else may be written to stderr.
    const others = stderr.split('\n').filter((line) => line.trim() !== '' && !/TableGrantsProps#(policyResource|encryptedResource) is deprecated|Leave this field undefined|permissions to it|grants to the key will be|This API will be removed/.test(line));
    expect(others).toEqual([]);
  });

  test('each Region\'s platform waits for the tables and for its Region\'s account stack', () => {
    const [dataId] = byName('Data')!;
    for (const region of ['us-east-1', 'us-east-2', 'us-west-2']) {
      const [, regionStack] = byName(`Region-${region}`)!;
      expect(regionStack.dependencies).toEqual(expect.arrayContaining([dataId, `PaymentPlatform-account-${region}`]));
    }
    const [, data] = byName('Data')!;
    expect(data.dependencies?.filter((id) => id.includes('Keys'))).toHaveLength(3);
  });

  test('a custom domain needs all three of its values', () => {
    const run = runApp({ env: 'production-multi', domainName: 'payments.example.com' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('Invalid custom domain: also pass -c hostedZoneId=… -c zoneName=…; give domainName, hostedZoneId and zoneName together.');
    rmSync(run.outdir, { recursive: true, force: true });
  });
});
