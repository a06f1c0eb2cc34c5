// Runs one invocation of a bundled Lambda handler, as the Lambda runtime would in a fresh container:
// `node invoke.mjs <bundle> <event JSON>`. Prints the handler's result on a line of its own,
// after `RESULT `; everything else the handler writes (logs, metrics) goes to stdout as usual.
import { pathToFileURL } from 'node:url';

const [bundle, event] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'crash-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:crash-test',
  memoryLimitInMB: '512',
  awsRequestId: `crash-test-${process.pid}`,
  logGroupName: '/aws/lambda/crash-test',
  logStreamName: 'crash-test',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};
const result = await handler(JSON.parse(event), context);
process.stdout.write(`\nRESULT ${JSON.stringify(result ?? null)}\n`);
