import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PaymentPlatform, Profiles } from '../src';

/**
 * CloudFormation keeps a retained resource when the first create of a stack rolls back and after the
 * stack is deleted. A retained resource with a name fixed at synthesis time would make the next
 * create fail with "already exists", so every such name must change with each creation: it takes
 * part of `AWS::StackId`, which differs for every creation of a stack, or the id of a resource that
 * the stack creates anew each time (one that is not retained).
 */
const RETAINED = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

describe.each(Profiles.names)('%s', (name) => {
  const profile = Profiles.named(name);
  const app = new App();
  const stack = new Stack(app, 'Payments', { env: { account: '111111111111', region: profile.region } });
  new PaymentPlatform(stack, 'P', profile);
  const resources = Object.entries(Template.fromStack(stack).toJSON().Resources as Record<string, {
    Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown>;
  }>);
  const retained = resources.filter(([, resource]) => RETAINED.has(resource.DeletionPolicy ?? 'Delete'));
  const createdAnew = new Set(resources.filter(([, resource]) => !RETAINED.has(resource.DeletionPolicy ?? 'Delete')).map(([id]) => id));
  const changesPerCreation = (value: unknown) => {
    const text = JSON.stringify(value);
    return text.includes('"AWS::StackId"') || [...text.matchAll(/"Ref":"([^"]+)"/g)].some(([, id]) => createdAnew.has(id));
  };

  test('every retained resource is named by CloudFormation or anew for each creation of the stack', () => {
    const fixed = retained.flatMap(([id, resource]) => Object.entries(resource.Properties ?? {})
      .filter(([property]) => property.endsWith('Name') && !property.endsWith('KeyName') && property !== 'AttributeName')
      .filter(([, value]) => !changesPerCreation(value))
      .map(([property, value]) => `${resource.Type} ${id}.${property} = ${JSON.stringify(value)}`));
    expect(fixed).toEqual([]);
  });

  if (profile.removalPolicy !== RemovalPolicy.DESTROY) {
    test('the profile retains resources, so the walk above has something to walk', () => {
      expect(retained.length).toBeGreaterThan(5);
    });
  }
});
