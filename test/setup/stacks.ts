import { App, Stack } from 'aws-cdk-lib';
import { EnvironmentProfile } from '../../src';

/**
 * A fresh app and stack, in the profile's region when one is given, environment-agnostic otherwise.
 */
export function newStack(profile?: EnvironmentProfile): Stack {
  const app = new App();
  return new Stack(app, 'TestStack', profile ? { env: { region: profile.region } } : {});
}
