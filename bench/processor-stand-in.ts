/**
 * The simulated processor behind a loopback Lambda Invoke server, in a process of its own so that
 * its CPU time is not counted as the handler's. Prints its endpoint on the first line of stdout and
 * serves until stdin closes.
 */
import { LambdaStandIn } from '../test/handlers/lambda-stand-in';

void LambdaStandIn.start().then((standIn) => {
  process.stdout.write(`${standIn.endpoint}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void standIn.stop().then(() => process.exit(0)));
});
